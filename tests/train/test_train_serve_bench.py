"""The GRPO checkpoint is served by `civilinstruct serve --backend hf` (real HTTP on loopback) and benched."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from trainkit import invoke_json, weak_isolation

pytest.importorskip("trl")
pytestmark = [
    pytest.mark.train,
    pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in
                           ("civilinstruct.server", "civilinstruct.cli.serve", "civilinstruct.cli.bench")),
                       reason="the serve and bench modules are not in this tree yet"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_trained_checkpoint_serves_and_benches(grpo_run: Path, tmp_path: Path) -> None:
    port = _free_port()
    cli = Path(sys.executable).with_name("civilinstruct")
    server = subprocess.Popen([str(cli), "serve", "--backend", "hf", "--model", str(grpo_run), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                models = httpx.get(f"{base}/models", timeout=2).json()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.5)
        name = models["data"][0]["id"]
        weak = ["--allow-weak-isolation"] if weak_isolation() else []
        invoke_json(["bench", "cases", "--n", "2", "--out", str(tmp_path / "cases.parquet"), "--json", *weak])
        summary = invoke_json(["bench", "run", "--cases", str(tmp_path / "cases.parquet"),
                               "--out", str(tmp_path / "gens.parquet"), "--base-url", base, "--model", name,
                               "-n", "2", "--max-tokens", "48", "--json"])
        assert summary["generations"] == 4
        gens = pq.read_table(tmp_path / "gens.parquet").to_pylist()
        assert len(gens) == 4
        assert any(json.dumps(g, default=str).strip() for g in gens)
    finally:
        server.terminate()
        server.wait(timeout=30)
