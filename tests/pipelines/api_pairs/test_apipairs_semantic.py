"""Semantic verification of API pairs through the real sandbox: warnings, failed analyses, self-ties, unused
objects and out-of-range values are caught; generated pairs exercise their object and read a result back."""

from __future__ import annotations

import re

import pytest

from civilinstruct.pipelines.api_pairs.generate import render, unsupported_reason
from civilinstruct.pipelines.api_pairs.ranges import doc_bounds, out_of_range
from civilinstruct.pipelines.api_pairs.semantic import exercised, problems, reason, self_ties, unused_objects, _calls
from civilinstruct.opensees_docs.source import load_source, resolve_docs
from civilinstruct.sandbox import Sandbox

import ast


@pytest.fixture(scope="module")
def by_key() -> dict:
    return {c.key: c for c in load_source(resolve_docs(None)).commands()}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(timeout=30, workers=2) as sb:
        yield sb


def calls(code: str):
    return _calls(ast.parse(code))


HEAD = "import openseespy.opensees as ops\nops.wipe()\nops.model('basic', '-ndm', 2, '-ndf', 3)\n"


def test_self_ties_are_found_through_variables_and_lists() -> None:
    assert self_ties(calls(HEAD + "ops.equalDOF(2, 2, 1)\n"))
    assert self_ties(calls(HEAD + "r = 2\nc = 2\nops.rigidLink('bar', r, c)\n"))
    assert self_ties(calls(HEAD + "cs = [21, 30]\nops.rigidDiaphragm(3, 30, *cs)\n"))
    assert not self_ties(calls(HEAD + "ops.equalDOF(2, 3, 1, 2)\n"))


def test_unused_objects_are_found_and_uses_count() -> None:
    unused = HEAD + "ops.uniaxialMaterial('Elastic', 101, 2e5)\nops.uniaxialMaterial('Elastic', 1, 2e5)\n" \
                    "ops.testUniaxialMaterial(1)\n"
    found = unused_objects(calls(unused))
    assert len(found) == 1 and "uniaxialMaterial 101" in found[0]
    used = HEAD + "ops.uniaxialMaterial('Elastic', 101, 2e5)\nops.section('Fiber', 1)\n" \
                  "ops.patch('rect', 101, 2, 2, -1.0, -1.0, 1.0, 1.0)\nops.node(1, 0, 0)\nops.node(2, 0, 0)\n" \
                  "ops.element('zeroLengthSection', 1, 1, 2, 1)\n"
    assert unused_objects(calls(used)) == []
    series = HEAD + "ops.timeSeries('Linear', 5)\nops.timeSeries('Linear', 6)\nops.pattern('Plain', 1, 6)\n"
    assert [f for f in unused_objects(calls(series))] == ["line 4: timeSeries 5 is never used"]


def test_documented_ranges_are_read_where_they_are_unit_free() -> None:
    assert doc_bounds("0 to 0.2, typically 0.05", "-") == (0.0, 0.2, False, False)
    assert doc_bounds("> 0; about 200 GPa for steel", "stress") == (0.0, float("inf"), True, False)
    assert doc_bounds("> 235 MPa", "stress") is None  # a bound with a unit: not checked without the unit system
    assert doc_bounds("1e8 to 1e14 times the typical stiffness", "-") is None


def test_values_out_of_range_are_reported(by_key: dict) -> None:
    damping = by_key["modalDamping"]
    code = HEAD + "ops.modalDamping(9.81)\n"
    assert out_of_range(code, damping.signatures[0], damping.doc)
    assert not out_of_range(HEAD + "ops.modalDamping(0.05)\n", damping.signatures[0], damping.doc)
    pp = by_key["uniaxialMaterial('ElasticPP')"]
    bad = out_of_range(HEAD + "ops.uniaxialMaterial('ElasticPP', 1, 2e5, 2.0)\n", pp.signatures[0], pp.doc)
    assert bad and "strain" in bad[0]


