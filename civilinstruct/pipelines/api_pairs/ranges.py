"""Physical ranges of argument values: a table per parameter kind, plus the bounds the documentation states.

The kind table holds what engineering allows whatever the unit system (a damping ratio is 0-30 %, a strain
is below 20 %, an angle in radians below pi/2 for a plastic rotation, a tag is a positive integer, a flag is 0 or 1).
Dimensioned kinds (stresses, lengths) depend on the unit system, so only their sign is checked from the table; the
documentation's own bounds (`> 0`, `0 to 0.1`, `-1 to 1`) are checked where they are unit-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civilinstruct.pipelines.api_pairs.verify import target_calls
from civilinstruct.opensees_docs.model import DocPage, Param, Signature


@dataclass(frozen=True)
class Kind:
    """A parameter kind: its unit (words) and the closed range a value must lie in."""

    name: str
    unit: str
    lo: float
    hi: float


# first match on the parameter name wins
KINDS: list[tuple[re.Pattern[str], Kind]] = [(re.compile(p, re.I), k) for p, k in [
    (r"^(zeta|damping|dampratio|xi|ksi|factor_damp|dampingratio)$", Kind("damping ratio", "-", 0.0, 0.3)),
    (r"^(nu|nu0|nu_?xy|nu_?yz|nu_?zx|poisson\w*|v)$", Kind("Poisson's ratio", "-", 0.0, 0.5)),
    (r"^(eps\w*|e[cs]u|ecr|et|etu|ec0|epcc|strain\w*)$", Kind("strain", "-", -0.2, 0.2)),
    (r"^(theta\w*|rot\w*|phi\w*)$", Kind("angle", "rad", -1.6, 1.6)),
    (r"^(b|bp|bn|b_k|ratio|alpha[12]?)$", Kind("hardening ratio", "-", -0.5, 1.0)),
    (r"^(pinch[xy]|damage[12]|beta)$", Kind("shape factor", "-", 0.0, 1.0)),
    (r"^(\w*tag\d?|ele\d?|node\d?|[ijkl]node|[rc]node)$", Kind("tag", "-", 1, 10**9)),
    (r"^(\w*flag|doRayleigh|pflag|printflag)$", Kind("flag", "-", 0, 1)),
    (r"^(fy|fyp|fu|fsu|e0|es|e|ec|g|fpc|fc)$", Kind("stress", "stress", -1e12, 1e12)),
    (r"^(l|length|width|depth|h|d|t|thick\w*|cover)$", Kind("length", "length", 0.0, 1e9)),
    (r"^(tol\w*)$", Kind("tolerance", "-", 0.0, 0.1)),
    (r"^(dt|deltat|period|tn|tend)$", Kind("time", "s", 0.0, 1e4)),
]]


def kind_of(name: str) -> Kind | None:
    return next((k for rx, k in KINDS if rx.match(name)), None)


_NUM = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"
_REL = re.compile(rf"^\s*(>=|<=|>|<)\s*({_NUM})\b")
_SPAN = re.compile(rf"^\s*({_NUM})\s*to\s*({_NUM})\b")


def doc_bounds(range_text: str, unit: str) -> tuple[float, float, bool, bool] | None:
    """(lo, hi, lo_open, hi_open) from a documented range like '> 0', '0 to 0.1', '-1 to 1'; None if it gives none
    or its numbers carry a unit (a bound of 0 holds in every unit system)."""
    head = range_text.split(";")[0].split(",")[0]
    if re.search(r"times|per|of the", head):
        return None  # relative to something else (a stiffness, a length): no absolute bound
    m = _REL.match(head)
    if m:
        op, x = m.group(1), float(m.group(2))
        if x != 0 and unit not in {"-", ""}:
            return None
        if op.startswith(">"):
            return x, float("inf"), op == ">", False
        return float("-inf"), x, False, op == "<"
    m = _SPAN.match(head)
    if m and unit in {"-", "", "rad"}:
        return float(m.group(1)), float(m.group(2)), False, False
    return None


def paired(args: list[object], sig: Signature) -> list[tuple[Param, object]]:
    """Arguments matched to the parameters they fill, in order; flags re-synchronise, lists end the matching."""
    params = [p for p in sig.params]
    out: list[tuple[Param, object]] = []
    i = 0
    for a in args[1 if sig.type_name else 0:]:
        if isinstance(a, str) and a.startswith("-"):
            j = next((k for k, p in enumerate(params) if p.kind == "flag" and p.name == a), None)
            if j is None:
                return out
            i = j + 1
            continue
        while i < len(params) and params[i].kind == "flag":
            i += 1
        if i >= len(params) or params[i].kind == "varargs":
            return out
        out.append((params[i], a))
        i += 1
    return out


def _outside(x: float, lo: float, hi: float, lo_open: bool, hi_open: bool) -> bool:
    return x < lo or x > hi or (lo_open and x == lo) or (hi_open and x == hi)


def out_of_range(code: str, sig: Signature, doc: DocPage) -> list[str]:
    """Values of the snippet's target call that lie outside their kind's or their documented range."""
    calls = target_calls(code, sig)
    if not calls:
        return []
    found = []
    for p, value in paired(calls[-1], sig):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        arg = doc.arg(p.name)
        kind = kind_of(p.name)
        if kind is not None and kind.name in {"tag", "flag"} and arg is not None and arg.type.startswith("float"):
            kind = None  # a float named like a tag is not a tag
        if kind is not None and _outside(float(value), kind.lo, kind.hi, False, False):
            found.append(f"range: {p.name} = {value} is not a {kind.name} ({kind.lo:g} to {kind.hi:g} {kind.unit})")
            continue
        bounds = doc_bounds(arg.range, arg.unit) if arg is not None and arg.range else None
        if bounds and arg is not None and _outside(float(value), *bounds):
            found.append(f"range: {p.name} = {value} is outside the documented {arg.range!r}")
    return found
