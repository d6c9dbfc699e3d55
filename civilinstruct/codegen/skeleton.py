"""The skeleton of a program: what it calls, in what order, and its kinds of blocks (issue 16's diversity measure).

Two programs share a skeleton when they first call the same names in the same order and use the same kinds of
blocks (function, class, loop, ...). Numbers, variable names, comments and tag numbering do not count, so the
measure sees how a program is built, not how it is dressed.
"""

from __future__ import annotations

import ast
import hashlib

BLOCKS = (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.With, ast.Try, ast.ListComp,
          ast.DictComp, ast.GeneratorExp, ast.Lambda)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def skeleton(code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(called names in order of first use, sorted kinds of blocks) of a program; raises SyntaxError if it does
    not parse."""
    order: list[str] = []
    seen: set[str] = set()
    kinds: set[str] = set()
    for node in _in_source_order(ast.parse(code)):
        if isinstance(node, ast.Call) and (name := _called_name(node)) is not None and name not in seen:
            seen.add(name)
            order.append(name)
        if isinstance(node, BLOCKS):
            kinds.add(type(node).__name__)
    return tuple(order), tuple(sorted(kinds))


def _in_source_order(tree: ast.AST) -> list[ast.AST]:
    nodes = [n for n in ast.walk(tree) if hasattr(n, "lineno")]
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))


def skeleton_id(code: str) -> str:
    """A short stable hash of `skeleton(code)`."""
    names, kinds = skeleton(code)
    return hashlib.sha1(("|".join(names) + "#" + ",".join(kinds)).encode()).hexdigest()[:12]
