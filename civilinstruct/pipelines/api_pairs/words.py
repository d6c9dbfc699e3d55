"""What an argument is, in this project's own words (the documentation's sentences are never copied into comments).

A glossary by parameter name (first match wins), written for an engineer reading the snippet: "yield strength",
"tag of the section the element integrates". A name the glossary does not know is described from its unit and the
kind of object it belongs to, never by echoing the documentation's text.
"""

from __future__ import annotations

import re

from civilinstruct.opensees_docs.model import ArgDoc

_GLOSSARY = [(re.compile(p, re.I), w) for p, w in [
    # tags and references
    (r"^(mattag|othertag|mat3dtag|threedtag|matsheartag)$", "material tag"),
    (r"^mattags$|^mats$", "material tags, one per direction or component"),
    (r"^(matconcretetags)$", "concrete material of each wall strip"),
    (r"^(matsteeltags)$", "steel material of each wall strip"),
    (r"^(eletag)$", "element tag"), (r"^(eletags)$", "element tags"),
    (r"^(nodetag)$", "node tag"), (r"^(nodetags|nodes)$", "node tags"),
    (r"^(elenodes)$", "the element's end (or corner) nodes"),
    (r"^(rnodetag)$", "retained (master) node"), (r"^(cnodetag)$", "constrained (slave) node"),
    (r"^(cnodetags)$", "constrained nodes that follow the retained one"),
    (r"^(sectag|sectiontag|seci|secj|sece)$", "section tag"), (r"^(transftag)$", "coordinate-transformation tag"),
    (r"^(integrationtag)$", "beam-integration rule tag"), (r"^(patterntag)$", "load-pattern tag"),
    (r"^(tstag|accelseriestag)$", "time-series tag"), (r"^(paramtag)$", "parameter tag"),
    (r"^(regtag)$", "region tag"), (r"^(tag)$", "tag of the object"),
    (r"^(sectags)$", "section at each integration point"),
    # geometry and section properties
    (r"^(a|area)$", "cross-section area"), (r"^(areafiber)$", "area of one fibre"),
    (r"^(iz)$", "bending inertia about the local z axis (in-plane)"),
    (r"^(iy)$", "bending inertia about the local y axis (out-of-plane)"),
    (r"^(jxx|gj)$", "torsional constant (GJ: torsional stiffness)"),
    (r"^(h|thick)$", "thickness"), (r"^(widths)$", "width of each strip"),
    (r"^(crds)$", "nodal coordinates"), (r"^(crds[ijkl])$", "corner coordinates (y, z) of the patch"),
    (r"^(center)$", "centre of the circular patch (y, z)"), (r"^(rad|radius)$", "radius"),
    (r"^(ang)$", "start and end angles of the arc"), (r"^(start|end)$", "end point (y, z) of the bar layer"),
    (r"^(yloc|zloc)$", "fibre position in the section (local y or z)"),
    (r"^(numsubdiv\w*|numfiber)$", "number of fibres along that direction"),
    (r"^(vecx|vecyp|vecxz)$", "orientation vector of the local axes"),
    (r"^(x|y|z)$", "coordinate of the support line"),
    # material properties
    (r"^(e|e_mod|e0|ec|ex|ey|ez)$", "elastic (Young's) modulus"), (r"^(eneg)$", "modulus in compression"),
    (r"^(g|g_mod|gxy|gyz|gzx)$", "shear modulus"), (r"^(k)$", "bulk modulus"),
    (r"^(nu|nu_xy|nu_yz|nu_zx)$", "Poisson's ratio"),
    (r"^(fy|sig0)$", "yield strength"), (r"^(siginf)$", "saturation (ultimate) yield stress"),
    (r"^(f_u)$", "ultimate strength"), (r"^(fpc|fc)$", "concrete compressive strength (negative)"),
    (r"^(fpcu)$", "concrete crushing strength (negative)"), (r"^(ft|fct)$", "tensile strength of concrete"),
    (r"^(epsc0|epsc|eps0)$", "strain at the compressive peak"), (r"^(epsu|epscu)$", "crushing strain"),
    (r"^(epsyp|epsyn)$", "yield strain (positive / negative side)"), (r"^(et)$", "strain at tensile peak"),
    (r"^(ets)$", "tension-softening slope"), (r"^(lambda_)$", "unloading-to-initial slope ratio"),
    (r"^(b|b_k|b_i|b_l)$", "strain-hardening ratio (post-yield / initial stiffness)"),
    (r"^(r0|r_0|r_1|r_2|r_i|r_u)$", "shape parameter of the elastic-plastic transition"),
    (r"^(a1|a2|a3|a4)$", "isotropic-hardening parameter"), (r"^(l_yp)$", "yield-plateau length (strain)"),
    (r"^(rho|dens|rho_i)$", "mass density"), (r"^(eta)$", "viscosity or damping tangent"),
    (r"^(h)$", "hardening modulus"), (r"^(delta)$", "exponential hardening rate"),
    (r"^(gap)$", "initial gap before the material engages"), (r"^(damage|damage1|damage2)$", "damage factor"),
    (r"^(pinchx|pinchy)$", "pinching factor"), (r"^(p[123])$", "positive backbone point (stress, strain)"),
    (r"^(n[123])$", "negative backbone point (stress, strain)"), (r"^(sigInit)$", "initial stress"),
    (r"^(minstrain|maxstrain)$", "strain beyond which the material is taken as failed"),
    (r"^(strain|stress)$", "points of the stress-strain curve"), (r"^(params)$", "transition-shape constants"),
    (r"^(c)$", "damping coefficient"), (r"^(alpha)$", "exponent or mixing factor"),
    # loads, masses, boundary conditions
    (r"^(mass|massvalues)$", "lumped mass per DOF"), (r"^(loadvalues)$", "nodal load per DOF"),
    (r"^(constrvalues)$", "restraint flags per DOF (1 held, 0 free)"), (r"^(dofvalue|newvalue|values)$", "value"),
    (r"^(wy|wx)$", "distributed load per unit length (local axis)"), (r"^(factor|fact|scale)$", "scale factor"),
    (r"^(dof|dir|direction|dirs|dofs|perpdirn)$", "degree of freedom or direction number"),
    (r"^(ndm|ndf|dim)$", "model dimension or DOFs per node"),
    # analysis
    (r"^(tol)$", "convergence tolerance"), (r"^(iter|maxiter|numiter)$", "iteration limit"),
    (r"^(pflag)$", "print level of the convergence test"), (r"^(ntype)$", "norm type (2: Euclidean)"),
    (r"^(incr|dt|numincr)$", "step size or number of steps"), (r"^(gamma|beta)$", "Newmark-family coefficient"),
    (r"^(alpham|alphas)$", "penalty or mass-proportional factor"),
    (r"^(betak|betakinit|betakcomm)$", "stiffness-proportional damping coefficient"),
    (r"^(mode|numeigenvalues|eigenvector)$", "mode number or count"),
    (r"^(tstart|tend|period|shift|pseudotime)$", "time value of the series"),
    (r"^(filename|reportfilename)$", "output file name"), (r"^(resptype|args)$", "response to record"),
    (r"^(mean|stdv)$", "moment of the random variable"), (r"^(dist)$", "probability distribution"),
    (r"^(objtype|paramname|quantity|type|solver|secant|initial|iterate|increment)$", "option chosen by name"),
]]