def test_every_generated_value_is_in_range_and_instructions_state_units(by_key: dict) -> None:
    """All commands, four variants: no value outside its kind's or documented range, units always stated, and
    no instruction asks the user to pick a tag."""
    for command in by_key.values():
        if unsupported_reason(command):
            continue
        for variant in range(4):
            cand = render(command, variant, 0)
            sig = cand.signature
            assert out_of_range(cand.code, sig, command.doc) == [], (command.key, variant)
            assert cand.units and cand.units in cand.instruction, cand.instruction
            assert not re.search(r"[Tt]ag\w* = \d", cand.instruction), cand.instruction
            assert not any(line.rstrip().endswith("...") for line in cand.code.splitlines())


def test_opensees_warnings_and_failed_eigen_are_problems(by_key: dict, sandbox) -> None:
    singular = HEAD + ("ops.node(1, 0, 0)\nops.node(2, 0, 1)\nops.fix(1, 1, 1, 1)\nops.mass(2, 1.0, 1.0, 0.0)\n"
                       "ops.timeSeries('Linear', 1)\nops.pattern('Plain', 1, 1)\nops.load(2, 1.0, 0.0, 0.0)\n"
                       "ops.system('BandGeneral')\nops.numberer('Plain')\nops.constraints('Plain')\n"
                       "ops.test('NormDispIncr', 1e-8, 5)\nops.algorithm('Newton')\n"
                       "ops.integrator('LoadControl', 1.0)\nops.analysis('Static')\nops.analyze(1)\n")
    disp = by_key["nodeDisp"]
    result = next(iter(sandbox.run_many([singular + "print(ops.nodeDisp(2, 1))\n"])))
    assert result.status == "ok"  # it "runs": exit status alone would keep it
    found = problems(singular, result, disp.signatures[0], disp.doc)
    assert found and reason(found) == "semantic: OpenSees warning or error"


KEYS = ["uniaxialMaterial('Steel01')", "uniaxialMaterial('Concrete02')", "element('forceBeamColumn')",
        "element('twoNodeLink')", "element('MVLEM')", "nDMaterial('ElasticIsotropic')", "section('Fiber')",
        "patch('rect')", "geomTransf('PDelta')", "beamIntegration('Lobatto')", "timeSeries('Path')",
        "pattern('UniformExcitation')", "responseSpectrumAnalysis", "modalProperties", "rigidDiaphragm",
        "equalDOF", "sensNodeDisp", "parameter", "modalDamping", "eigen", "uniaxialMaterial('Steel4')"]


def test_generated_pairs_run_clean_and_read_a_result(by_key: dict, sandbox) -> None:
    """Task-shaped pairs of the families the issue names: they run with no OpenSees warning, no failed analysis,
    no unused object and no self-tie, and each one reads a result back."""
    todo = [(k, v) for k in KEYS if k in by_key for v in (0, 1)]
    assert len(todo) >= 2 * (len(KEYS) - 3)  # the embedded set documents (nearly) all of them
    cands = [render(by_key[k], v, 0) for k, v in todo]
    results = list(sandbox.run_many([c.code for c in cands]))
    clean = 0
    for (key, variant), cand, result in zip(todo, cands, results):
        if result.status != "ok":
            continue
        assert problems(cand.code, result, cand.signature, by_key[key].doc) == [], (key, variant)
        done = exercised(cand.code)
        assert done["ran"] and (done["read"] or "print(" in cand.code), (key, variant)
        clean += 1
    assert clean >= len(todo) - 4  # a few variants may fail to run; those are dropped by the build, not kept
    sens = next(r for (k, v), r in zip(todo, results) if k == "sensNodeDisp" and v == 0)
    du_de, minus_u_over_e = map(float, re.search(r"du/dE = (\S+)\s+-u/E = (\S+)", sens.stdout).groups())
    assert du_de == pytest.approx(minus_u_over_e, rel=1e-6) and du_de < 0  # the gradient is right, not just run


def test_docs_coverage_reports_every_family(by_key: dict) -> None:
    from civilinstruct.pipelines.api_pairs.coverage import coverage

    docs = load_source(resolve_docs(None))
    cov = coverage(docs, {"uniaxialMaterial('Steel01')": 2, "rigidDiaphragm": 1}, {})
    fams = cov.summary()["families"]
    assert fams["uniaxial materials"]["verified"] == 1 and fams["model building"]["verified"] == 1
    assert fams["elements"]["verified"] == 0 and fams["elements"]["commands"] >= 10
    assert sum(r["commands"] for r in fams.values()) == cov.commands and len(fams) == 10
