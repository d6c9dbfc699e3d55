"""The reliability task: a random column stiffness, a drift limit state, and a first-order reliability index.

The column's E is a random variable mapped to the element through a parameter (`parameter(1, 'randomVariable', 1)`
then `addToParameter`), so OpenSees differentiates the tip drift with respect to it (DDM). The limit state is
g = u_allow - u_tip; the first-order (mean-value FOSM) index is beta = g(mu) / (sigma * |dg/dE|), checked against a
finite-difference gradient from a second analysis at mu + 1 %. For this elastic cantilever u = P L^3 / (3 E I), so
beta = (u_allow - u) / (sigma * u / mu): the hand formula the tests compare with.
"""

from __future__ import annotations

from civilinstruct.pipelines.api_pairs.scenarios import Units

Line = tuple[str, str]
RELIABILITY = {"randomVariable"}
COV = 0.1  # coefficient of variation of the concrete modulus
TARGET_BETA = 2.5  # where the drift limit is put: a usual target for a serviceability limit state


def tip_drift(u: Units) -> float:
    """u = P L^3 / (3 E I) of the task's cantilever at the mean modulus."""
    p, length = 0.1 * u.load, u.length_member
    return p * length ** 3 / (3 * u.E_conc * u.inertia)


def drift_limit(u: Units) -> float:
    """A round allowable drift that puts the mean-value index near TARGET_BETA."""
    x = tip_drift(u) * (1 + TARGET_BETA * COV)
    return float(f"{x:.3g}")


def reliability(u: Units, dist: str = "normal") -> list[Line]:
    """The task's lines; the randomVariable call is the one the target replaces."""
    e, length, p = u.E_conc, u.length_member, 0.1 * u.load
    return [
        ("import math", "erfc for the normal tail probability"),
        ("ops.wipe()", "start from an empty domain"),
        ("ops.model('basic', '-ndm', 2, '-ndf', 3)", f"2D model ({u.name})"),
        ("ops.node(1, 0.0, 0.0)", "base"), (f"ops.node(2, 0.0, {length:g})", f"tip, {length:g} {u.length} up"),
        ("ops.fix(1, 1, 1, 1)", "fixed base"), ("ops.geomTransf('Linear', 1)", "small displacements"),
        (f"ops.section('Elastic', 1, {e:g}, {u.area:g}, {u.inertia:g})", "elastic section at the mean modulus"),
        ("ops.beamIntegration('Legendre', 1, 1, 3)", "3 Gauss points"),
        ("ops.element('forceBeamColumn', 1, 1, 2, 1, 1)", "force-based column: OpenSees can differentiate it"),
        ("ops.timeSeries('Linear', 1)", "load grows linearly"), ("ops.pattern('Plain', 1, 1)", "one load case"),
        (f"ops.load(2, {p:g}, 0.0, 0.0)", f"lateral tip load [{u.force}]"),
        (f"ops.randomVariable(1, '{dist}', '-mean', {e:g}, '-stdv', {COV * e:g})", ""),
        ("ops.parameter(1, 'randomVariable', 1)", "a parameter driven by the random variable, mapped below"),
        ("ops.addToParameter(1, 'element', 1, 'E')", "the mapped property: the column's modulus E"),
        ("ops.constraints('Transformation')", "fixed DOFs eliminated"), ("ops.numberer('RCM')", "compact numbering"),
        ("ops.system('BandGeneral')", "banded solver"), ("ops.test('NormDispIncr', 1e-10, 10)", "tight tolerance"),
        ("ops.algorithm('Linear')", "the column is elastic"),
        ("ops.integrator('LoadControl', 1.0)", "the whole load in one step"),
        ("ops.analysis('Static')", "static analysis"),
        ("ops.sensitivityAlgorithm('-computeAtEachStep')", "gradients come with each step (DDM)"),
        ("assert ops.analyze(1) == 0, 'analysis did not converge'", "response at the mean modulus"),
        ("u_tip = ops.nodeDisp(2, 1)", "tip drift at the mean"),
        ("du_dE = ops.sensNodeDisp(2, 1, 1)", "d(u_tip)/dE by direct differentiation"),
        (f"u_allow = {drift_limit(u):g}", f"drift limit [{u.length}] of the limit state g = u_allow - u_tip"),
        ("mu, sigma = ops.getMean(1), ops.getStdv(1)", "the random variable's moments, read back"),
        ("beta = (u_allow - u_tip) / (sigma * abs(du_dE))", "first-order (mean-value) reliability index"),
        ("ops.updateParameter(1, 1.01 * mu)", "second analysis at mu + 1 %, for a finite difference"),
        ("ops.reset()", "from the unloaded state"),
        ("assert ops.analyze(1) == 0, 'analysis did not converge'", ""),
        ("du_dE_fd = (ops.nodeDisp(2, 1) - u_tip) / (0.01 * mu)", "forward-difference gradient d(u_tip)/dE"),
        ("beta_fd = (u_allow - u_tip) / (sigma * abs(du_dE_fd))", "the same index from finite differences"),
        ("pf = 0.5 * math.erfc(beta / math.sqrt(2.0))", "failure probability Phi(-beta)"),
        ("print(f'beta = {beta:.6g}  beta_fd = {beta_fd:.6g}  pf = {pf:.3e}')", "report the estimate"),
    ]
