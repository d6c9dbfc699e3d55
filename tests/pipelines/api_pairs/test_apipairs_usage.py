"""Unused model objects (issue 18.2): a node nothing connects, an element neither analysed nor read, a pattern with
no load or never analysed, a recorder whose file is never read. Each bad snippet runs cleanly in the real sandbox
(exit 0, no OpenSees warning), so only the usage check can drop it; the fixed snippet passes every check."""

from __future__ import annotations

import pytest

from civilinstruct.pipelines.api_pairs.semantic import problems, reason
from civilinstruct.opensees_docs.source import load_source, resolve_docs
from civilinstruct.sandbox import Sandbox

BASE = """import openseespy.opensees as ops
ops.wipe()
ops.model('basic', '-ndm', 2, '-ndf', 3)
ops.node(1, 0.0, 0.0)
ops.node(2, 0.0, 3.0)
ops.fix(1, 1, 1, 1)
ops.geomTransf('Linear', 1)
ops.element('elasticBeamColumn', 1, 1, 2, 0.16, 3.0e7, 2.1e-3, 1)
ops.timeSeries('Linear', 1)
ops.pattern('Plain', 1, 1)
ops.load(2, 5.0, 0.0, 0.0)
{extra}ops.constraints('Transformation')
ops.numberer('RCM')
ops.system('BandGeneral')
ops.test('NormDispIncr', 1e-08, 10)
ops.algorithm('Linear')
ops.integrator('LoadControl', 1.0)
ops.analysis('Static')
assert ops.analyze(1) == 0
print('tip:', ops.nodeDisp(2, 1))
{after}"""

CASES = {  # kind: (bad extra, bad after, fixed extra, fixed after)
    # a free node inside the analysed model makes it singular (a warning); after the run it passes silently
    "node": ("", "ops.node(3, 1.0, 3.0)\nprint(ops.nodeCoord(3))\n",
             "ops.node(3, 1.0, 3.0)\nops.equalDOF(2, 3, 1)\nops.fix(3, 0, 1, 1)\n", ""),
    "element": ("", "ops.node(3, 2.0, 0.0)\nops.fix(3, 1, 1, 1)\n"
                    "ops.element('elasticBeamColumn', 2, 2, 3, 0.16, 3.0e7, 2.1e-3, 1)\n",
                "", "ops.node(3, 2.0, 0.0)\nops.fix(3, 1, 1, 1)\n"
                    "ops.element('elasticBeamColumn', 2, 2, 3, 0.16, 3.0e7, 2.1e-3, 1)\nprint(ops.eleForce(2))\n"),
    "pattern": ("ops.pattern('Plain', 2, 1)\n", "", "ops.pattern('Plain', 2, 1)\nops.load(2, 0.0, -10.0, 0.0)\n", ""),
    "recorder": ("ops.recorder('Node', '-file', 'tip.txt', '-time', '-node', 2, '-dof', 1, 'disp')\n", "",
                 "ops.recorder('Node', '-file', 'tip.txt', '-time', '-node', 2, '-dof', 1, 'disp')\n",
                 "ops.remove('recorders')\nprint(open('tip.txt').read())\n"),
}


@pytest.fixture(scope="module")
def runs():
    codes = [BASE.format(extra=bad, after=bad_after) for bad, bad_after, _, _ in CASES.values()]
    codes += [BASE.format(extra=good, after=good_after) for _, _, good, good_after in CASES.values()]
    codes.append(BASE.format(extra="", after="ops.timeSeries('Linear', 3)\nops.pattern('Plain', 3, 3)\n"
                                             "ops.load(2, 1.0, 0.0, 0.0)\n"))  # loaded, never analysed
    with Sandbox(timeout=30, workers=2) as sb:
        return list(zip(codes, sb.run_many(codes)))


@pytest.fixture(scope="module")
def sig_doc():
    by_key = {c.key: c for c in load_source(resolve_docs(None)).commands()}
    load = by_key["load"]
    return load.signatures[0], load.doc


def test_each_unused_kind_runs_cleanly_but_is_dropped_with_its_reason(runs, sig_doc) -> None:
    for kind, (code, result) in zip(CASES, runs[:len(CASES)]):
        assert result.status == "ok" and "WARNING" not in (result.stderr or ""), (kind, result.stderr)
        found = problems(code, result, *sig_doc)
        assert found and reason(found) == f"semantic: unused {kind}", (kind, found)


def test_the_used_versions_pass(runs, sig_doc) -> None:
    for kind, (code, result) in zip(CASES, runs[len(CASES):2 * len(CASES)]):
        assert result.status == "ok", (kind, result.stderr)
        assert problems(code, result, *sig_doc) == [], kind
    assert "0.00" in runs[2 * len(CASES) - 1][1].stdout  # the recorder file was read back, with its numbers


def test_a_loaded_pattern_after_the_last_analysis_is_unused(runs, sig_doc) -> None:
    code, result = runs[-1]
    found = problems(code, result, *sig_doc)
    assert result.status == "ok" and found == ["line 22: pattern 3 is never used (no analysis applies it)"]
