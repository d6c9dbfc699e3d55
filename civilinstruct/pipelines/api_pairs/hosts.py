"""Host models: the small structures an analysis option or a result query is shown in, chosen per variant.

A solver option (system, numberer, test, algorithm, constraints, integrator) or a query (nodeDisp, eleForce, ...)
needs a model that is analysed. Instead of one cantilever for all of them, each variant draws one of four tasks:
a cantilever under a tip load, a portal frame under a distributed beam load and a wind load, a column pushover
step (gravity held constant, then displacement-controlled sway), or a cantilever shaken by a ground motion.
Each host says where the target's slot is, so the target call lands where it belongs.
"""

from __future__ import annotations

import hashlib

from civilinstruct.pipelines.api_pairs.contexts import Context, cantilever, model_lines
from civilinstruct.pipelines.api_pairs.scenarios import Units

Lines = list[tuple[str, str]]
SHAPES = ("cantilever", "portal", "pushover", "shake")


def pick(key: str, variant: int, options: tuple[str, ...] | int, salt: str = "") -> int:
    """Index into `options` for (command, variant): consecutive variants walk the options, and commands of one
    family start at different places, so the family's pairs spread over every option."""
    n = options if isinstance(options, int) else len(options)
    start = int(hashlib.sha256(f"{salt}|{key}".encode()).hexdigest()[:8], 16)
    return (start + variant) % max(1, n)


def shapes_for(skip: str | None, transient: bool, explicit: bool) -> tuple[str, ...]:
    """The hosts a target fits: an integrator or analysis type only where its static/transient kind matches."""
    if explicit:
        return ("cantilever",)
    if transient:
        return ("cantilever", "shake")
    if skip in {"integrator", "analysis"}:
        return ("cantilever", "portal")
    if skip == "constraints":  # a penalty or Lagrange tie of the pushed column drifts off the control DOF
        return ("cantilever", "portal", "shake")
    return SHAPES


STATIC_ONLY = {"load", "sp", "eleLoad", "analyze", "getLoadFactor", "loadConst"}  # a Plain pattern or load steps
CANTILEVER_ONLY = {"sectionForce", "sectionDeformation", "analyze"}  # the column's own sections or step count


def _g(u: Units) -> float:
    return {"m": 9.81, "mm": 9810.0, "in": 386.1}[u.length]


def _slots(skip: str | None, integrator: str) -> Lines:
    lines = [("constraints", "ops.constraints('Transformation')", "fixed DOFs eliminated from the system"),
             ("numberer", "ops.numberer('RCM')", "reverse Cuthill-McKee keeps the band narrow"),
             ("system", "ops.system('BandGeneral')", "banded solver: the model has a handful of DOFs"),
             ("test", "ops.test('NormDispIncr', 1e-08, 25)", "converged once the displacement increment is tiny"),
             ("algorithm", "ops.algorithm('Newton')", "Newton iterations with the current tangent"),
             ("integrator", integrator, "how the load or time advances each step")]
    return [(code, why) for slot, code, why in lines if slot != skip]


def _column(ctx: Context, u: Units, mass: bool = True) -> None:
    h = u.length_member
    ctx.add("ops.node(1, 0.0, 0.0)", "column base")
    ctx.add(f"ops.node(2, 0.0, {h:g})", f"column top, {h:g} {u.length} up")
    ctx.add("ops.fix(1, 1, 1, 1)", "fixed base")
    if mass:
        ctx.add(f"ops.mass(2, {u.mass:g}, {u.mass:g}, {u.mass * (0.05 * h) ** 2:.3g})",
                "lumped top mass, with a small rotary inertia so every free DOF has mass")
    ctx.add("ops.geomTransf('Linear', 1)", "small-displacement transformation")
    ctx.add(f"ops.element('elasticBeamColumn', 1, 1, 2, {u.area:g}, {u.E_conc:g}, {u.inertia:g}, 1)",
            "elastic concrete column (A, E, I)")
    ctx.pools.update({"node": [2, 1], "element": [1], "transf": [1]})


