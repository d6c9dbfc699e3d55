"""Task-shaped snippets: a small engineering task per command family, with the target call at its natural place.

A modal command sits in a three-storey shear frame (eigen, modal properties, a response spectrum, modal damping
under a ground motion); a diaphragm constraint in a one-storey 3D frame floor; a sensitivity command in a
force-based cantilever whose displacement gradient to E is checked against -u/E. The task's line for the
target function is replaced by the generated, commented call; lines before it are the set-up, after it the use.
"""

from __future__ import annotations

from civilinstruct.pipelines.api_pairs.contexts import Context
from civilinstruct.pipelines.api_pairs.reliability import RELIABILITY, reliability
from civilinstruct.pipelines.api_pairs.scenarios import Units

Line = tuple[str, str]
SHEAR_FRAME = {"eigen", "modalProperties", "responseSpectrumAnalysis", "nodeEigenvector", "modalDamping"}
DIAPHRAGM = {"rigidDiaphragm"}
SENSITIVITY = {"parameter", "updateParameter", "setParameter", "sensitivityAlgorithm", "sensNodeDisp",
               "sensNodeVel", "sensLambda"}
QUERIES = {"eigen", "nodeEigenvector", "sensNodeDisp", "sensNodeVel", "sensLambda"}


def _solver(static: bool = True) -> list[Line]:
    return [("ops.constraints('Transformation')", "handles the fixed DOFs"),
            ("ops.numberer('RCM')", "compact DOF numbering"),
            ("ops.system('BandGeneral')", "banded solver: a handful of DOFs"),
            ("ops.test('NormDispIncr', 1e-08, 25)", "converged when the displacement increment is tiny"),
            ("ops.algorithm('Linear')" if static else "ops.algorithm('Newton')",
             "the frame is elastic" if static else "Newton iterations per time step")]


def shear_frame(u: Units, target: str) -> list[Line]:
    """A three-storey stick of columns with a lumped lateral mass per floor (three modes, six DOFs)."""
    h = u.length_member
    k_col = f"{u.area:g}, {u.E_conc:g}, {u.inertia:g}"
    lines: list[Line] = [("ops.wipe()", "start from an empty domain"),
                         ("ops.model('basic', '-ndm', 2, '-ndf', 3)", f"2D frame, 3 DOF per node ({u.name})")]
    for i in range(4):
        lines.append((f"ops.node({i + 1}, 0.0, {i * h:g})", "ground" if i == 0 else f"floor {i}"))
    lines.append(("ops.fix(1, 1, 1, 1)", "fixed base"))
    for i in range(2, 5):
        lines.append((f"ops.fix({i}, 0, 1, 0)", "" if i > 2 else "axially rigid columns: floors sway and rotate"))
        lines.append((f"ops.mass({i}, {u.mass:g}, 0.0, {u.mass * (0.05 * h) ** 2:.3g})",
                      "" if i > 2 else "floor mass and a small rotary inertia (every free DOF has mass)"))
    lines.append(("ops.geomTransf('Linear', 1)", "small displacements"))
    for i in range(1, 4):
        lines.append((f"ops.element('elasticBeamColumn', {i}, {i}, {i + 1}, {k_col}, 1)",
                      "" if i > 1 else "storey columns (A, E, I)"))
    n_modes = 3 if target in {"responseSpectrumAnalysis", "modalDamping", "modalProperties"} else 1
    lines.append((f"lam = ops.eigen({n_modes})", f"{n_modes} mode(s) of the frame (default ARPACK solver)"))
    if target == "eigen":
        lines.append(("print('T1 =', 2 * 3.141592653589793 / lam[0] ** 0.5, 's')", "first period from the eigenvalue"))
    if target == "nodeEigenvector":
        lines.append(("result = ops.nodeEigenvector(4, 1, 1)", ""))
        lines.append(("print('roof component of mode 1:', result)", "mode shape read back at the roof"))
    if target in {"modalProperties", "responseSpectrumAnalysis"}:
        lines.append(("ops.modalProperties('-print')", "participation factors and effective masses"))
    if target == "modalProperties":
        lines.append(("print('periods [s]:', [round(2 * 3.141592653589793 / x ** 0.5, 4) for x in lam])",
                      "the periods behind the participation report"))
    if target == "responseSpectrumAnalysis":
        g = {"m": 9.81, "mm": 9810.0, "in": 386.1}[u.length]
        sa = ", ".join(f"{x * g:.4g}" for x in (0.4, 1.0, 1.0, 0.5, 0.25))
        lines += [(f"ops.timeSeries('Path', 10, '-time', 0.0, 0.1, 0.5, 1.0, 2.0, '-values', {sa})",
                   "design spectrum Sa(T) in length/s^2 (plateau 1.0 g)")]
        lines += _solver() + [("ops.integrator('LoadControl', 0.0)", "no load stepping: modal combination only"),
                              ("ops.analysis('Static')", "static analysis object the spectrum uses"),
                              ("ops.responseSpectrumAnalysis(10, 1)", ""),
                              ("print('roof displacement of mode 1:', ops.nodeDisp(4, 1))",
                               "displacement of the last mode analysed")]
    if target == "modalDamping":
        g = {"m": 9.81, "mm": 9810.0, "in": 386.1}[u.length]
        lines += [("ops.modalDamping(0.05)", ""),
                  (f"ops.timeSeries('Sine', 10, 0.0, 4.0, 0.5, '-factor', {0.2 * g:.4g})",
                   "a 0.2 g harmonic ground acceleration with a 0.5 s period"),
                  ("ops.pattern('UniformExcitation', 10, 1, '-accel', 10)", "shake the base horizontally")]
        lines += _solver(static=False) + [("ops.integrator('Newmark', 0.5, 0.25)", "average acceleration"),
                                          ("ops.analysis('Transient')", "time-history analysis"),
                                          ("peak = 0.0", "track the largest roof drift")]
        lines += [("for step in range(200):", "4 s in 0.02 s steps"),
                  ("    assert ops.analyze(1, 0.02) == 0, 'time step did not converge'", ""),
                  ("    peak = max(peak, abs(ops.nodeDisp(4, 1)))", ""),
                  ("print('peak roof displacement:', peak)", "read back the response")]
    return lines


