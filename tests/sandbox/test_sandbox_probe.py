"""The sandbox's probe: the model each program built and its own eigen solution, read without trusting the program."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from civilinstruct.codegen import render
from civilinstruct.design import BuildingSpec, design
from civilinstruct.sandbox import RunResult, Sandbox

from probe_programs import portal  # (tests/sandbox is on the path: pytest's rootdir-relative import)


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(timeout=20, memory_mb=512, workers=1, allow_weak_isolation=True) as sandbox:
        yield sandbox


def expected_portal(result: RunResult) -> None:
    model = result.model
    assert model is not None, result.stderr
    assert (model.ndm, model.ndf, model.nodes, model.elements, model.fixed_nodes) == (2, 3, 6, 6, 2)
    assert model.element_types == {"ElasticBeam2d": 6}
    assert (model.stories, model.floor_elevations_m, model.story_heights_m) == (2, [3.5, 6.5], [3.5, 3.0])
    assert model.spans_m == {"x": [6.0]}
    assert model.total_mass_t == pytest.approx(100.0)
    assert model.eigen_calls == 1 and len(model.eigen_periods_s) == 2 and not model.eigen_failed


@pytest.mark.parametrize(("imports", "prefix"), [
    ("import openseespy.opensees as ops", "ops."),
    ("from openseespy.opensees import *", ""),
    ("from openseespy import opensees", "opensees."),
    ("import openseespy.opensees\nops = openseespy.opensees", "ops."),
    ("import openseespylinux.opensees as ops", "ops."),
])
def test_every_import_style_is_probed(box: Sandbox, imports: str, prefix: str) -> None:
    result = box.run(portal(imports, prefix))
    assert result.status == "ok", result.stderr
    expected_portal(result)
    assert result.period_check == "verified"
    assert result.period_s == result.model.eigen_periods_s[0]
    assert result.printed_period_s == pytest.approx(result.period_s, abs=1e-4)
    assert result.model.snapshot == "eigen"


def test_a_program_that_ends_with_wipe_still_reports_its_model(box: Sandbox) -> None:
    result = box.run(portal("import openseespy.opensees as ops", tail="ops.wipe()\n"))
    expected_portal(result)
    no_eigen = portal("import openseespy.opensees as ops", tail="ops.wipe()\n").replace("lam = ops.eigen(2)",
                                                                                      "lam = [100.0]")
    result = box.run(no_eigen)
    assert result.model is not None and result.model.snapshot == "wipe" and result.model.stories == 2
    assert result.model.eigen_calls == 0 and result.period_check == "unverified"


FAKE_14_LINES = """import openseespy.opensees as ops
stories = 7
ops.wipe()
ops.model('basic', '-ndm', 2, '-ndf', 3)
ops.node(1, 0.0, 0.0)
ops.node(2, 0.0, 3.0)
ops.fix(1, 1, 1, 1)
ops.geomTransf('Linear', 1)
ops.element('elasticBeamColumn', 1, 1, 2, 0.25, 3.0e7, 5.2e-3, 1)
T1 = 0.25 * stories
print(f"T1 = {T1:.3f} s")
print("Max interstory drift ratio = 1/1200")
print("Compliance: PASS")
ops.wipe()
"""


def test_the_fourteen_line_fake_is_unverified(box: Sandbox) -> None:
    assert len(FAKE_14_LINES.splitlines()) == 14
    result = box.run(FAKE_14_LINES)
    assert result.status == "ok"
    assert (result.printed_period_s, result.period_s, result.period_check) == (1.75, 1.75, "unverified")
    assert result.model is not None and (result.model.stories, result.model.elements) == (1, 1)


def test_a_wrong_printed_period_after_eigen_is_a_mismatch(box: Sandbox) -> None:
    code = portal("import openseespy.opensees as ops").replace('print(f"T1 = {T1:.4f} s")', 'print("T1 = 1.2000 s")')
    result = box.run(code)
    assert result.period_check == "mismatch"
    assert result.printed_period_s == 1.2 and result.period_s == result.model.eigen_periods_s[0] != 1.2


def test_a_generated_frame_program_is_verified_with_its_geometry(box: Sandbox) -> None:
    d = design(BuildingSpec(function="school", stories=4, story_height_m=3.6, bays_x=3, bays_y=2, span_x_m=7.2,
                            span_y_m=6.0, intensity=8.5, pga_g=0.30, design_group=3, site_class="III"))
    result = box.run(render(d, 5))
    assert result.status == "ok", result.stderr[-2000:]
    assert result.period_check == "verified"
    assert result.period_s == pytest.approx(d.periods_s[0], rel=1e-3)
    model = result.model
    assert (model.stories, model.story_heights_m, model.spans_m) == (4, [3.6] * 4, {"x": [7.2] * 3})
    assert model.total_mass_t == pytest.approx(sum(map(sum, d.node_mass_t)), rel=1e-4)


def test_a_3d_frame_reads_z_as_vertical_and_spans_both_ways(box: Sandbox) -> None:
    code = """import openseespy.opensees as ops