def portal(ctx: Context, u: Units, analysed: bool, skip: str | None) -> None:
    """A one-bay portal frame: floor load on the beam (eleLoad) and a wind load at the left knee."""
    model_lines(ctx, 2, 3, u)
    h, span = u.length_member, 1.5 * u.length_member
    for tag, x, y, why in [(1, 0.0, 0.0, "left base"), (2, 0.0, h, "left knee"), (3, span, h, "right knee"),
                           (4, span, 0.0, "right base")]:
        ctx.add(f"ops.node({tag}, {x:g}, {y:g})", why)
    ctx.add("ops.fix(1, 1, 1, 1)", "fixed bases")
    ctx.add("ops.fix(4, 1, 1, 1)", "")
    ctx.add("ops.geomTransf('Linear', 1)", "small-displacement transformation for all members")
    for tag, i, j, why in [(1, 1, 2, "left column"), (2, 2, 3, "beam"), (3, 4, 3, "right column")]:
        ctx.add(f"ops.element('elasticBeamColumn', {tag}, {i}, {j}, {u.area:g}, {u.E_conc:g}, {u.inertia:g}, 1)", why)
    w = u.load / span
    ctx.add("ops.timeSeries('Linear', 1)", "loads grow with the load factor")
    ctx.add("ops.pattern('Plain', 1, 1)", "floor and wind load together")
    ctx.add(f"ops.eleLoad('-ele', 2, '-type', '-beamUniform', {-w:.4g})",
            f"floor load on the beam, downward [{u.force}/{u.length}]")
    ctx.add(f"ops.load(2, {0.1 * u.load:g}, 0.0, 0.0)", "wind: a tenth of the floor load, at the left knee")
    ctx.pools.update({"node": [2, 3, 1, 4], "element": [2, 1, 3], "pattern": [1], "series": [1], "transf": [1]})
    run = [("ops.analysis('Static')", "static analysis"),
           ("assert ops.analyze(5) == 0, 'portal analysis failed'", "the load in five steps")]
    read = [[("print('sway:', ops.nodeDisp(2, 1), 'beam end moment:', ops.eleForce(2)[2])",
              "the sway and the beam's end moment under floor plus wind load")],
            [("ops.reactions()", "support reactions of the frame"),
             ("print('base shear:', -(ops.nodeReaction(1, 1) + ops.nodeReaction(4, 1)), 'wind:', "
              f"{0.1 * u.load:g})", "equilibrium: the two bases carry the wind load")],
            [("print('beam end forces (local N, V, M):', ops.eleResponse(2, 'localForce')[:3])",
              "what a beam design check reads")]][ctx.variant % 3]
    for code, why in _slots(skip, "ops.integrator('LoadControl', 0.2)"):
        ctx.add(code, why)
    if analysed:
        for code, why in run:
            ctx.add(code, why)
    else:
        ctx.after += [r for r in run if not (skip == "analysis" and r[0].startswith("ops.analysis("))] + read