def diaphragm_floor(u: Units) -> list[Line]:
    """One storey of four 3D columns whose tops move together in plan: a rigid floor slab."""
    h, s = u.length_member, 1.5 * u.length_member
    props = (f"{u.area:g}, {u.E_conc:g}, {0.4 * u.E_conc:g}, {2 * u.inertia:g}, {u.inertia:g}, {u.inertia:g}")
    lines: list[Line] = [("ops.wipe()", "start from an empty domain"),
                         ("ops.model('basic', '-ndm', 3, '-ndf', 6)", f"3D frame ({u.name}), z is vertical"),
                         ("ops.geomTransf('Linear', 1, 1.0, 0.0, 0.0)", "columns along z; local x-z plane holds X")]
    for i, (x, y) in enumerate([(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)]):
        lines += [(f"ops.node({11 + i}, {x:g}, {y:g}, 0.0)", "column base" if not i else ""),
                  (f"ops.fix({11 + i}, 1, 1, 1, 1, 1, 1)", "fixed base" if not i else ""),
                  (f"ops.node({21 + i}, {x:g}, {y:g}, {h:g})", "column top at the floor" if not i else ""),
                  (f"ops.element('elasticBeamColumn', {i + 1}, {11 + i}, {21 + i}, {props}, 1)",
                   "column (A, E, G, J, Iy, Iz)" if not i else "")]
    lines += [(f"ops.node(30, {s / 2:g}, {s / 2:g}, {h:g})", "floor centre: the retained node"),
              ("ops.fix(30, 0, 0, 1, 1, 1, 0)", "it keeps only the in-plan DOFs"),
              ("ops.rigidDiaphragm(3, 30, 21, 22, 23, 24)", ""),
              ("ops.timeSeries('Linear', 1)", "load grows linearly"),
              ("ops.pattern('Plain', 1, 1)", "static lateral load"),
              (f"ops.load(30, {0.2 * u.load:g}, 0.0, 0.0, 0.0, 0.0, 0.0)", "storey shear at the floor centre")]
    lines += _solver() + [("ops.integrator('LoadControl', 1.0)", "the whole load in one step"),
                          ("ops.analysis('Static')", "static analysis"),
                          ("assert ops.analyze(1) == 0, 'analysis did not converge'", "stop loudly if it failed"),
                          ("print('floor drift:', ops.nodeDisp(30, 1), 'corner:', ops.nodeDisp(23, 1))",
                           "the corners follow the centre: a rigid floor")]
    return lines


