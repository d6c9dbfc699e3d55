"""The lines after a target definition that use the object the way it is meant to be used, and read a result.

A material goes through a strain history with its stress read back; a section through a few
moment-curvature steps of a zero-length section element; an element through one load step of a small
static analysis; a transformation or integration rule inside a loaded column; a time series inside a load
pattern; a backbone inside the material that wraps it. What was run and read is recorded in the sample.
"""

from __future__ import annotations

from civilinstruct.pipelines.api_pairs.contexts import Context
from civilinstruct.pipelines.api_pairs.scenarios import Units

Lines = list[tuple[str, str]]


def _static(steps: int = 1, integrator: str = "ops.integrator('LoadControl', 1.0)") -> Lines:
    return [("ops.constraints('Transformation')", "handles any fixed or tied DOFs"),
            ("ops.numberer('RCM')", "renumber DOFs to keep the band narrow"),
            ("ops.system('BandGeneral')", "banded solver, enough for a few DOFs"),
            ("ops.test('NormDispIncr', 1e-08, 25)", "converged when the displacement increment is tiny"),
            ("ops.algorithm('Newton')", "full Newton: tangent updated every iteration"),
            (integrator, "apply the load in the steps below"),
            ("ops.analysis('Static')", "static analysis"),
            (f"ok = ops.analyze({steps})", f"{steps} step(s); 0 means converged"),
            ("assert ok == 0, 'analysis did not converge'", "stop loudly if it failed")]


def strain_history(tag: int, yield_strain: float = 0.002) -> Lines:
    """Drive a uniaxial material through elastic, yielding and reversed strain and print the stresses."""
    e = yield_strain
    path = [round(x, 6) for x in (0.25 * e, 0.5 * e, 2 * e, 5 * e, 0.0, -2 * e, -5 * e)]
    return [(f"ops.testUniaxialMaterial({tag})", "run the material alone, outside any model"),
            (f"for strain in {path}:", "load, yield, unload and reverse: one cycle about the yield strain"),
            ("    ops.setStrain(strain)", ""),
            ("    print(f'strain {strain:+.5f} -> stress {ops.getStress():.4g}')", "")]


def moment_curvature(ctx: Context, tag: int, u: Units, axial: bool = True) -> Lines:
    """A zero-length section element fixed at one end, rotated a little at the other: moment vs curvature."""
    three_d = ctx.ndm == 3
    fix_far = ("0, 1, 1, 1, 1, 0" if three_d else "0, 1, 0") if axial else ("1, 1, 1, 1, 1, 0" if three_d else "1, 1, 0")
    dof = 6 if three_d else 3
    dk = 0.0005 / (0.1 * u.length_member)  # a fraction of a typical yield curvature 2*eps_y/h
    base = "0.0, 0.0, 0.0" if three_d else "0.0, 0.0"
    lines = [(f"ops.node(901, {base})", "section end 1"), (f"ops.node(902, {base})", "section end 2 (same point)"),
             (f"ops.fix(901, {', '.join(['1'] * ctx.ndf)})", "hold end 1"),
             (f"ops.fix(902, {fix_far})", "leave only axial strain and curvature free"),
             (f"ops.element('zeroLengthSection', 901, 901, 902, {tag})", "the section as a zero-length element"),
             ("ops.timeSeries('Linear', 901)", "reference load grows with time"),
             ("ops.pattern('Plain', 901, 901)", "pattern holding the reference moment"),
             (f"ops.load(902, {', '.join('1.0' if i == dof - 1 else '0.0' for i in range(ctx.ndf))})",
              "unit reference moment"),
             ]
    lines += _static(5, f"ops.integrator('DisplacementControl', 902, {dof}, {dk:.3g})")[:-2]  # up to analysis()
    lines += [("for step in range(5):", "five curvature increments"),
              ("    assert ops.analyze(1) == 0, 'section analysis did not converge'", ""),
              (f"    print(f'curvature {{ops.nodeDisp(902, {dof}):.3e}} -> moment {{ops.getLoadFactor(901):.4g}}')",
               "")]
    return lines