_UNIT_WORDS = {"stress": "a stress", "length": "a length", "force": "a force", "mass": "a mass", "-": "a number",
               "time": "a time", "stiffness": "a stiffness", "area": "an area"}


def what(name: str, doc: ArgDoc | None) -> str:
    """A short noun phrase for the argument, in the project's words."""
    found = next((w for rx, w in _GLOSSARY if rx.match(name)), None)
    if found:
        return found
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", name).lower().strip()
    unit = (doc.unit if doc is not None else "") or ""
    return f"{words} ({_UNIT_WORDS.get(unit, unit or 'a value')})"


def argument_comments(code: str) -> list[tuple[str, str]]:
    """(argument name, comment) of the target call's arguments in a generated snippet, whatever its comment style:
    `name = value  # comment`, `# name: comment` above the line, or `value,  # name: comment` inside the call."""
    lines = code.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("# --- ") and "context" not in line), None)
    if start is None:
        return []
    out = []
    for line in lines[start + 1:]:
        if line.startswith("def ") or not line.strip():
            break
        if "# the documented call" in line or "option switch" in line or "object type" in line:
            continue
        above = re.match(r"# (\w+): (.*)$", line)
        inline = re.match(r"\s+\*?.+?,  # (\w+): (.*)$", line)
        assigned = re.match(r"(\w+) = .+?  # (.*)$", line)
        match = above or inline or assigned
        if match:
            out.append((re.sub(r"_\d+$|_$", "", match.group(1)), match.group(2)))
    return out


def has_reason(comment: str) -> bool:
    """A comment says why its value was chosen: a 'what; why' pair, or a value-specific explanation with ':'."""
    return bool(re.search(r"\S; \S|\S: \S", comment))
