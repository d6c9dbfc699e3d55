"""Real OpenSeesPy programs for the reward tests (a module with a unique name: conftest.py files clash)."""

from __future__ import annotations

FRAME = '''import openseespy.opensees as ops

ops.wipe()
ops.model("basic", "-ndm", 2, "-ndf", 3)
stories, h, span = 3, 3.3, 6.0
E, A, I = 3.0e10, 0.25, 0.0052
m = 60000.0
for j in range(stories + 1):
    for i in range(2):
        tag = 10 * j + i + 1
        ops.node(tag, i * span, j * h)
        if j == 0:
            ops.fix(tag, 1, 1, 1)
        else:
            ops.mass(tag, m / 2, 1e-6, 1e-6)
ops.geomTransf("Linear", 1)
ele = 0
for j in range(stories):
    for i in range(2):
        ele += 1
        ops.element("elasticBeamColumn", ele, 10 * j + i + 1, 10 * (j + 1) + i + 1, A, E, I, 1)
    ele += 1
    ops.element("elasticBeamColumn", ele, 10 * (j + 1) + 1, 10 * (j + 1) + 2, A, E, 2 * I, 1)
ops.timeSeries("Linear", 1)
ops.pattern("Plain", 1, 1)
for j in range(1, stories + 1):
    ops.load(10 * j + 1, 1.0e4 * j, 0.0, 0.0)
ops.eleLoad("-ele", stories * 3, "-type", "-beamUniform", -1.0e3)
ops.constraints("Transformation")
ops.numberer("RCM")
ops.system("BandGeneral")
ops.test("NormDispIncr", 1.0e-8, 10)
ops.algorithm("Linear")
ops.integrator("LoadControl", 1.0)
ops.analysis("Static")
ops.analyze(1)
ops.loadConst("-time", 0.0)
roof = ops.nodeDisp(10 * stories + 1, 1)
force = ops.eleForce(1)
lam = ops.eigen(1)[0]
phi = ops.nodeEigenvector(10 * stories + 1, 1)
T1 = 2 * 3.141592653589793 / lam ** 0.5
print(f"Fundamental period T1 = {T1:.4f} s")
drift = roof / (stories * h)
print(f"Max interstory drift ratio = {drift:.6f}")
print("Drift check: satisfied (<= 1/550)" if drift <= 1 / 550 else "Drift check: not satisfied")
'''


def answer(code: str, think: str = "Plan the frame, then run a modal analysis.") -> str:
    """A completion in the trained format around `code`."""
    return f"<think>{think}</think>\n<answer>\n```python\n{code}```\n</answer>"


# The issue-15 fake: one element, no eigen, T1 = 0.25 x stories and a hard-coded verdict (14 lines).
FAKE = '''import openseespy.opensees as ops

stories = 6
ops.wipe()
ops.model("basic", "-ndm", 2, "-ndf", 3)
ops.node(1, 0.0, 0.0)
ops.node(2, 0.0, 3.9)
ops.fix(1, 1, 1, 1)
ops.geomTransf("Linear", 1)
ops.element("elasticBeamColumn", 1, 1, 2, 0.36, 3.0e7, 0.01, 1)
T1 = 0.25 * stories
print(f"T1 = {T1:.3f} s")
print("Max interstory drift: within the limit")
print("Compliance: PASS")
'''