def loaded_member(ctx: Context, nodes: list[int], load: float, dof: int = 1) -> Lines:
    """Fix every node but the last, push the last one along `dof`, and read its displacement. A two-node element's
    free end keeps only that DOF, so a truss or a one-direction spring is not left without stiffness elsewhere."""
    last = nodes[-1]
    fixes = [(f"ops.fix({n}, {', '.join(['1'] * ctx.ndf)})", "") for n in nodes[:-1]]
    if fixes:
        fixes[0] = (fixes[0][0], "support every node except the loaded one")
    if len(nodes) == 2 and ctx.ndf > 1:
        fixes.append((f"ops.fix({last}, {', '.join('0' if i == dof - 1 else '1' for i in range(ctx.ndf))})",
                      f"the loaded end moves only along DOF {dof}"))
    force = ", ".join(f"{load:g}" if i == dof - 1 else "0.0" for i in range(ctx.ndf))
    return fixes + [("ops.timeSeries('Linear', 901)", "load grows linearly"),
                    ("ops.pattern('Plain', 901, 901)", "static load pattern"),
                    (f"ops.load({last}, {force})", "a small push on the free node")] + \
        _static() + [(f"print('displacement of node {last}:', ops.nodeDisp({last}, {dof}))", "read the response")]


COLUMN_TASKS = ("static", "pushover", "modal")


def column_with(ctx: Context, u: Units, *, transf: str, element: str, task: str = "static") -> Lines:
    """A cantilever column built on the given transformation / element call (already formatted), then one of
    COLUMN_TASKS: gravity plus a small lateral load, a gravity-then-push step, or the period from a top mass."""
    three_d = ctx.ndm == 3
    top = f"0.0, {u.length_member:g}, 0.0" if three_d else f"0.0, {u.length_member:g}"
    lines = [(f"ops.node(901, {'0.0, 0.0, 0.0' if three_d else '0.0, 0.0'})", "column base"),
             (f"ops.node(902, {top})", "column top"),
             (f"ops.fix(901, {', '.join(['1'] * ctx.ndf)})", "fixed base")]
    if transf:
        lines.append((transf, "transformation for the column"))
    lines.append((element, "the column"))
    if task == "modal":
        rot = f"{u.mass * (0.05 * u.length_member) ** 2:.3g}"
        masses = ", ".join([f"{u.mass:g}"] * ctx.ndm + [rot] * (ctx.ndf - ctx.ndm))
        return lines + [(f"ops.mass(902, {masses})", "the floor mass at the top, a small rotary inertia too"),
                        ("lam = ops.eigen(1)", "first mode of the column"),
                        ("print('T1 =', 2 * 3.141592653589793 / lam[0] ** 0.5, 's')", "its period")]
    if task == "pushover":
        gravity = ", ".join(f"{-u.load:g}" if i == 1 else "0.0" for i in range(ctx.ndf))
        push = ", ".join("1.0" if i == 0 else "0.0" for i in range(ctx.ndf))
        target = 0.01 * u.length_member
        return lines + [("ops.timeSeries('Linear', 901)", "gravity grows with the load factor"),
                        ("ops.pattern('Plain', 901, 901)", "gravity pattern"),
                        (f"ops.load(902, {gravity})", "axial load from the floors above")] + \
            _static(5, "ops.integrator('LoadControl', 0.2)") + [
                ("ops.loadConst('-time', 0.0)", "hold gravity during the push"),
                ("ops.timeSeries('Linear', 902)", "reference lateral load"),
                ("ops.pattern('Plain', 902, 902)", "lateral pattern"),
                (f"ops.load(902, {push})", "unit reference force: the load factor is the base shear"),
                (f"ops.integrator('DisplacementControl', 902, 1, {target / 5:.4g})", "five equal drift steps"),
                ("for step in range(5):", f"to 1 % drift ({target:g} {u.length})"),
                ("    assert ops.analyze(1) == 0, 'push step did not converge'", ""),
                ("print('drift:', ops.nodeDisp(902, 1), 'base shear:', ops.getLoadFactor(902))",
                 "a point of the pushover curve")]
    lateral = 0.05 * u.load
    force = ", ".join(f"{lateral:g}" if i == 0 else (f"{-u.load:g}" if i == 1 else "0.0") for i in range(ctx.ndf))
    lines += [("ops.timeSeries('Linear', 901)", "load grows linearly"),
              ("ops.pattern('Plain', 901, 901)", "gravity and a small lateral load"),
              (f"ops.load(902, {force})", "lateral and gravity load at the top")]
    lines += _static(2, "ops.integrator('LoadControl', 0.5)")
    lines.append(("print('top drift:', ops.nodeDisp(902, 1))", "read the lateral displacement"))
    return lines


