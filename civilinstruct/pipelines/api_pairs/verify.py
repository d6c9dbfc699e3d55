"""Check that a snippet calls its target command the way the parsed signature allows.

The sandbox proves the snippet runs; this proves it runs *the documented call*: the right function and
object type, an argument count within the signature's bounds, and only documented flags. Arguments are
counted from the AST, with `*name` spread to the length of the literal list bound to `name`.
"""

from __future__ import annotations

import ast
import re

from dataclasses import dataclass

from civilinstruct.opensees_docs.model import DocPage, Param, Signature


@dataclass
class Group:
    """A run of parameters that are given together: the required head, optional trailing values, or a
    flag with its values (`'-mass', mass`)."""

    params: list[Param]
    optional: bool
    flag: str | None = None


def _documented_optional(p: Param, doc: DocPage) -> bool:
    arg = doc.arg(p.name)
    return p.optional or p.default is not None or bool(arg and arg.optional)


def groups(sig: Signature, doc: DocPage) -> list[Group]:
    """Split a signature into groups. A flag group is required only when every value in it has an
    argument-table row that does not say optional (`'-mat', *matTags` of zeroLength); otherwise a switch."""
    out: list[Group] = []
    for p in sig.params:
        if p.kind == "flag":
            out.append(Group([p], optional=True, flag=p.name))
        elif out and out[-1].flag:
            out[-1].params.append(p)
        else:
            optional = _documented_optional(p, doc)
            if out and out[-1].optional == optional:
                out[-1].params.append(p)
            else:
                out.append(Group([p], optional=optional))
    for g in out:
        if g.flag:
            values = g.params[1:]
            g.optional = (g.params[0].optional or not values
                          or any(_documented_optional(v, doc) or doc.arg(v.name) is None for v in values))
    return out


def required_args(sig: Signature, doc: DocPage) -> int:
    """How many arguments a call needs at least: the type literal and the required positional values
    (lists count 1). Required flag groups are often alternatives ('-file' or '-xml'), so they are not counted."""
    return (1 if sig.type_name else 0) + sum(len(g.params) for g in groups(sig, doc) if not g.optional and not g.flag)


def bindings(tree: ast.Module) -> dict[str, object]:
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError):
                continue
    return values


def expand(args: list[ast.expr], values: dict[str, object]) -> list[object] | None:
    """The call's positional arguments as Python values where known (None where not), or None if unknowable."""
    out: list[object] = []
    for arg in args:
        if isinstance(arg, ast.Starred):
            inner = arg.value
            if isinstance(inner, (ast.List, ast.Tuple)):
                out.extend(_value(e, values) for e in inner.elts)
            elif isinstance(inner, ast.Name) and isinstance(values.get(inner.id), (list, tuple)):
                out.extend(values[inner.id])  # type: ignore[arg-type]
            else:
                return None
        else:
            out.append(_value(arg, values))
    return out


def _value(node: ast.expr, values: dict[str, object]) -> object:
    if isinstance(node, ast.Name):
        return values.get(node.id)
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def target_calls(code: str, sig: Signature) -> list[list[object]]:
    """Every call of the signature's function (with its type literal, if any), arguments expanded."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    values = bindings(tree)
    calls: list[list[object]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == sig.function):
            continue
        args = expand(list(node.args), values)
        if args is None:
            continue
        if sig.type_name and (not args or args[0] != sig.type_name):
            continue
        calls.append(args)
    return calls


def check_call(code: str, sig: Signature, doc: DocPage | None = None) -> str | None:
    """None if the snippet's last target call matches `sig`; otherwise the reason it does not."""
    calls = target_calls(code, sig)
    if not calls:
        return f"signature: no call of {sig.command}"
    args = calls[-1]
    flags = sig.flags
    used_flags = {a for a in args[1 if sig.type_name else 0:] if isinstance(a, str) and a.startswith("-")
                  and not _is_number(a)}
    choices = {c for a in (doc.args if doc is not None else []) if a.type.startswith("str")
               for c in re.findall(r"'(-[A-Za-z]\w*)'", a.range + " " + a.description)}
    unknown = used_flags - flags - choices  # a string argument whose documented values start with '-' (eigen solver)
    if unknown:
        return f"signature: undocumented flag(s) {sorted(unknown)}"
    needed = required_args(sig, doc) if doc is not None else sig.min_args
    if len(args) < needed:
        return f"signature: {len(args)} args, fewer than the {needed} required"
    if sig.max_args is not None and len(args) > sig.max_args:
        return f"signature: {len(args)} args, more than the {sig.max_args} documented"
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