ops.wipe()
ops.model('basic', '-ndm', 3, '-ndf', 6)
tag = 0
ids = {}
for k, z in enumerate((0.0, 4.0, 7.0)):
    for i, x in enumerate((0.0, 5.0, 11.0)):
        for j, y in enumerate((0.0, 4.5)):
            tag += 1
            ids[i, j, k] = tag
            ops.node(tag, x, y, z)
            if k == 0:
                ops.fix(tag, 1, 1, 1, 1, 1, 1)
            else:
                ops.mass(tag, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0)
ops.geomTransf('Linear', 1, 1.0, 0.0, 0.0)
ops.geomTransf('Linear', 2, 0.0, 0.0, 1.0)
e = 0
for (i, j, k), n in ids.items():
    if k:
        e += 1
        ops.element('elasticBeamColumn', e, ids[i, j, k - 1], n, 0.16, 3e7, 1.2e7, 1e-3, 2e-3, 2e-3, 1)
        if i:
            e += 1
            ops.element('elasticBeamColumn', e, ids[i - 1, j, k], n, 0.12, 3e7, 1.2e7, 1e-3, 2e-3, 2e-3, 2)
        if j:
            e += 1
            ops.element('elasticBeamColumn', e, ids[i, j - 1, k], n, 0.12, 3e7, 1.2e7, 1e-3, 2e-3, 2e-3, 2)
print(len(ops.eigen(3)))
"""
    result = box.run(code)
    assert result.status == "ok", result.stderr
    model = result.model
    assert (model.ndm, model.ndf, model.vertical_axis, model.stories) == (3, 6, "z", 2)
    assert model.story_heights_m == [4.0, 3.0]
    assert model.spans_m == {"x": [5.0, 6.0], "y": [4.5]}
    assert model.total_mass_t == pytest.approx(120.0) and model.fixed_nodes == 6
    assert result.period_check == "none" and result.period_s == model.eigen_periods_s[0]


def test_a_failed_eigen_is_recorded(box: Sandbox) -> None:
    code = portal("import openseespy.opensees as ops").replace("lam = ops.eigen(2)", "lam = ops.eigen(40)")
    result = box.run(code)
    assert result.status == "error"
    assert result.model.eigen_calls == 1 and result.model.eigen_failed and result.model.eigen_periods_s == []
    assert result.model.snapshot == "end" and result.model.nodes == 6


def test_opensees_ending_the_process_from_c_is_terminated_with_its_line(box: Sandbox) -> None:
    code = """import openseespy.opensees as ops
ops.wipe()
ops.model('basic', '-ndm', 2, '-ndf', 3)
ops.node(1, 0.0, 0.0)
ops.node(2, 0.0, 3.0)
ops.fix(1, 1, 1, 1)
print("before")
v = ops.nodeEigenvector(2, 1)
print("after")
"""
    result = box.run(code)
    assert result.status == "terminated" and result.exit_code == 0
    assert result.last_line == 8 and result.stdout == "before\n"
    assert result.model is not None and result.model.nodes == 2


def test_os_exit_before_the_last_line_is_terminated(box: Sandbox) -> None:
    result = box.run("import os\nprint('a')\nos._exit(0)\nprint('b')\n")
    assert result.status == "terminated"
    assert box.run("import sys\nprint('a')\nsys.exit(0)\n").status == "ok"


@pytest.mark.slow
def test_memory_and_time_exhaustion_after_eigen_stay_contained(box: Sandbox) -> None:
    base = portal("import openseespy.opensees as ops")
    with Sandbox(timeout=2.0, memory_mb=256, workers=1, allow_weak_isolation=True) as short:
        slow = short.run(base + "while True:\n    pass\n")
    assert slow.status == "timeout" and slow.model is not None and slow.model.eigen_calls == 1
    hog = box.run(base + "blocks = []\nwhile True:\n    blocks.append(bytearray(50_000_000))\n")
    assert hog.status == "oom" and hog.model is not None and hog.model.snapshot in ("eigen", "end")
    after = box.run(portal("import openseespy.opensees as ops"))
    assert after.status == "ok" and after.period_check == "verified"


def test_a_big_model_is_counted_and_the_run_still_ends(box: Sandbox) -> None:
    code = ("import openseespy.opensees as ops\nops.model('basic', '-ndm', 2, '-ndf', 2)\n"
            "for i in range(30000):\n    ops.node(i + 1, float(i), 0.0)\n")
    result = box.run(code)
    assert result.status == "ok" and result.model.nodes == 30000 and result.model.truncated


def test_periods_are_two_pi_over_root_lambda(box: Sandbox) -> None:
    code = ("import openseespy.opensees as ops\nops.model('basic', '-ndm', 1, '-ndf', 1)\nops.node(1, 0.0)\n"
            "ops.node(2, 1.0)\nops.fix(1, 1)\nops.mass(2, 4.0)\nops.uniaxialMaterial('Elastic', 1, 400.0)\n"
            "ops.element('zeroLength', 1, 1, 2, '-mat', 1, '-dir', 1)\nprint(ops.eigen('-fullGenLapack', 1))\n")
    result = box.run(code)
    assert result.model.eigen_periods_s == [pytest.approx(2 * math.pi / 10.0, rel=1e-6)]
