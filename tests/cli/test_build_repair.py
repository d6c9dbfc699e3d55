"""`build --repair`, `catalog --verify` and stop signals, through the real command line (toy pipelines from
test_build_cli write through the real Store)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_build_cli import PARTS, toy  # noqa: F401  (the fixture)
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.store import Store

runner = CliRunner()


def test_repair_and_verify(toy: Path, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "d"
    assert runner.invoke(app, ["build", "long_code", "--n", "6", "--data", str(data)]).exit_code == 0
    assert runner.invoke(app, ["catalog", str(data), "--verify"]).exit_code == 0
    bad = data / "long_code" / "v1" / "shard-00001.parquet"
    bad.write_bytes(bad.read_bytes()[:100])

    res = runner.invoke(app, ["build", "long_code", "--n", "6", "--data", str(data)])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "shard-00001.parquet" in lines[0] and "--repair" in lines[0], res.output

    res = runner.invoke(app, ["catalog", str(data), "--verify", "--json"])
    assert res.exit_code == 1
    assert [p["path"] for p in json.loads(res.stdout)["problems"]] == ["long_code/v1/shard-00001.parquet"]
    res = runner.invoke(app, ["catalog", str(data), "--verify"])
    assert res.exit_code == 1 and "shard-00001.parquet" in res.output and "--repair" in res.output

    res = runner.invoke(app, ["build", "long_code", "--n", "6", "--data", str(data), "--repair", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)["parts"][0]
    assert report["written"] == 2 and report["skipped_existing"] == 4
    assert runner.invoke(app, ["catalog", str(data), "--verify"]).exit_code == 0
    ids = Store(data).read("long_code").column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 6


@pytest.mark.slow
def test_sigterm_and_sighup_stop_a_build_like_ctrl_c(tmp_path: Path) -> None:
    boot = ("import sys, civilinstruct.pipelines.registry as p; "
            f"sys.path.insert(0, {str(tmp_path / 'toy_pipes')!r}); "
            f"p.MODULES.update({{k: 'toy_' + k for k in {list(PARTS)!r}}}); "
            "from civilinstruct.cli.app import app; app(sys.argv[1:])")
    from test_build_cli import TOY

    (tmp_path / "toy_pipes").mkdir()
    for part in PARTS:
        (tmp_path / "toy_pipes" / f"toy_{part}.py").write_text(TOY.format(part=part))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        data = tmp_path / f"d-{sig.name}"
        proc = subprocess.Popen([sys.executable, "-c", boot, "build", "long_code", "--n", "40", "--data", str(data)],
                                env={**os.environ, "TOY_DELAY": "0.2"}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(data.glob("long_code/v1/shard-*.parquet"))) < 1:
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        builds = Store(data).summary()["builds"]
        assert [b["status"] for b in builds] == ["interrupted"]
        assert builds[0]["written"] == Store(data).read("long_code").num_rows >= 2, err  # flushing: test_store_faults
