"""The section-6.3 failure taxonomy on held-back failing programs, one per label, run through the real sandbox
and scored by `bench score` (CLI, table, JSON and the HTML report with its plot)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from civilinstruct.bench.score import score_rows
from civilinstruct.cli.app import app
from civilinstruct.design import BuildingSpec
from civilinstruct.sandbox import Sandbox

SPEC = BuildingSpec(stories=3, story_height_m=3.3, bays_x=1, bays_y=1, span_x_m=6.0, span_y_m=6.0)
INSTRUCTION = SPEC.to_instruction(variant_seed=0)


def frame(stories: int = 3, mass: bool = True, h: float = 3.3) -> str:
    """A one-bay frame with stories x h m and a 6 m span (the spec's X frame), up to its eigen call."""
    lines = ["import openseespy.opensees as ops", "ops.wipe()", 'ops.model("basic", "-ndm", 2, "-ndf", 3)',
             'ops.geomTransf("Linear", 1)']
    for j in range(stories + 1):
        for i in (0, 1):
            lines.append(f"ops.node({10 * j + i + 1}, {6.0 * i}, {h * j})")
            lines.append(f"ops.fix({10 * j + i + 1}, 1, 1, 1)" if j == 0 else
                         (f"ops.mass({10 * j + i + 1}, 30.0, 1e-6, 1e-6)" if mass else "pass"))
    tag = 0
    for j in range(stories):
        for i in (0, 1):
            tag += 1
            lines.append(f"ops.element('elasticBeamColumn', {tag}, {10 * j + i + 1}, {10 * (j + 1) + i + 1}, "
                         "0.25, 3.0e7, 0.0052, 1)")
        tag += 1
        lines.append(f"ops.element('elasticBeamColumn', {tag}, {10 * (j + 1) + 1}, {10 * (j + 1) + 2}, "
                     "0.18, 3.0e7, 0.0054, 1)")
    return "\n".join(lines) + "\n"


EIGEN = "T1 = 2 * 3.141592653589793 / ops.eigen(1)[0] ** 0.5\n"
PRINT_T1 = 'print(f"T1 = {T1:.4f} s")\n'
GOOD_CHECKS = ('print("Max interstory drift = 1/800")\nprint("Drift check: 1/800 <= 1/550 -> PASS")\n'
               'print("Axial compression ratio check: max 0.60 <= 0.85 -> PASS")\nprint("Compliance: PASS")\n')
GOOD = frame() + EIGEN + PRINT_T1 + GOOD_CHECKS

HELD_BACK = {
    "SyntaxError.unterminated_string": "import openseespy.opensees as ops\nprint('T1 = 0.8 s)\n",
    "SyntaxError": "import openseespy.opensees as ops\nx = (\n",
    "NameError": frame() + "ops.eigen(nmodes)\n",
    "OpenSees.element": "import openseespy.opensees as ops\nops.wipe()\nops.model('basic', '-ndm', 2, '-ndf', 3)\n"
                        "ops.node(1, 0.0, 0.0)\nops.element('elasticBeamColumn', 1, 1, 2, 0.1, 1.0, 1.0, 1)\n",
    "Timeout": "while True:\n    pass\n",
    "Crashed": "import ctypes\nctypes.string_at(0)\n",
    "Terminated": frame() + "import os\nos._exit(0)\n" + EIGEN + PRINT_T1 + GOOD_CHECKS,
    "Compliance.Drift": frame() + EIGEN + PRINT_T1 + 'print("Max interstory drift = 1/420")\n'
                        'print("Drift check: 1/420 > 1/550 -> FAIL")\nprint("Compliance: FAIL")\n',
    "Compliance.Strength": frame() + EIGEN + PRINT_T1 + 'print("Max interstory drift = 1/800")\n'
                           'print("Drift check: 1/800 <= 1/550 -> PASS")\n'
                           'print("Column flexure check: max D/C = 1.21 > 1.00 -> FAIL")\nprint("Compliance: FAIL")\n',
    "Compliance.AxialRatio": frame() + EIGEN + PRINT_T1 + 'print("Max interstory drift = 1/800")\n'
                             'print("Drift check: 1/800 <= 1/550 -> PASS")\n'
                             'print("Axial compression ratio check: max 0.93 > 0.85 -> FAIL")\n'
                             'print("Compliance: FAIL")\n',
    "Compliance.Missing": frame() + EIGEN + PRINT_T1 + 'print("Max interstory drift = 1/800")\n',
    "Period.Unknown": frame() + GOOD_CHECKS,
    "Period.ModalSetup": frame(mass=False) + "try:\n    ops.eigen(1)\nexcept Exception:\n    pass\n" + GOOD_CHECKS,
    "Period.Unverified": frame() + 'print("T1 = 0.3000 s")\n' + GOOD_CHECKS,
    "Period.Mismatch": frame() + EIGEN + 'print(f"T1 = {T1 * 1.5:.4f} s")\n' + GOOD_CHECKS,
    "Period.OutOfTolerance": "TRUTH_X3",  # the good program against a reference three times its period
    # 3.0 m stories where 3.3 m were asked for: the period stays within 30%, the model is still the wrong building
    "Spec.story_height": frame(h=3.0) + EIGEN + PRINT_T1 + GOOD_CHECKS,
}


def answer(code: str) -> str:
    return f"<think>plan</think>\n<answer>\n```python\n{code}```\n</answer>"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with Sandbox(timeout=8.0, workers=2, allow_weak_isolation=True) as box:
        truth = box.run(GOOD).period_s
    out = [{"case_id": "good", "sample_index": 0, "completion": answer(GOOD), "ground_truth": truth,
            "instruction": INSTRUCTION, "t_ref_fe": truth, "t_ref_empirical": truth}]
    for name, code in HELD_BACK.items():
        gt = truth * 3 if code == "TRUTH_X3" else truth
        out.append({"case_id": name, "sample_index": 0, "completion": answer(GOOD if code == "TRUTH_X3" else code),
                    "ground_truth": gt, "instruction": INSTRUCTION, "t_ref_fe": gt, "t_ref_empirical": gt})
    return out


@pytest.mark.slow
def test_every_held_back_program_gets_its_label(rows: list[dict]) -> None:
    with Sandbox(timeout=8.0, workers=2, allow_weak_isolation=True) as box:
        summary = score_rows(rows, box, k=1)
    got = {o["case_id"]: o["mode"] for o in summary["outcomes"]}
    assert got.pop("good") is None
    assert got == {name: name for name in HELD_BACK}
    outcome = {o["case_id"]: o for o in summary["outcomes"]}
    # the paper's metrics read printed words: the unverified and mismatching periods pass its period check
    assert outcome["Period.Unverified"]["strict"] is False  # 0.3 s printed, far from the truth
    assert outcome["Spec.story_height"]["strict"] and not outcome["Spec.story_height"]["verified"]
    assert summary["metrics"]["pass@1_verified"] == pytest.approx(100 / len(rows), abs=0.01)
    assert summary["spec_conformance"]["wrong_fields"] == {"story_height": 1}
    stages = {s["stage"]: s["count"] for s in summary["failures"]["stages"]}
    assert stages == {"executability": 7, "compliance": 4, "period": 5, "spec": 1, "truncated": 0}


@pytest.mark.slow
def test_bench_score_cli_table_json_and_report(rows: list[dict], tmp_path: Path) -> None:
    gens = tmp_path / "gens.parquet"
    pq.write_table(pa.Table.from_pylist(rows), gens)
    runner = CliRunner()
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["bench", "score", str(gens), "--k", "1", "--report", str(report),
                                 "--allow-weak-isolation", "--timeout", "8"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # the console's width wraps lines
    assert "Compliance.AxialRatio" in text and "Period.Mismatch" in text and "OpenSees.element" in text
    assert "spec conformance:" in text and "wrong fields: story_height 1" in text
    page = report.read_text()
    assert "Period.Mismatch" in page and "data:image/png;base64," in page
    assert report.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(app, ["bench", "score", str(gens), "--k", "1", "--json", "--allow-weak-isolation",
                                 "--timeout", "8"])
    data = json.loads(result.output)
    assert data["spec_conformance"]["checked"] == 11 and data["failures"]["failed"] == len(HELD_BACK)
    assert data["metrics"]["pass@1_verified"] == pytest.approx(100 / len(rows), abs=0.01)


def test_bad_modes_are_one_line_errors(tmp_path: Path) -> None:
    gens = tmp_path / "gens.parquet"
    pq.write_table(pa.Table.from_pylist([{"case_id": "x", "sample_index": 0, "completion": "no code",
                                          "ground_truth": 1.0, "instruction": "say hello",
                                          "t_ref_fe": 1.0, "t_ref_empirical": 1.0}]), gens)
    runner = CliRunner()
    result = runner.invoke(app, ["bench", "score", str(gens), "--k", "1", "--ground-truth", "band"])
    assert result.exit_code == 1 and "no designable building" in result.output
    result = runner.invoke(app, ["bench", "score", str(gens), "--k", "1", "--ground-truth", "median"])
    assert result.exit_code == 1 and "fe, empirical or band" in result.output
    lines = tmp_path / "c.jsonl"
    lines.write_text('{"completion": "x", "ground_truth": 1.0}\n')
    result = runner.invoke(app, ["reward", str(lines), "--mode", "lenient"])
    assert result.exit_code == 1 and "--mode must be verified or paper" in result.output