def spring_cycle(tag: int, yield_strain: float, k_aux: float) -> Lines:
    """The material as a zero-length spring pushed through a displacement cycle; the force is the load factor
    (reference load 1.0) less a soft elastic spring in parallel that keeps the tangent positive where the
    material softens or cracks, so what is printed is the material's own force-deformation loop."""
    e = yield_strain
    path = [round(x, 6) for x in [0.5 * e] * 4 + [-0.5 * e] * 8 + [0.5 * e] * 4]
    return [("ops.node(901, 0.0, 0.0)", "spring end 1"), ("ops.node(902, 0.0, 0.0)", "spring end 2 (same point)"),
            ("ops.fix(901, 1, 1, 1)", "end 1 held"), ("ops.fix(902, 0, 1, 1)", "end 2 moves only along x"),
            (f"ops.uniaxialMaterial('Elastic', 903, {k_aux:g})", "soft parallel spring: keeps the tangent positive"),
            (f"ops.element('zeroLength', 901, 901, 902, '-mat', {tag}, 903, '-dir', 1, 1)",
             "the material (and the soft spring) along x"),
            ("ops.timeSeries('Linear', 901)", "reference load grows with the load factor"),
            ("ops.pattern('Plain', 901, 901)", "pattern of the reference load"),
            ("ops.load(902, 1.0, 0.0, 0.0)", "unit reference force: the load factor is the spring force"),
            ("ops.constraints('Plain')", "only single-point fixities here"),
            ("ops.numberer('Plain')", "one free DOF"), ("ops.system('FullGeneral')", "tiny system"),
            ("ops.test('NormDispIncr', 1e-10, 50)", "tight tolerance for a smooth loop"),
            ("ops.algorithm('Newton')", "Newton iterations on the material tangent"),
            (f"ops.integrator('DisplacementControl', 902, 1, {path[0]})", "displacement-controlled steps"),
            ("ops.analysis('Static')", "static analysis"),
            (f"for du in {path}:", "out to 2 x yield, back to -2 x yield, and home: one full cycle"),
            ("    ops.integrator('DisplacementControl', 902, 1, du)", ""),
            ("    assert ops.analyze(1) == 0, 'cycle step did not converge'", ""),
            ("    d = ops.nodeDisp(902, 1)", ""),
            (f"    print(f'deformation {{d:+.5f}} -> force {{ops.getLoadFactor(901) - {k_aux:g} * d:.4g}}')", "")]


def stepped(lines: Lines, steps: int, node: int, dof: int) -> Lines:
    """Replace a one-step analysis by `steps` load increments, printing the displacement after each."""
    out = []
    for code, comment in lines:
        if code.startswith("ops.integrator('LoadControl', 1.0)"):
            out.append((f"ops.integrator('LoadControl', {1.0 / steps:.4g})", f"the load in {steps} equal steps"))
        elif code.startswith("ok = ops.analyze(") or code.startswith("assert ok == 0"):
            continue
        elif code.startswith("print('displacement of node"):
            out += [(f"for step in range({steps}):", "one increment at a time"),
                    ("    assert ops.analyze(1) == 0, f'step {step} did not converge'", ""),
                    (f"    print(f'load factor {{ops.getLoadFactor(901):.2f}}: u = {{ops.nodeDisp({node}, {dof}):.4g}}')",
                     "")]
        else:
            out.append((code, comment))
    return out


def with_reactions(lines: Lines, support: int, dof: int) -> Lines:
    """Add an equilibrium check after the analysis: the support reaction balances the applied load."""
    return lines + [("ops.reactions()", "compute support reactions"),
                    (f"print('reaction at node {support}:', ops.nodeReaction({support}, {dof}))",
                     "equal and opposite to the applied load")]