def sensitivity(u: Units, target: str) -> list[Line]:
    """A force-based cantilever and the gradient of its tip displacement to E (direct differentiation)."""
    lines: list[Line] = [("ops.wipe()", "start from an empty domain"),
                         ("ops.model('basic', '-ndm', 2, '-ndf', 3)", f"2D model ({u.name})"),
                         ("ops.node(1, 0.0, 0.0)", "base"), (f"ops.node(2, 0.0, {u.length_member:g})", "tip"),
                         ("ops.fix(1, 1, 1, 1)", "fixed base"), ("ops.geomTransf('Linear', 1)", "small displacements"),
                         (f"ops.section('Elastic', 1, {u.E_conc:g}, {u.area:g}, {u.inertia:g})", "elastic section"),
                         ("ops.beamIntegration('Legendre', 1, 1, 3)", "3 Gauss points"),
                         ("ops.element('forceBeamColumn', 1, 1, 2, 1, 1)", "force-based column: supports DDM"),
                         ("ops.timeSeries('Linear', 1)", "load grows linearly"), ("ops.pattern('Plain', 1, 1)", ""),
                         (f"ops.load(2, {0.1 * u.load:g}, 0.0, 0.0)", "lateral tip load"),
                         ("ops.parameter(1, 'element', 1, 'E')", "")]
    if target == "updateParameter":
        lines.append((f"ops.updateParameter(1, {1.1 * u.E_conc:g})", ""))
    if target == "setParameter":
        lines.append((f"ops.setParameter('-val', {1.1 * u.E_conc:g}, '-ele', 1, 'E')", ""))
    lines += _solver() + [("ops.integrator('LoadControl', 1.0)", "the whole load in one step"),
                          ("ops.analysis('Static')", "static analysis"),
                          ("ops.sensitivityAlgorithm('-computeAtEachStep')", ""),
                          ("assert ops.analyze(1) == 0, 'analysis did not converge'", "gradients come with the step"),
                          ("u_tip = ops.nodeDisp(2, 1)", "tip displacement")]
    if target in {"sensNodeVel", "sensLambda"}:
        call = "ops.sensNodeVel(2, 1, 1)" if target == "sensNodeVel" else "ops.sensLambda(1, 1)"
        lines += [(f"result = {call}", ""), ("print('gradient:', result)", "zero in a static analysis")]
    lines += [("result = ops.sensNodeDisp(2, 1, 1)", "d(u_tip)/dE by direct differentiation"),
              ("print('du/dE =', result, ' -u/E =', -u_tip / " + f"{(1.1 if target in {'updateParameter', 'setParameter'} else 1.0) * u.E_conc:g})",
               "a linear model gives exactly -u/E")]
    return lines


def task_lines(f: str, u: Units, dist: str = "normal") -> list[Line] | None:
    if f in SHEAR_FRAME:
        return shear_frame(u, f)
    if f in DIAPHRAGM:
        return diaphragm_floor(u)
    if f in SENSITIVITY:
        return sensitivity(u, f)
    if f in RELIABILITY:
        return reliability(u, dist)
    return None


def place(ctx: Context, f: str, u: Units, variant: int = 0) -> bool:
    """Fill `ctx` with the task for `f`, split at the task's own call of `f` (which the target replaces)."""
    lines = task_lines(f, u, ("normal", "lognormal")[variant % 2])
    if lines is None:
        return False
    at = next(i for i, (code, _) in enumerate(lines)
              if code.startswith(f"ops.{f}(") or code.startswith(f"result = ops.{f}(")
              or code.startswith(f"lam = ops.{f}("))
    ctx.setup, ctx.after = list(lines[:at]), list(lines[at + 1:])
    ctx.ndm, ctx.ndf = (3, 6) if f in DIAPHRAGM else (2, 3)
    if lines[at][0].startswith("lam = "):
        ctx.after.insert(0, ("lam = result", "the eigenvalues the call returned"))
    ctx.pools.update({"node": [4, 3, 2] if f in SHEAR_FRAME else ([30, 21, 22, 23, 24] if f in DIAPHRAGM else [2, 1]),
                      "series": [10], "pattern": [1], "element": [1], "param": [1]})
    return True
