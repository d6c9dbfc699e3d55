"""SIGKILL a real build at several points: no half shard is ever registered, and the rerun ends exact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from sample_factory import synthetic_sample  # noqa: E402

from civilinstruct.errors import CivilError
from civilinstruct.store import Store

CHILD = Path(__file__).with_name("crash_child.py")
N, SHARD = 40, 7


def run_child(data: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHILD), str(data), str(N), str(SHARD), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def assert_consistent(data: Path, expect_all: bool) -> None:
    store = Store(data)
    ids = [s.id for s in store.iter_samples("long_code")] if store.exists() else []
    assert len(ids) == len(set(ids)), "an id was registered twice"
    expected = {synthetic_sample(i).id for i in range(N)}
    assert set(ids) <= expected
    if expect_all:
        assert set(ids) == expected
    # every registered shard is whole; no file lies around unregistered after a completed rerun
    registered = {p.name for p in store.shard_paths("long_code")} if store.exists() else set()
    for name in registered:
        pq.read_table(data / "long_code" / "v1" / name)
    if expect_all:
        on_disk = {p.name for p in (data / "long_code" / "v1").iterdir()}
        assert on_disk == registered


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["before_write", "write_table", "replace", "in_transaction"])
@pytest.mark.parametrize("k", [1, 3])
def test_sigkill_at_each_point_then_rerun(tmp_path: Path, fault: str, k: int):
    data = tmp_path / "data"
    killed = run_child(data, fault, str(k))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_consistent(data, expect_all=False)
    committed_before = len(Store(data).read("long_code")) if Store(data).exists() else 0
    assert committed_before == (k - 1) * SHARD
    rerun = run_child(data)
    assert rerun.returncode == 0, rerun.stderr
    assert_consistent(data, expect_all=True)
    statuses = [b["status"] for b in Store(data).summary()["builds"]]
    assert statuses == ["interrupted", "done"]


@pytest.mark.slow
def test_sigkill_while_the_catalog_is_created(tmp_path: Path):
    data = tmp_path / "data"
    killed = run_child(data, "create_catalog", "1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (data / "catalog.duckdb").exists()  # only a temporary file, never a half-made catalog
    assert_consistent(data, expect_all=False)
    assert run_child(data).returncode == 0
    assert_consistent(data, expect_all=True)
    assert [p.name for p in data.iterdir() if p.name.startswith(".catalog")] == []


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(delay=st.floats(min_value=0.0, max_value=1.5))
def test_sigkill_at_random_time_then_rerun(tmp_path_factory, delay: float):
    data = tmp_path_factory.mktemp("random") / "data"
    proc = subprocess.Popen([sys.executable, str(CHILD), str(data), str(N), str(SHARD)],
                            env={**os.environ, "SLOW": "1"})
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_consistent(data, expect_all=False)
    assert run_child(data).returncode == 0
    assert_consistent(data, expect_all=True)


@pytest.mark.slow
def test_second_build_gets_a_clear_lock_error(tmp_path: Path):
    data = tmp_path / "data"
    holder = subprocess.Popen([sys.executable, str(CHILD), str(data), str(N), str(SHARD)],
                              env={**os.environ, "HOLD": "30"})
    try:
        deadline = time.monotonic() + 30
        while not (data / ".build.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the holder has the lock once it sleeps
        with pytest.raises(CivilError, match="another build is writing") as info:
            with Store(data).writer("long_code", "v1"):
                pass
        assert f"held by pid {holder.pid}: python" in str(info.value)  # the holder, named (issue 20)
    finally:
        holder.kill()
        holder.wait()
    assert run_child(data).returncode == 0  # the lock dies with its holder
    assert_consistent(data, expect_all=True)