def pushover(ctx: Context, u: Units, analysed: bool, skip: str | None) -> None:
    """Gravity first (held with loadConst), then the column top pushed sideways to 1 % drift."""
    model_lines(ctx, 2, 3, u)
    _column(ctx, u, mass=False)
    ctx.add("ops.timeSeries('Linear', 1)", "gravity grows with the load factor")
    ctx.add("ops.pattern('Plain', 1, 1)", "gravity pattern")
    ctx.add(f"ops.load(2, 0.0, {-u.load:g}, 0.0)", "axial load from the floors above")
    ctx.pools.update({"pattern": [1], "series": [1]})
    for code, why in _slots(skip, "ops.integrator('LoadControl', 0.1)"):
        ctx.add(code, why)
    target = 0.01 * u.length_member
    run = [("ops.analysis('Static')", "static analysis"),
           ("assert ops.analyze(10) == 0, 'gravity did not converge'", "gravity in ten steps"),
           ("ops.loadConst('-time', 0.0)", "hold gravity; the push starts from time zero"),
           ("ops.timeSeries('Linear', 2)", "reference lateral load grows with the load factor"),
           ("ops.pattern('Plain', 2, 2)", "lateral pattern"),
           ("ops.load(2, 1.0, 0.0, 0.0)", "unit reference force: the load factor is the base shear"),
           (f"ops.integrator('DisplacementControl', 2, 1, {target / 10:.4g})", "push the top sideways in equal steps"),
           ("curve = []", "(drift, base shear) points of the pushover curve"),
           ("while ops.nodeDisp(2, 1) < " + f"{target * 0.999:.4g}:", f"until 1 % drift ({target:g} {u.length})"),
           ("    assert ops.analyze(1) == 0, 'push step did not converge'", ""),
           ("    curve.append((ops.nodeDisp(2, 1), ops.getLoadFactor(2)))", "")]
    read = [[("print('last point of the pushover curve:', curve[-1])", "drift and base shear at 1 % drift")],
            [("print('initial stiffness:', curve[0][1] / curve[0][0])", "base shear over drift of the first step")],
            [("ops.reactions()", "support reactions at the end of the push"),
             ("print('base shear from the reaction:', -ops.nodeReaction(1, 1), 'from the load factor:', curve[-1][1])",
              "the two must agree")]][ctx.variant % 3]
    if analysed:
        for code, why in run:
            ctx.add(code, why)
    else:
        ctx.after += run + read


def shake(ctx: Context, u: Units, analysed: bool, skip: str | None) -> None:
    """The column shaken at its base by a short harmonic ground motion, with stiffness-proportional damping."""
    model_lines(ctx, 2, 3, u)
    _column(ctx, u)
    g = _g(u)
    ctx.add("ops.rayleigh(0.0, 0.0, 0.0, 0.002)", "about 5 % damping near a 0.25 s period, stiffness-proportional")
    ctx.add(f"ops.timeSeries('Sine', 1, 0.0, 2.0, 0.25, '-factor', {0.2 * g:.4g})",
            f"ground acceleration: 0.2 g, 0.25 s period, 2 s long [{u.length}/s^2]")
    ctx.add("ops.pattern('UniformExcitation', 1, 1, '-accel', 1)", "shake the base horizontally")
    ctx.pools.update({"pattern": [1], "series": [1]})
    for code, why in _slots(skip, "ops.integrator('Newmark', 0.5, 0.25)"):
        ctx.add(code, why)
    extra = [[], [("    ops.reactions()", ""), ("    shear = max(shear, abs(ops.nodeReaction(1, 1)))", "")],
             [("    speed = max(speed, abs(ops.nodeVel(2, 1)))", "")]][ctx.variant % 3]
    run = [("ops.analysis('Transient')", "time-history analysis"),
           ("peak = shear = speed = 0.0", "largest drift, base shear and velocity seen so far"),
           ("for step in range(100):", "2 s in 0.02 s steps"),
           ("    assert ops.analyze(1, 0.02) == 0, 'time step did not converge'", ""),
           ("    peak = max(peak, abs(ops.nodeDisp(2, 1)))", "")] + extra
    read = [("print('peak drift:', peak, 'peak base shear:', shear, 'peak velocity:', speed, 't =', ops.getTime())",
             "the response read back (zero where not tracked)")]
    if analysed:
        for code, why in run:
            ctx.add(code, why)
    else:
        ctx.after += [r for r in run if not (skip == "analysis" and r[0].startswith("ops.analysis("))] + read


def place(ctx: Context, u: Units, shape: str, analysed: bool, *, skip: str | None = None, transient: bool = False,
          explicit_target: bool = False) -> None:
    """Build the host `shape` in `ctx`; the target fills `skip` (or reads the analysed model)."""
    if shape == "portal":
        portal(ctx, u, analysed, skip)
    elif shape == "pushover":
        pushover(ctx, u, analysed, skip)
    elif shape == "shake":
        shake(ctx, u, analysed, skip)
    else:
        cantilever(ctx, u, analysed, skip=skip, transient=transient, explicit_target=explicit_target)


