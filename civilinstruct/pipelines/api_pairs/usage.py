"""Is every model object of a snippet used? Nodes, elements, load patterns and recorders, from the snippet's AST.

A snippet that defines a node nothing connects, an element that is never analysed nor read, a pattern that holds no
load or is never analysed, or a recorder whose file nobody opens teaches dead code: OpenSees runs it silently.
Each finder returns `line N: <kind> <tag> is never used (<why>)`, which `semantic.reason` turns into the drop reason.
"""

from __future__ import annotations

import ast

Call = tuple[str, list[object] | None, int]
_ANALYSES = {"analyze", "eigen", "responseSpectrumAnalysis", "modalProperties"}
_ELEMENT_READS = {"eleForce", "eleResponse", "basicForce", "basicDeformation", "sectionForce", "sectionDeformation",
                  "eleDynamicalForce", "sensSectionForce", "localForce"}
_LOADS = {"load", "eleLoad", "sp", "imposedMotion"}
_CARRIES_MOTION = {"UniformExcitation", "MultipleSupport"}  # the pattern is its own load (a ground motion)


def _num(a: object) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool)


def _tag(args: list[object] | None, pos: int) -> int | None:
    return int(args[pos]) if args and len(args) > pos and _num(args[pos]) else None  # type: ignore[call-overload]


def _node_refs(name: str, args: list[object]) -> list[object]:
    """The node tags a connecting call refers to (generously: any number after an element's own tag)."""
    if name == "element":
        return args[2:]
    if name in {"fix", "sp", "mass"}:
        return args[:1] if name != "mass" else []
    if name in {"equalDOF", "equalDOF_Mixed"}:
        return args[:2]
    if name in {"rigidLink", "rigidDiaphragm"}:
        return args[1:]
    if name in {"imposedMotion"}:
        return args[:1]
    return []


def unused_nodes(calls: list[Call]) -> list[str]:
    """Nodes no element and no constraint (fix, sp, equalDOF, rigidLink, rigidDiaphragm) refers to."""
    found = []
    refs: set[float] = set()
    for name, args, _ in calls:
        if args is None:
            if name in {"element", "fix", "sp", "equalDOF", "equalDOF_Mixed", "rigidLink", "rigidDiaphragm"}:
                return []  # a connecting call whose arguments cannot be read: do not guess
            continue
        refs.update(float(a) for a in _node_refs(name, args) if _num(a))  # type: ignore[arg-type]
    for name, args, line in calls:
        tag = _tag(args, 0) if name == "node" else None
        if tag is not None and float(tag) not in refs:
            found.append(f"line {line}: node {tag} is never used (no element or constraint connects it)")
    return found


def unused_elements(calls: list[Call]) -> list[str]:
    """Elements that no analysis after them includes and whose result is never read."""
    found = []
    for i, (name, args, line) in enumerate(calls):
        tag = _tag(args, 1) if name == "element" else None
        if tag is None:
            continue
        later = calls[i + 1:]
        analysed = any(n in _ANALYSES for n, _, _ in later)
        read = any(n in _ELEMENT_READS and a and _num(a[0]) and a[0] == tag for n, a, _ in later)
        if not (analysed or read):
            found.append(f"line {line}: element {tag} is never used (not analysed, its result never read)")
    return found


def unused_patterns(calls: list[Call]) -> list[str]:
    """Plain patterns with no load before the next pattern, and patterns no analysis follows."""
    found = []
    for i, (name, args, line) in enumerate(calls):
        if name != "pattern" or not args:
            continue
        tag = _tag(args, 1)
        later = calls[i + 1:]
        upto = next((k for k, (n, _, _) in enumerate(later) if n == "pattern"), len(later))
        carries = args[0] in _CARRIES_MOTION
        if not carries and not any(n in _LOADS for n, _, _ in later[:upto]):
            found.append(f"line {line}: pattern {tag} is never used (it holds no load)")
        elif not any(n == "analyze" or n == "responseSpectrumAnalysis" for n, _, _ in later):
            found.append(f"line {line}: pattern {tag} is never used (no analysis applies it)")
    return found


def _opened(tree: ast.Module, values: dict[str, object]) -> set[str]:
    """File names the snippet opens or loads (open, numpy.loadtxt/genfromtxt, pandas.read_csv)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if called not in {"open", "loadtxt", "genfromtxt", "read_csv"}:
            continue
        first = node.args[0]
        value = values.get(first.id) if isinstance(first, ast.Name) else (
            first.value if isinstance(first, ast.Constant) else None)
        if isinstance(value, str):
            names.add(value)
    return names


def unread_recorders(calls: list[Call], tree: ast.Module, values: dict[str, object]) -> list[str]:
    """File recorders whose file the snippet never opens afterwards."""
    opened = _opened(tree, values)
    found = []
    for name, args, line in calls:
        if name != "recorder" or not args:
            continue
        for i, a in enumerate(args[:-1]):
            if a in {"-file", "-xml", "-binary", "-csv"} and isinstance(args[i + 1], str):
                if args[i + 1] not in opened:
                    found.append(f"line {line}: recorder {args[0]} is never used (its file "
                                 f"{args[i + 1]!r} is never read)")
                break
    return found


def unused_model_objects(calls: list[Call], tree: ast.Module, values: dict[str, object]) -> list[str]:
    return unused_nodes(calls) + unused_elements(calls) + unused_patterns(calls) + \
        unread_recorders(calls, tree, values)
