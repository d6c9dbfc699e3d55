"""Complete OpenSeesPy programs (2D RC frames) written out node by node, the way long generated scripts are.

Tests use them as the good programs that the mutation engine breaks; they print T1 and a drift verdict in the
forms `civilinstruct.physics.reading` reads.
"""

from __future__ import annotations


def frame_program(stories: int = 3, bays: int = 2, span: float = 6.0, height: float = 3.6,
                  col: float = 0.5, beam_h: float = 0.6, mass_t: float = 60.0) -> str:
    lines = [
        "import openseespy.opensees as ops",
        "",
        f"# {stories}-story, {bays}-bay RC frame; units kN, m, t, s",
        "ops.wipe()",
        "ops.model('basic', '-ndm', 2, '-ndf', 3)",
        "E = 3.0e7  # kN/m2, C30",
        f"A_col = {col} * {col}",
        f"I_col = {col} * {col} ** 3 / 12.0",
        f"A_beam = 0.3 * {beam_h}",
        f"I_beam = 0.3 * {beam_h} ** 3 / 12.0",
        "",
        "# nodes",
    ]
    for level in range(stories + 1):
        for axis in range(bays + 1):
            tag = level * 100 + axis + 1
            lines.append(f"ops.node({tag}, {axis * span:.1f}, {level * height:.1f})")
    lines.append("")
    lines.append("# supports")
    for axis in range(bays + 1):
        lines.append(f"ops.fix({axis + 1}, 1, 1, 1)")
    lines += ["", "# transformations", "ops.geomTransf('PDelta', 1)", "ops.geomTransf('Linear', 2)", "", "# columns"]
    ele = 1
    for level in range(stories):
        for axis in range(bays + 1):
            i, j = level * 100 + axis + 1, (level + 1) * 100 + axis + 1
            lines.append(f"ops.element('elasticBeamColumn', {ele}, {i}, {j}, A_col, E, I_col, 1)")
            ele += 1
    lines.append("# beams")
    for level in range(1, stories + 1):
        for axis in range(bays):
            i, j = level * 100 + axis + 1, level * 100 + axis + 2
            lines.append(f"ops.element('elasticBeamColumn', {ele}, {i}, {j}, A_beam, E, I_beam, 2)")
            ele += 1
    lines += ["", "# floor masses (t)"]
    for level in range(1, stories + 1):
        for axis in range(bays + 1):
            share = mass_t / bays / (2 if axis in (0, bays) else 1)
            lines.append(f"ops.mass({level * 100 + axis + 1}, {share:.3f}, {share:.3f}, 0.0)")
    lines += [
        "",
        "# modal analysis",
        "lam = ops.eigen(3)",
        "periods = [2 * 3.141592653589793 / l ** 0.5 for l in lam]",
        "print(f'T1 = {periods[0]:.4f} s')",
        "",
        "# gravity",
        "ops.timeSeries('Linear', 1)",
        "ops.pattern('Plain', 1, 1)",
    ]
    for level in range(1, stories + 1):
        for axis in range(bays + 1):
            lines.append(f"ops.load({level * 100 + axis + 1}, 0.0, -300.0, 0.0)")
    lines += [
        "ops.constraints('Plain')",
        "ops.numberer('RCM')",
        "ops.system('BandGeneral')",
        "ops.test('NormDispIncr', 1.0e-8, 10)",
        "ops.algorithm('Newton')",
        "ops.integrator('LoadControl', 0.1)",
        "ops.analysis('Static')",
        "ok = ops.analyze(10)",
        "if ok != 0:",
        "    raise RuntimeError('gravity analysis failed to converge')",
        "ops.loadConst('-time', 0.0)",
        "",
        "# equivalent lateral forces",
        "ops.timeSeries('Linear', 2)",
        "ops.pattern('Plain', 2, 2)",
    ]
    for level in range(1, stories + 1):
        lines.append(f"ops.load({level * 100 + 1}, {20.0 * level:.1f}, 0.0, 0.0)")
    lines += [
        "ops.integrator('LoadControl', 1.0)",
        "ok = ops.analyze(1)",
        "if ok != 0:",
        "    raise RuntimeError('lateral analysis failed to converge')",
        "",
        "# interstory drift check (GB 50011: 1/550)",
        "drifts = []",
        f"for level in range(1, {stories + 1}):",
        "    top = ops.nodeDisp(level * 100 + 1, 1)",
        "    bottom = ops.nodeDisp((level - 1) * 100 + 1, 1) if level > 1 else 0.0",
        f"    drifts.append(abs(top - bottom) / {height})",
        "max_drift = max(drifts)",
        "print(f'max interstory drift = {max_drift:.6f}')",
        "if max_drift <= 1.0 / 550:",
        "    print('Drift check: PASS')",
        "else:",
        "    print('Drift check: FAIL')",
    ]
    return "\n".join(lines) + "\n"
