"""bug_cot.source: reading a program as its `ops.<command>(...)` calls and editing one call in place."""

from __future__ import annotations

from civilinstruct.pipelines.bug_cot import source

PROGRAM = """\
import openseespy.opensees as ops

H = 3.5
E = 3.0e4  # MPa
ops.wipe()
ops.model('basic', '-ndm', 2, '-ndf', 3)
ops.node(1, 0.0, 0.0)
ops.node(2, 0.0, H)
for i in range(3):
    ops.node(10 + i, 1.0 * i, 0.0)
ops.element('elasticBeamColumn', 1, 1, 2,
            0.25, E, 0.005, 1)
"""


def test_calls_in_order_with_places_and_arguments() -> None:
    """Guards the call list: command names through the alias, 1-based lines, top level vs inside a loop, the
    argument text as written, and a multi-line call's span."""
    calls = source.ops_calls(PROGRAM)
    assert [c.command for c in calls] == ["wipe", "model", "node", "node", "node", "element"]
    model = calls[1]
    assert (model.lineno, model.top_level, model.kind) == (6, True, "basic")
    assert model.args == ("'basic'", "'-ndm'", "2", "'-ndf'", "3")
    loop_node = calls[4]
    assert (loop_node.lineno, loop_node.top_level) == (10, False)
    assert (loop_node.stmt_lineno, loop_node.stmt_end_lineno) == (10, 10)
    element = calls[5]
    assert (element.lineno, element.end_lineno) == (11, 12)
    assert element.args[-2:] == ("0.005", "1") and element.kind == "elasticBeamColumn"
    assert calls[2].kind is None  # first argument is a number, not a type string


def test_other_aliases_star_imports_and_unrelated_calls() -> None:
    """Guards recognition: another alias and a star import count; a call on an unrelated name does not."""
    aliased = "import openseespy.opensees as o\nimport math\no.node(1, 0.0)\nmath.sqrt(2.0)\n"
    assert [c.command for c in source.ops_calls(aliased)] == ["node"]
    assert source.ops_prefix(aliased) == "o."
    star = "from openseespy.opensees import *\nwipe()\nnode(1, 0.0)\nprint('x')\n"
    assert [c.command for c in source.ops_calls(star)] == ["wipe", "node", "print"]  # star: every bare call
    assert source.ops_prefix(star) == ""
    assert source.ops_calls("ops.node(1, 0.0)\n") == ()  # no import: not an OpenSeesPy program
    assert source.ops_calls("ops.node(1,\n") == ()  # a syntax error gives no calls, not an exception


def test_non_ascii_text_does_not_shift_argument_slices() -> None:
    """Guards the byte-offset slicing: a Chinese comment earlier on the line must not cut the arguments."""
    program = "import openseespy.opensees as ops\nx = '楼层'; ops.node(7, 1.5, 2.5)\n"
    (call,) = source.ops_calls(program)
    assert call.args == ("7", "1.5", "2.5")


def test_top_statement_end_and_calls_of() -> None:
    """Guards the block end used to insert code after a loop: a line inside the `for` maps to the loop's end."""
    assert source.top_statement_end(PROGRAM, 10) == 10
    assert source.top_statement_end(PROGRAM, 9) == 10
    assert source.top_statement_end(PROGRAM, 11) == 12
    assert source.top_statement_end("x = (\n", 1) == 1  # unparsable: the line itself
    assert [c.lineno for c in source.calls_of(PROGRAM, "node")] == [7, 8, 10]


def test_rewrite_call_replaces_one_call_only() -> None:
    """Guards the line edit: only the chosen call's arguments change; other lines stay byte for byte."""
    node2 = source.calls_of(PROGRAM, "node")[1]
    out = source.rewrite_call(PROGRAM, node2, ["2", "0.0", "2.0 * H"])
    assert out is not None
    assert out.splitlines()[7] == "ops.node(2, 0.0, 2.0 * H)"
    assert out.splitlines()[:7] == PROGRAM.splitlines()[:7]
    assert source.compiles(out)
    spaced = "import openseespy.opensees as ops\nops.node(1,0.0,  0.0)\n"
    (call,) = source.ops_calls(spaced)
    assert source.rewrite_call(spaced, call, ["1", "2.0", "0.0"]) is None  # not written `a, b, c`


def test_names_numbers_nodes_and_dims() -> None:
    """Guards the facts repairs read: bound names, module-level numeric constants (with a trailing comment),
    literal node coordinates (the loop's computed tags skipped), and ndm/ndf from the model call."""
    names = source.assigned_names(PROGRAM)
    assert {"ops", "H", "E", "i"} <= names and "range" not in names
    assert source.numeric_assignments(PROGRAM) == [("H", 3, "3.5"), ("E", 4, "3.0e4")]
    assert source.node_coordinates(PROGRAM) == {1: (0.0, 0.0)}  # node 2 uses H, the loop computes its tags
    assert source.model_dims(PROGRAM) == (2, 3)
    assert source.model_dims("import openseespy.opensees as ops\nops.model('basic', '-ndm', n)\n") == (None, None)
    assert source.model_dims("x = 1\n") == (None, None)
    assert source.assigned_names("def (:\n") == set()


def test_compiles() -> None:
    """Guards the syntax-repair gate: a broken program is reported, a fixed one passes."""
    assert source.compiles(PROGRAM)
    assert not source.compiles("ops.node(1, 0.0\n")
