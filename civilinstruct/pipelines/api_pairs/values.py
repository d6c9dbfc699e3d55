"""Argument values for a documented parameter, chosen from its name, type text and description.

The rules are engineering defaults in the scenario's units (a yield strength is ~400 MPa in N-mm, ~60 ksi
in kip-in); whatever they get wrong, the sandbox run catches and the pair is dropped with its reason.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from civilinstruct.pipelines.api_pairs.scenarios import Units
from civilinstruct.pipelines.api_pairs.words import what
from civilinstruct.opensees_docs.model import ArgDoc


@dataclass
class Value:
    """A Python expression for an argument, and the comment that explains it."""

    expr: str
    comment: str
    count: int = 1  # how many positional arguments it stands for (lists spread with *)


def _num(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e6:
        return f"{x:.1f}"
    return f"{x:.4g}"


def _jitter(rng: random.Random, x: float, spread: float = 0.25) -> float:
    """A nearby 'round' value, so variants differ without looking random."""
    y = x * (1 + rng.uniform(-spread, spread))
    if y == 0:
        return 0.0
    digits = 2 - int(f"{abs(y):e}".split("e")[1])
    return round(y, max(digits, -6))


# (regex on the name, function(units, rng) -> number, unit kind) ; first match wins.
_RULES: list[tuple[str, object, str]] = [
    (r"^(fpc|fc|fpcc|fc0|fcc|fpc1|fm|fc'?)$", lambda u, r: -_jitter(r, u.fc), "stress"),
    (r"^(fpcu|fcu)$", lambda u, r: -_jitter(r, 0.2 * u.fc), "stress"),
    (r"^(epsc0|epsc|ec0|epcc|epsc0_\w*)$", lambda u, r: -0.002, ""),
    (r"^(epsu|epscu|epscu_val|ecu|epsU)$", lambda u, r: -0.0035, ""),
    (r"^(ft|fct|fcr|sigt0|fpt)$", lambda u, r: _jitter(r, 0.1 * u.fc), "stress"),
    (r"^(et|epst|ecr|epst0|etu|epstu)$", lambda u, r: 0.0002, ""),
    (r"^(fy|fyp|fyn|fyh|fyl|fys|fyf|sigmay|sigy|sig0|fy_?\w*)$", lambda u, r: _jitter(r, u.fy, 0.12), "stress"),
    (r"^(fu|fsu|fus|fuf|fut|sigu)$", lambda u, r: _jitter(r, 1.35 * u.fy, 0.1), "stress"),
    (r"^(e|e0|es|es0|e_mod|youngs|ey|ex|ez|e1|ej|efrp)$", lambda u, r: _jitter(r, u.E_steel, 0.05), "stress"),
    (r"^(ec|emo|ecm|e2)$", lambda u, r: _jitter(r, u.E_conc, 0.1), "stress"),
    (r"^(g|g_mod|gxy|gyz|gzx|gr|g0)$", lambda u, r: _jitter(r, 0.4 * u.E_conc, 0.1), "stress"),
    (r"^(k|bulkmod|kbulk|refbulkmodul)$", lambda u, r: _jitter(r, 0.6 * u.E_conc, 0.1), "stress"),
    (r"^(refshearmodul)$", lambda u, r: _jitter(r, 0.3 * u.E_conc, 0.1), "stress"),
    (r"^(nu|nu0|nu_xy|nu_yz|nu_zx|xnu1|poisson)$", lambda u, r: r.choice([0.2, 0.25, 0.3]), ""),
    (r"^(b|bp|bn|b_k|eta|alpha1|alpha2|ratio)$", lambda u, r: r.choice([0.01, 0.015, 0.02, 0.005]), ""),
    (r"^(r0|ro|r)$", lambda u, r: r.choice([15.0, 18.0, 20.0]), ""),
    (r"^(cr1)$", lambda u, r: 0.925, ""),
    (r"^(cr2)$", lambda u, r: 0.15, ""),
    (r"^(a1|a3)$", lambda u, r: 0.0, ""),
    (r"^(a2|a4)$", lambda u, r: 1.0, ""),
    (r"^(a|area|ab|as|af|areafiber|atop|abot|aside)$", lambda u, r: _jitter(r, u.area), "area"),
    (r"^(iz|iy|i|ife|ifi)$", lambda u, r: _jitter(r, u.inertia), "inertia"),
    (r"^(jxx|j|gj)$", lambda u, r: _jitter(r, 2 * u.inertia), "inertia"),
    (r"^(d|depth|height|h|width|l|l0|lp\w*|d1|d2|do|b_w|hb|w_tot|w_1)$",
     lambda u, r: _jitter(r, 0.15 * u.length_member), "length"),
    (r"^(t|thick|ts|tr|tp|tf|tw|cover_depth|cover|thickness)$", lambda u, r: _jitter(r, 0.02 * u.length_member),
     "length"),
    (r"^(rho|massdens|massden|den|dens|mden|massdensity|fden|fmass)$", lambda u, r: _jitter(r, u.density), "density"),
    (r"^(m|mass|weight)$", lambda u, r: _jitter(r, u.mass), "mass"),
    (r"^(tol|errortol|reltol|tolincr|tolr|gtol|ftol)$", lambda u, r: r.choice([1e-6, 1e-8, 1e-10]), ""),
    (r"^(wy|wz|wx)$", lambda u, r: -_jitter(r, u.load / u.length_member), "line"),
    (r"^(abstol)$", lambda u, r: 1e-10, ""),
    (r"^(betak|betakinit|betakcomm)$", lambda u, r: r.choice([0.002, 0.003]), "s"),  # 5 % near T = 0.3-0.5 s
    (r"^(sig_?inf)$", lambda u, r: _jitter(r, 1.25 * u.fy, 0.1), "stress"),
    (r"^(lambda_?)$", lambda u, r: 0.1, ""),  # concrete unloading slope ratio: 0.1 is the usual choice
    (r"^(ets)$", lambda u, r: _jitter(r, 0.05 * u.E_conc, 0.1), "stress"),  # tension softening ~ ft / 0.002
    (r"^(iter|maxiter|numiter|niter|maxnumiter|count|maxdim|maxhalf|nsubsteps)$",
     lambda u, r: float(r.choice([10, 25, 50])), "int"),
    (r"^(pflag|printflag)$", lambda u, r: 0.0, "int"),
    (r"^(ntype)$", lambda u, r: 2.0, "int"),
    (r"^(dof|dir|dirn|direction|dim|perpdirn|dof\d?|dofs)$", lambda u, r: 1.0, "int"),
    (r"^(n|np|nfiber|numfiber|nfw|nff|nfcore|nfcover|nfs|nlayers|numintgrpts|nspring|nt|nm|nd|n\w*)$",
     lambda u, r: float(r.choice([2, 3, 4, 5])), "int"),
    (r"^(mu|mu\w*|musl\w*|friction\w*)$", lambda u, r: r.choice([0.05, 0.08, 0.1]), ""),
    (r"^(gamma)$", lambda u, r: 0.5, ""),
    (r"^(beta)$", lambda u, r: 0.25, ""),
    (r"^(alpha|alpham|alphaf|alphas)$", lambda u, r: r.choice([0.3, 0.5, 0.8]), ""),
    (r"^(factor|fact|scale|multiplier|cfactor)$", lambda u, r: r.choice([1.0, 0.5, 9.81, 2.0]), ""),
    (r"^(kinit|k0|ko|k1|kn|kt|k_el|kel|kelas|kvt|k|kc|kv|ke|kinitial)$", lambda u, r: _jitter(r, 0.05 * u.E_steel),
     "stiffness"),
    (r"^(k2|k2o|kvo|kh)$", lambda u, r: _jitter(r, 0.005 * u.E_steel), "stiffness"),
    (r"^(cd|cd\w*)$", lambda u, r: r.choice([0.1, 0.3, 1.0]), ""),
    (r"^(c)$", lambda u, r: r.choice([0.0, 0.1]), ""),
    (r"^(incr|dlambda1|dt|deltat|dtf|ds)$", lambda u, r: r.choice([0.1, 0.05, 0.01]), ""),
    (r"^(period|tn)$", lambda u, r: r.choice([0.5, 1.0]), "s"),
    (r"^(tstart)$", lambda u, r: 0.0, "s"),
    (r"^(tend)$", lambda u, r: r.choice([5.0, 10.0]), "s"),
    (r"^(value|dofvalue|newvalue)$", lambda u, r: r.choice([0.0, 0.001, 0.002]), ""),
    (r"^(gap|initgap|lgap)$", lambda u, r: r.choice([0.001, 0.002]), "length"),
    (r"^(zeta|damping|factor_damp)$", lambda u, r: 0.05, ""),
    (r"^(time|pseudotime)$", lambda u, r: 0.0, "s"),
]
_COMPILED = [(re.compile(pattern, re.I), fn, kind) for pattern, fn, kind in _RULES]
# Why a rule's value is what it is, in engineering terms (first match wins; kept short for a line comment).
_WHY = [(re.compile(p, re.I), why) for p, why in [
    (r"^(fpc|fc|fpcc|fc0|fcc|fpc1|fc'?)$", "normal-strength (C30-class) concrete; compression is negative"),
    (r"^(fpcu|fcu)$", "about 20 % of the peak strength left after crushing"),
    (r"^(epsc0|epsc|ec0|epcc)$", "unconfined concrete peaks near 0.2 % strain"),
    (r"^(epsu|epscu|ecu)$", "0.35 %: the usual crushing strain of unconfined concrete"),
    (r"^(ft|fct|fcr)$", "tensile strength about a tenth of the compressive"),
    (r"^(fy|fyp|fyn|sigmay|sigy|sig0)$", "a common structural or reinforcing steel grade"),
    (r"^(fu|fsu)$", "ultimate about 1.35 x yield, typical of ductile steel"),
    (r"^(e|e0|es|es0|ey|ex|ez|e1)$", "the elastic modulus of steel"),
    (r"^(ec|e2)$", "the elastic modulus of normal-weight concrete"),
    (r"^(nu|nu0|poisson)$", "Poisson's ratio of concrete (0.2) to steel (0.3)"),
    (r"^(b|bp|bn|b_k)$", "0.5-2 % strain hardening, usual for steel"),
    (r"^(r0|ro|r)$", "Menegotto-Pinto shape: 15-20 gives a smooth Bauschinger transition"),
    (r"^(a|area)$", "a column of roughly 400 x 400 mm"),
    (r"^(iz|iy|i)$", "the same column's second moment of area"),
    (r"^(tol|errortol|reltol|tolincr)$", "tight enough for displacements, loose enough to converge"),
    (r"^(iter|maxiter|numiter|niter|maxnumiter)$", "enough iterations for a mildly nonlinear step"),
    (r"^(zeta|damping)$", "5 % damping, the design-code default"),
    (r"^(dof|dir|dirn|direction)$", "1: the horizontal direction, the one the load acts along"),
    (r"^(ntype)$", "2: the Euclidean norm, the usual choice"),
    (r"^(pflag|printflag)$", "0: quiet, nothing printed per iteration"),
    (r"^(n|np|nfiber|numfiber|numintgrpts|n\w*)$", "a few: enough for a smooth result at little cost"),
    (r"^(wy|wz|wx)$", "the reference load spread over one span, downward"),
    (r"^(factor|fact|scale|multiplier|cfactor)$", "scales the series to the size this task needs"),
    (r"^(incr|dlambda1|dt|deltat|dtf|ds)$", "a small step: the response stays accurate and converges"),
    (r"^(tol\w*)$", "tight enough for displacements, loose enough to converge"),
    (r"^(alpha|alpham|alphaf|alphas)$", "a moderate value inside the usual range"),
    (r"^(k\w*)$", "a stiffness of the order of the member's"),
    (r"^(value|dofvalue|newvalue)$", "a small prescribed value: the response stays elastic"),
    (r"^(period|tn)$", "near the fundamental period of a low-rise frame"),
    (r"^(tstart|time|pseudotime)$", "starts with the analysis"), (r"^(tend)$", "long enough to cover the run"),
    (r"^(c|cd\w*)$", "light damping"), (r"^(gap|initgap|lgap)$", "a small gap, closed early in the test"),
    (r"^(t|thick|ts|tr|tp|tf|tw|cover\w*|thickness)$", "a plate or wall of usual thickness"),
    (r"^(d|depth|height|h|width|l|l0|lp\w*)$", "a member dimension of a typical building"),
    (r"^(gamma)$", "Newmark gamma = 1/2: no numerical damping"),
    (r"^(beta)$", "Newmark beta = 1/4: average acceleration, unconditionally stable"),
    (r"^(mu|mu\w*)$", "a PTFE slider's friction coefficient"),
    (r"^(m|mass)$", "a floor mass of about 40 t"),
    (r"^(rho|massdens|massden|den|dens)$", "density of reinforced concrete"),
]]


def why_for(name: str) -> str:
    return next((why for rx, why in _WHY if rx.match(name)), "")
_UNIT = {"stress": "stress", "area": "length^2", "inertia": "length^4", "length": "length", "density": "density",
         "mass": "mass", "stiffness": "force/length", "s": "s"}


def unit_label(kind: str, units: Units) -> str:
    if kind == "stress":
        return units.stress
    if kind in {"area", "inertia"}:
        return f"{units.length}^{2 if kind == 'area' else 4}"
    if kind == "length":
        return units.length
    if kind == "line":
        return f"{units.force}/{units.length}"
    if kind == "stiffness":
        return f"{units.force}/{units.length}"
    if kind == "mass":
        return f"{units.force}*s^2/{units.length}"
    if kind == "density":
        return f"mass/{units.length}^3"
    return "s" if kind == "s" else ""


def is_int_type(doc: ArgDoc | None) -> bool:
    return bool(doc and re.match(r"^(int|integer)\b", doc.type.strip(), re.I))


def is_str_type(doc: ArgDoc | None) -> bool:
    return bool(doc and re.match(r"^str", doc.type.strip(), re.I))


def describe(name: str, doc: ArgDoc | None, why: str = "") -> str:
    """The comment for an argument: what it is (the project's words, see `words`) and, given, why this value."""
    text = what(name, doc)
    return f"{text}; {why}" if why else text


_TYPICAL = re.compile(r"(?:typically|e\.g\.|usually|about|default)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)", re.I)


def fit(name: str, x: float, doc: ArgDoc | None) -> tuple[float, str]:
    """`x` moved into the parameter's physical range (its kind's, then the documented one), with why."""
    from civilinstruct.pipelines.api_pairs.ranges import doc_bounds, kind_of

    typical = _TYPICAL.search(doc.range) if doc is not None and doc.range else None
    kind = kind_of(name)
    if kind is not None and kind.name not in {"tag", "flag", "stress", "length"} and not kind.lo <= x <= kind.hi:
        x = float(typical.group(1)) if typical else (0.002 if kind.name == "strain" else (kind.lo + kind.hi) / 2)
        if kind.name == "strain" and re.search(r"n$|neg|min|c0|cu", name, re.I) and x > 0:
            x = -x
        return x, f"a typical {kind.name}"
    bounds = doc_bounds(doc.range, doc.unit) if doc is not None and doc.range else None
    if bounds is None or doc is None:
        return x, ""
    lo, hi, lo_open, hi_open = bounds
    if lo < x < hi or (x == lo and not lo_open) or (x == hi and not hi_open):
        return x, "within the documented range " + doc.range.split(";")[0].split(",")[0].strip()
    if typical and lo <= float(typical.group(1)) <= hi:
        return float(typical.group(1)), "the typical value the documentation gives"
    step = abs(x) or 0.1
    if hi == float("inf"):
        return max(lo + step, abs(x)) if lo_open else max(lo, abs(x)), "kept above the documented lower bound"
    if lo == float("-inf"):
        return min(hi - step, -abs(x)) if hi_open else min(hi, -abs(x)), "kept below the documented upper bound"
    return lo + 0.25 * (hi - lo), "a quarter of the way into the documented range"


def number_for(name: str, doc: ArgDoc | None, units: Units, rng: random.Random, default: str | None = None) -> Value:
    """A number for a scalar argument, in the parameter's physical range, with a comment saying what it is, in
    which unit, and why this value."""
    comment = describe(name, doc)
    if name == "e0":  # strain at peak stress (the capital E0 is a modulus)
        return Value("-0.002", comment + "; strain at peak compressive stress of normal concrete")
    label = ""
    integer = is_int_type(doc)
    for pattern, fn, kind in _COMPILED:
        if pattern.match(name):
            x = float(fn(units, rng))  # type: ignore[operator]
            integer = integer or kind == "int"
            label = unit_label(kind, units)
            why = why_for(name) or "typical magnitude in these units"
            break
    else:
        if default is not None and re.fullmatch(r"-?[\d.]+(e-?\d+)?", default):
            x, why = float(default), "documented default"
        else:
            x = float(rng.choice([1, 2]) if integer else rng.choice([0.5, 1.0, 1.5, 2.0]))
            why = "an order-one value: no engineering rule is known for this parameter"
    x, reason = fit(name, x, doc)
    why = why_for(name) if reason.startswith("within") and why_for(name) else (reason or why)
    expr = str(int(round(x))) if integer else _num(x)
    text = f"{comment} [{label}]" if label else comment
    return Value(expr, f"{text}; {why}" if why else text)
