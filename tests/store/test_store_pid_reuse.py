"""Issue 20: a build is known by its pid, start time and boot, so a reused pid does not keep a dead build running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from test_store_faults import run_child  # noqa: E402

from civilinstruct.store import Store
from civilinstruct.store.process import Holder, boot_id, start_ticks


def statuses(data: Path) -> list[str]:
    return [b["status"] for b in Store(data).summary()["builds"]]


def record(data: Path, pid: int, start: int | None, boot: str | None = None) -> None:
    """Point the killed build's recorded process at `pid` (what a pid reused by the kernel looks like)."""
    con = duckdb.connect(str(data / "catalog.duckdb"))
    try:
        con.execute("UPDATE builds SET pid = ?, pid_start = ?, boot_id = coalesce(?, boot_id)", [pid, start, boot])
    finally:
        con.close()


def test_a_build_records_its_pid_start_time_and_boot(tmp_path: Path) -> None:
    data = tmp_path / "data"
    killed = run_child(data, "write_table", "2")
    assert killed.returncode == -signal.SIGKILL
    con = duckdb.connect(str(data / "catalog.duckdb"), read_only=True)
    try:
        pid, start, boot, status = con.execute("SELECT pid, pid_start, boot_id, status FROM builds").fetchone()
    finally:
        con.close()
    assert status == "running" and pid > 0 and start > 0 and boot == boot_id()


def test_a_live_process_that_reused_the_pid_is_not_the_build(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_child(data, "write_table", "2").returncode == -signal.SIGKILL
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        real_start = start_ticks(stranger.pid)
        assert real_start is not None
        record(data, stranger.pid, real_start - 1)  # its pid, alive, but a process that started at another time
        assert statuses(data) == ["interrupted"]
        record(data, stranger.pid, real_start)  # the very process: still running
        assert statuses(data) == ["running"]
        record(data, stranger.pid, real_start, boot="0" * 8 + "-before-a-reboot")  # its pid and start, older boot
        assert statuses(data) == ["interrupted"]
    finally:
        stranger.kill()
        stranger.wait()
    record(data, stranger.pid, real_start, boot=boot_id())
    assert statuses(data) == ["interrupted"]  # gone


def test_holder_identity() -> None:
    me = Holder.me()
    assert me.pid == os.getpid() and me.start is not None and me.alive()
    assert not Holder(me.pid, me.start + 1, me.boot).alive()
    assert Holder.from_json(me.as_json()) == me and Holder.from_json({"pid": "x"}) is None