def _square(ctx: Context, side: float, three_d: bool) -> tuple[Lines, list[int]]:
    corners = [(0, 0), (1, 0), (1, 1), (0, 1)]
    tags = [901, 902, 903, 904]
    lines = [(f"ops.node({t}, {x * side:g}, {y * side:g}{', 0.0' if three_d else ''})",
              f"corner of a {side:g} square patch" if not i else "") for i, (t, (x, y)) in enumerate(zip(tags, corners))]
    return lines, tags


def plane_patch(ctx: Context, mat_tag: int, u: Units, kind: str) -> Lines:
    """One 4-node quad of the material (plane stress or strain), three corners held, the fourth pushed."""
    side = 0.1 * u.length_member
    lines, tags = _square(ctx, side, False)
    lines.append((f"ops.element('quad', 901, {', '.join(map(str, tags))}, {0.2 * side:g}, '{kind}', {mat_tag})",
                  f"a {kind.lower()} quad of the material"))
    return lines + loaded_member(ctx, tags, 0.001 * u.load) + [
        ("print('stresses at the first Gauss point:', ops.eleResponse(901, 'stresses')[:3])",
         "sxx, syy, sxy inside the material")]


def shell_patch(ctx: Context, sec_tag: int, u: Units) -> Lines:
    """One MITC4 shell on the plate section, three corners held, the fourth pushed in its plane."""
    side = 0.3 * u.length_member
    lines, tags = _square(ctx, side, True)
    lines.append((f"ops.element('ShellMITC4', 901, {', '.join(map(str, tags))}, {sec_tag})",
                  "a four-node shell made of the section"))
    return lines + loaded_member(ctx, tags, 0.001 * u.load)


def strain_envelope(tag: int, yield_strain: float = 0.002) -> Lines:
    """The material driven out to 3 x yield and back, collecting stress and tangent: the peak stress and the
    unloading stiffness come out of the lists, so the test reports the two numbers a calibration compares."""
    e = yield_strain
    path = [round(x, 6) for x in (0.5 * e, e, 2 * e, 3 * e, 2 * e, 0.0)]
    return [(f"ops.testUniaxialMaterial({tag})", "the material alone, outside any model"),
            ("stresses, tangents = [], []", "what each strain step gives back"),
            (f"for strain in {path}:", "load past yield to 3 x the yield strain, then unload to zero"),
            ("    ops.setStrain(strain)", ""),
            ("    stresses.append(ops.getStress())", ""),
            ("    tangents.append(ops.getTangent())", ""),
            ("print('peak stress:', max(stresses, key=abs), 'unloading tangent:', tangents[-1])",
             "the calibration numbers: strength reached and stiffness on unloading")]


def sdof_shake(tag: int, u: Units) -> Lines:
    """The material as the spring of a one-storey oscillator (period about 0.3 s) under a resonant sine ground
    motion: a dynamic test of its hysteresis. A soft elastic spring in parallel keeps the tangent positive."""
    k = u.E_steel  # a zero-length spring of this material: force per unit deformation = its modulus
    m = k * (0.3 / 6.283185307179586) ** 2
    g = {"m": 9.81, "mm": 9810.0, "in": 386.1}[u.length]
    return [("ops.node(901, 0.0, 0.0)", "ground"), ("ops.node(902, 0.0, 0.0)", "the oscillator's mass point"),
            ("ops.fix(901, 1, 1, 1)", "ground held"), ("ops.fix(902, 0, 1, 1)", "the mass moves only along x"),
            (f"ops.mass(902, {m:.4g}, 0.0, 0.0)", "mass giving a period of about 0.3 s with the initial stiffness"),
            (f"ops.uniaxialMaterial('Elastic', 903, {1e-3 * k:g})", "soft parallel spring: keeps the tangent positive"),
            (f"ops.element('zeroLength', 901, 901, 902, '-mat', {tag}, 903, '-dir', 1, 1)",
             "the material (and the soft spring) as the storey spring"),
            (f"ops.timeSeries('Sine', 901, 0.0, 1.5, 0.3, '-factor', {0.3 * g:.4g})",
             f"a 0.3 g sine at the oscillator's own period [{u.length}/s^2]"),
            ("ops.pattern('UniformExcitation', 901, 1, '-accel', 901)", "shake the ground along x"),
            ("ops.constraints('Plain')", "only fixities here"), ("ops.numberer('Plain')", "one free DOF"),
            ("ops.system('FullGeneral')", "tiny system"), ("ops.test('NormDispIncr', 1e-10, 50)", "tight tolerance"),
            ("ops.algorithm('Newton')", "Newton on the material tangent"),
            ("ops.integrator('Newmark', 0.5, 0.25)", "average acceleration: unconditionally stable"),
            ("ops.analysis('Transient')", "time-history analysis"),
            ("peak = 0.0", "largest deformation seen"),
            ("for step in range(150):", "1.5 s in 0.01 s steps"),
            ("    assert ops.analyze(1, 0.01) == 0, 'time step did not converge'", ""),
            ("    peak = max(peak, abs(ops.nodeDisp(902, 1)))", ""),
            ("print('peak deformation:', peak, 'final spring force:', ops.eleForce(901, 1))",
             "how far the spring went and what it carries at the end")]


