"""api_pairs.usage: the finders of unused model objects, fed call lists directly so each rule's edge is pinned
(the end-to-end path through `semantic.problems` and the sandbox is in test_apipairs_usage.py)."""

from __future__ import annotations

import ast

from civilinstruct.pipelines.api_pairs import usage


def test_unused_nodes_counts_every_kind_of_connection() -> None:
    """Guards the node rule: element ends, fix, equalDOF (both nodes) and rigidDiaphragm (retained and constrained)
    connect a node; a mass alone does not."""
    calls: list[usage.Call] = [
        ("node", [1, 0.0, 0.0], 1), ("node", [2, 0.0, 3.0], 2), ("node", [3, 5.0, 3.0], 3),
        ("node", [4, 9.0, 9.0], 4), ("node", [5, 1.0, 1.0], 5), ("node", [6, 2.0, 2.0], 6),
        ("fix", [1, 1, 1, 1], 7), ("element", ["elasticBeamColumn", 1, 1, 2, 0.1, 1.0, 0.1, 1], 8),
        ("equalDOF", [2, 3, 1], 9), ("rigidDiaphragm", [3, 5, 6], 10), ("mass", [4, 1.0, 1.0, 0.0], 11)]
    assert usage.unused_nodes(calls) == ["line 4: node 4 is never used (no element or constraint connects it)"]


def test_unused_nodes_does_not_guess_when_a_connection_is_unreadable() -> None:
    """Guards against false drops: an element whose arguments could not be read (None) may connect any node."""
    calls: list[usage.Call] = [("node", [1, 0.0, 0.0], 1), ("element", None, 2)]
    assert usage.unused_nodes(calls) == []
    assert usage.unused_nodes([("node", [1, 0.0, 0.0], 1), ("recorder", None, 2)]) != []


def test_unused_elements_need_a_later_analysis_or_a_read_of_their_tag() -> None:
    """Guards the element rule: an analysis after the element, or eleForce of that tag, uses it; eleForce of
    another tag or an analysis before it does not."""
    e1 = ("element", ["truss", 1, 1, 2, 1.0, 1], 3)
    e2 = ("element", ["truss", 2, 2, 3, 1.0, 1], 4)
    assert usage.unused_elements([e1, ("eleForce", [1], 5)]) == []
    assert usage.unused_elements([e1, ("eleForce", [2], 5)]) == [
        "line 3: element 1 is never used (not analysed, its result never read)"]
    assert usage.unused_elements([e1, ("analyze", [1], 5), e2]) == [
        "line 4: element 2 is never used (not analysed, its result never read)"]
    assert usage.unused_elements([e1, ("eigen", [1], 5)]) == []


def test_unused_patterns_load_and_analysis() -> None:
    """Guards the pattern rule: a plain pattern needs a load before the next pattern and a later analyze; a
    UniformExcitation pattern is its own load but still needs an analysis."""
    ok = [("pattern", ["Plain", 1, 1], 1), ("load", [2, 1.0, 0.0, 0.0], 2), ("analyze", [1], 3)]
    assert usage.unused_patterns(ok) == []
    empty = [("pattern", ["Plain", 1, 1], 1), ("pattern", ["Plain", 2, 1], 2), ("load", [2, 1.0], 3),
             ("analyze", [1], 4)]
    assert usage.unused_patterns(empty) == ["line 1: pattern 1 is never used (it holds no load)"]
    motion = [("pattern", ["UniformExcitation", 3, 1, "-accel", 2], 1)]
    assert usage.unused_patterns(motion) == ["line 1: pattern 3 is never used (no analysis applies it)"]
    assert usage.unused_patterns(motion + [("analyze", [100, 0.01], 2)]) == []


def test_unread_recorders_follow_the_file_name_through_a_variable() -> None:
    """Guards the recorder rule: a file opened by numpy.loadtxt through a variable counts as read; another file
    does not; a recorder without a file option is not judged."""
    code = "import numpy as np\nout = 'disp.out'\nd = np.loadtxt(out)\n"
    tree = ast.parse(code)
    read = ("recorder", ["Node", "-file", "disp.out", "-node", 2, "-dof", 1, "disp"], 4)
    unread = ("recorder", ["Element", "-file", "force.out", "-ele", 1, "force"], 5)
    screen = ("recorder", ["display", "x", 10, 10], 6)
    found = usage.unread_recorders([read, unread, screen], tree, {"out": "disp.out"})
    assert found == ["line 5: recorder Element is never used (its file 'force.out' is never read)"]
    assert len(usage.unused_model_objects([unread], ast.parse(""), {})) == 1
