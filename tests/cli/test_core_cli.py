from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))
from sample_factory import synthetic_sample  # noqa: E402

from civilinstruct import __version__
from civilinstruct.cli.app import app
from civilinstruct.store import Store


def fill(data: Path) -> None:
    store = Store(data)
    with store.writer("long_code", "v1", shard_size=2) as w:
        for i in range(3):
            w.add(synthetic_sample(i))
    with store.writer("bug_cot", "v1") as w:
        for i in range(4):
            s = synthetic_sample(i, part="bug_cot")
            s.failure_type = "syntax" if i % 2 else "missing_fix"
            w.add(s)


def test_help_and_version(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("doctor", "catalog", "show"):
        assert command in result.output
    result = runner.invoke(app, ["--version"])
    assert result.output.strip() == f"civilinstruct {__version__}"


def test_catalog_json_lists_parts_and_builds(runner, data_dir):
    fill(data_dir)
    result = runner.invoke(app, ["catalog", str(data_dir), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {(p["part"], p["samples"], p["shards"]) for p in out["parts"]} == {("long_code", 3, 2), ("bug_cot", 4, 1)}
    assert len(out["builds"]) == 2 and all(b["status"] == "done" for b in out["builds"])


def test_catalog_by_column(runner, data_dir):
    fill(data_dir)
    result = runner.invoke(app, ["catalog", str(data_dir), "--part", "bug_cot", "--by", "failure_type", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["by"]["rows"]
    assert {r["value"]: r["samples"] for r in rows} == {"syntax": 2, "missing_fix": 2}
    human = runner.invoke(app, ["catalog", str(data_dir), "--by", "execution.status"])
    assert human.exit_code == 0 and "samples by execution.status" in human.output
    bad = runner.invoke(app, ["catalog", str(data_dir), "--by", "no_such_column"])
    assert bad.exit_code == 1 and "no_such_column" in bad.output
    injected = runner.invoke(app, ["catalog", str(data_dir), "--by", "1; DROP TABLE shards"])
    assert injected.exit_code == 1
    assert Store(data_dir).summary()["parts"]


def test_catalog_errors_are_one_line(runner, tmp_path):
    result = runner.invoke(app, ["catalog", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "no catalog here" in result.output
    result = runner.invoke(app, ["catalog", str(tmp_path), "--part", "nope"])
    assert result.exit_code == 1


def test_show_one_sample(runner, data_dir):
    fill(data_dir)
    sample = synthetic_sample(1)
    result = runner.invoke(app, ["show", str(data_dir), sample.id[:10]])
    assert result.exit_code == 0, result.output
    assert "Model building 1" in result.output and "long_code" in result.output
    result = runner.invoke(app, ["show", str(data_dir), sample.id, "--json"])
    assert json.loads(result.output)["code"] == "print(1)"
    missing = runner.invoke(app, ["show", str(data_dir), "f" * 64])
    assert missing.exit_code == 1 and "no sample" in missing.output


def test_doctor_reports_openseespy(runner):
    result = runner.invoke(app, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.output)}
    assert checks["openseespy"]["status"] == "ok"
    assert re.match(r"imports, OpenSees \d", checks["openseespy"]["detail"])
    assert checks["blas/lapack"]["status"] == "ok"