def truss_bar(tag: int, yield_strain: float, u: Units) -> Lines:
    """A unit-area bar of the material, one unit long, in its own 2-DOF model, stretched and shortened to twice the
    yield strain (a soft elastic bar alongside keeps the tangent positive); the bar's axial force is read back."""
    e = yield_strain
    return [("ops.model('basic', '-ndm', 2, '-ndf', 2)", "a truss needs only translations"),
            ("ops.node(911, 0.0, 0.0)", "bar end held"), ("ops.node(912, 1.0, 0.0)", "bar end pulled, one unit away"),
            ("ops.fix(911, 1, 1)", "pinned support"), ("ops.fix(912, 0, 1)", "the pulled end slides along x"),
            (f"ops.uniaxialMaterial('Elastic', 913, {1e-3 * u.E_steel:g})", "soft bar alongside: positive tangent"),
            (f"ops.element('Truss', 911, 911, 912, 1.0, {tag})", "unit area: force equals stress"),
            ("ops.element('Truss', 912, 911, 912, 1.0, 913)", "the soft bar"),
            ("ops.timeSeries('Linear', 911)", "reference load grows with the load factor"),
            ("ops.pattern('Plain', 911, 911)", "pattern of the reference load"),
            ("ops.load(912, 1.0, 0.0)", "unit reference force at the pulled end"),
            ("ops.constraints('Plain')", "only fixities"), ("ops.numberer('Plain')", "one free DOF"),
            ("ops.system('FullGeneral')", "tiny system"), ("ops.test('NormDispIncr', 1e-10, 50)", "tight tolerance"),
            ("ops.algorithm('Newton')", "Newton on the material tangent"),
            (f"ops.integrator('DisplacementControl', 912, 1, {e / 5:.4g})", "displacement-controlled steps"),
            ("ops.analysis('Static')", "static analysis"),
            (f"for target in [{2 * e:.6g}, {-2 * e:.6g}]:", "stretch to 2 x yield, then shorten to -2 x yield"),
            ("    du = (target - ops.nodeDisp(912, 1)) / 10", "ten equal steps to the target"),
            ("    ops.integrator('DisplacementControl', 912, 1, du)", ""),
            ("    for step in range(10):", ""),
            ("        assert ops.analyze(1) == 0, 'bar step did not converge'", ""),
            ("    print('strain', ops.nodeDisp(912, 1), '-> stress', ops.eleResponse(911, 'axialForce')[0])",
             "")]


MATERIAL_TESTS = ("strain history", "strain envelope", "spring cycle", "oscillator", "truss bar")


def material_test(which: int, tag: int, u: Units) -> Lines:
    """One of the five ways a uniaxial material is exercised, by index into MATERIAL_TESTS."""
    ey = u.fy / u.E_steel
    return [lambda: strain_history(tag, ey), lambda: strain_envelope(tag, ey),
            lambda: spring_cycle(tag, ey, 1e-3 * u.E_steel), lambda: sdof_shake(tag, u),
            lambda: truss_bar(tag, ey, u)][which % len(MATERIAL_TESTS)]()