def _member_use(u: Units, i: int, j: int, three_d: bool, load_dof: int, read_dof: int, ndf: int) -> Lines:
    """An elastic member from node i to node j, a load on j along `load_dof`, one static analysis, a read-back."""
    if three_d:
        transf = ("ops.geomTransf('Linear', 1, 1.0, 0.0, 0.0)", "member along z; its local x-z plane holds global X")
        member = (f"ops.element('elasticBeamColumn', 1, {i}, {j}, {u.area:g}, {u.E_conc:g}, {0.4 * u.E_conc:g}, "
                  f"{2 * u.inertia:g}, {u.inertia:g}, {u.inertia:g}, 1)", "elastic member (A, E, G, J, Iy, Iz)")
    else:
        transf = ("ops.geomTransf('Linear', 1)", "small-displacement transformation")
        member = (f"ops.element('elasticBeamColumn', 1, {i}, {j}, {u.area:g}, {u.E_conc:g}, {u.inertia:g}, 1)",
                  "elastic member (A, E, I) joining the two nodes")
    force = ", ".join(f"{0.1 * u.load:g}" if k == load_dof - 1 else "0.0" for k in range(ndf))
    return [transf, member, ("ops.timeSeries('Linear', 1)", "load grows with the load factor"),
            ("ops.pattern('Plain', 1, 1)", "one static load case"),
            (f"ops.load({j}, {force})", "a tenth of the reference load at the free end"),
            *_slots(None, "ops.integrator('LoadControl', 1.0)"), ("ops.analysis('Static')", "static analysis"),
            ("assert ops.analyze(1) == 0, 'analysis failed'", "one linear step"),
            (f"print('free-end displacement:', ops.nodeDisp({j}, {read_dof}))", "the supported member deflects")]


def node_family(ctx: Context, u: Units, f: str) -> None:
    """node, mass and the fixX/Y/Z commands on a member they make: every node ends up in an analysed element."""
    h = u.length_member
    if f == "node":  # the target is the top node; the base is already there
        model_lines(ctx, 2, 3, u)
        ctx.add("ops.node(1, 0.0, 0.0)", "column base")
        ctx.add("ops.fix(1, 1, 1, 1)", "fixed base")
        ctx.new_tag = 2
        ctx.after = _member_use(u, 1, 2, False, 1, 1, 3)
    elif f == "mass":  # the mass goes on the top; an eigen analysis reads it back as a period
        model_lines(ctx, 2, 3, u)
        ctx.add("ops.node(1, 0.0, 0.0)", "column base")
        ctx.add(f"ops.node(2, 0.0, {h:g})", "column top, where the floor mass sits")
        ctx.add("ops.fix(1, 1, 1, 1)", "fixed base")
        ctx.pools["node"] = [2]
        ctx.after = [_member_use(u, 1, 2, False, 1, 1, 3)[k] for k in (0, 1)] + [
            ("lam = ops.eigen(1)", "the first mode of the column with its top mass"),
            ("print('period:', 2 * 3.141592653589793 / lam[0] ** 0.5, 's')", "the mass sets the period")]
    elif f in {"fixX", "fixY"}:  # nodes on the line x = 0 (fixX: a beam along x) or y = 0 (fixY: a column)
        model_lines(ctx, 2, 3, u)
        far = f"{h:g}, 0.0" if f == "fixX" else f"0.0, {h:g}"
        ctx.add("ops.node(1, 0.0, 0.0)", "the node on the support line")
        ctx.add(f"ops.node(2, {far})", "the free end")
        ctx.after = _member_use(u, 1, 2, False, 2 if f == "fixX" else 1, 2 if f == "fixX" else 1, 3)
    else:  # fixZ: a 3D column along z, held where z = 0
        model_lines(ctx, 3, 6, u)
        ctx.add("ops.node(1, 0.0, 0.0, 0.0)", "the node on the plane z = 0")
        ctx.add(f"ops.node(2, 0.0, 0.0, {h:g})", "the column top")
        ctx.after = _member_use(u, 1, 2, True, 1, 1, 6)
