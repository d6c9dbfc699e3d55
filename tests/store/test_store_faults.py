"""Broken data directories and hostile disks: a bad shard is named with its repair, a full or read-only disk is one
line, a dead build shows as interrupted, a lost WAL never costs a committed shard, and copies read their own shards.

The full-disk tests mount a real 4 MB tmpfs (they need root; elsewhere they skip rather than fake the error).
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sample_factory import synthetic_sample  # noqa: E402

from civilinstruct.errors import CivilError
from civilinstruct.store import Store
from civilinstruct.store.sample import Message

CHILD = Path(__file__).with_name("crash_child.py")
N, SHARD = 40, 7


def run_child(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHILD), str(data), str(N), str(SHARD), *args],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=120)


def built(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert run_child(data).returncode == 0
    return data


def shard(data: Path, index: int) -> Path:
    return data / "long_code" / "v1" / f"shard-{index:05d}.parquet"


def resume(data: Path, **kwargs: object) -> None:
    with Store(data, **kwargs).writer("long_code", "v1", shard_size=SHARD) as w:
        for i in range(N):
            w.add(synthetic_sample(i))


# -- bad shards: named, with the repair ----------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_resume_over_a_bad_shard_names_it_and_the_repair(tmp_path: Path, damage: str) -> None:
    data = built(tmp_path)
    bad = shard(data, 2)
    if damage == "truncate":
        bad.write_bytes(bad.read_bytes()[:200])
    else:
        bad.unlink()
    with pytest.raises(CivilError) as info:
        resume(data)
    message = str(info.value)
    assert "\n" not in message and "shard-00002.parquet" in message and "--repair" in message
    assert [b["status"] for b in Store(data).summary()["builds"]] == ["done"]  # nothing started, nothing changed

    problems = Store(data).verify()
    assert [p["path"] for p in problems] == ["long_code/v1/shard-00002.parquet"]
    resume(data, repair=True)  # drops the bad shard, rebuilds its ids
    assert Store(data).verify() == []
    ids = Store(data).read("long_code").column("id").to_pylist()
    assert sorted(ids) == sorted(synthetic_sample(i).id for i in range(N))


def test_a_shard_with_fewer_rows_than_registered_is_found(tmp_path: Path) -> None:
    data = built(tmp_path)
    import pyarrow.parquet as pq

    table = pq.read_table(shard(data, 1))
    pq.write_table(table.slice(0, 3), shard(data, 1))
    problems = Store(data).verify()
    assert len(problems) == 1 and "3 rows" in problems[0]["problem"] and "7" in problems[0]["problem"]


# -- builds that died ----------------------------------------------------------------------------------------------
def test_a_killed_build_shows_as_interrupted_without_another_build(tmp_path: Path) -> None:
    data = tmp_path / "data"
    killed = run_child(data, "write_table", "2")
    assert killed.returncode == -signal.SIGKILL
    assert [b["status"] for b in Store(data).summary()["builds"]] == ["interrupted"]


@pytest.mark.slow
def test_sigterm_and_sighup_flush_and_mark_interrupted(tmp_path: Path) -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        data = tmp_path / f"data-{sig.name}"
        proc = subprocess.Popen([sys.executable, str(CHILD), str(data), str(N), "1000"],
                                env={**os.environ, "DELAY_S": "0.05", "SIGNALS": "1"},
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not (data / ".build.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(1.0)  # some samples buffered, none flushed (the shard size is 1000)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode not in (0, -sig), err
        summary = Store(data).summary()
        assert [b["status"] for b in summary["builds"]] == ["interrupted"]
        assert 0 < summary["parts"][0]["samples"] < N  # the buffered samples were flushed, not lost


# -- the WAL and orphans ------------------------------------------------------------------------------------------
def flip(raw: bytes, at: int) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1:]


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_corrupt_wal_never_costs_a_committed_shard(tmp_path: Path, damage: str) -> None:
    """A WAL cut short loses its last commits silently (DuckDB replays what it can); one with a bad checksum refuses
    to open. Either way no shard file is deleted: lost registrations are adopted, a refused WAL needs --repair."""
    data = tmp_path / "data"
    killed = run_child(data, "after_register", "3")  # three shards committed, the last one only in the WAL
    assert killed.returncode == -signal.SIGKILL
    wal = data / "catalog.duckdb.wal"
    raw = wal.read_bytes()
    wal.write_bytes(raw[:-40] if damage == "truncate" else flip(raw, len(raw) // 3))
    files = {p.name: (p.stat().st_ino, p.read_bytes()) for p in (data / "long_code" / "v1").glob("shard-*")}
    assert len(files) == 3
    rerun = run_child(data)
    if damage == "flip":
        assert rerun.returncode != 0 and "write-ahead log" in rerun.stderr and "--repair" in rerun.stderr
        assert {p.name for p in (data / "long_code" / "v1").glob("shard-*")} == set(files)
        rerun = run_child(data, REPAIR="1")
    assert rerun.returncode == 0, rerun.stderr
    for name, (inode, content) in files.items():  # kept (adopted), not deleted and recomputed
        path = data / "long_code" / "v1" / name
        assert path.stat().st_ino == inode and path.read_bytes() == content
    ids = Store(data).read("long_code").column("id").to_pylist()
    assert sorted(ids) == sorted(synthetic_sample(i).id for i in range(N))
    # the damage really lost the last registration, and the shard was registered again from its file
    assert "adopted" in {r["build_id"] for r in Store(data).query("SELECT build_id FROM shards")}


def test_an_unreadable_unregistered_shard_is_reported_not_deleted(tmp_path: Path) -> None:
    data = built(tmp_path)
    stray = shard(data, 99)
    stray.write_bytes(b"PAR1 not really")
    with pytest.raises(CivilError, match=r"shard-00099\.parquet.*--repair"):
        resume(data)
    assert stray.exists()
    resume(data, repair=True)
    assert not stray.exists()


# -- the samples view -----------------------------------------------------------------------------------------------
def test_a_copied_or_moved_data_dir_reads_its_own_shards(tmp_path: Path) -> None:
    data = built(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    moved = tmp_path / "moved"
    data.rename(moved)  # the original is gone: a copy must not read it, a moved one must still work
    for where in (copy, moved):
        with duckdb.connect(str(where / "catalog.duckdb"), read_only=True) as con:
            con.execute(f"SET file_search_path = '{where}'")
            assert con.execute("SELECT count(*) FROM samples").fetchone()[0] == N
        got = subprocess.run([sys.executable, "-c", "import duckdb; c = duckdb.connect('catalog.duckdb', read_only="
                              "True); print(c.execute('SELECT count(*) FROM samples').fetchone()[0])"],
                             cwd=where, capture_output=True, text=True, timeout=60)
        assert got.stdout.strip() == str(N), got.stderr


# -- a reader holding the catalog -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_reader_holding_the_catalog_for_35_s_does_not_fail_a_build(tmp_path: Path) -> None:
    data = built(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
                               "read_only=True); print('held', flush=True); time.sleep(35)",
                               str(data / "catalog.duckdb")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        more = run_child(data, N_OVERRIDE="47")
        assert more.returncode == 0, more.stderr
        assert "catalog" in more.stderr and "waiting" in more.stderr
    finally:
        holder.kill()
        holder.wait()
    assert Store(data).read("long_code").num_rows == 47


# -- full and read-only disks (a real tmpfs) ------------------------------------------------------------------------
@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def big_sample(i: int) -> object:
    s = synthetic_sample(i)
    noise = base64.b64encode(os.urandom(60_000)).decode()  # incompressible: 80 KB on disk
    return s.model_copy(update={"messages": [*s.messages[:1], Message(role="assistant", content=noise)]})


def test_enospc_while_writing_a_shard_is_one_line(tiny_fs: Path) -> None:
    data = tiny_fs / "data"
    with pytest.raises(CivilError) as info:
        with Store(data).writer("long_code", "v1", shard_size=4) as w:
            for i in range(100):
                w.add(big_sample(i))
    message = str(info.value)
    assert "\n" not in message and "no space left" in message.lower() and "ENOSPC" in message
    registered = Store(data).shard_paths("long_code")
    assert registered and all(p.exists() for p in registered)
    assert Store(data).verify() == []
    assert not [p for p in (data / "long_code" / "v1").iterdir() if p.name.startswith(".tmp-")]
    assert [b["status"] for b in Store(data).summary()["builds"]] != ["running"]


def test_enospc_while_creating_the_catalog_is_one_line(tiny_fs: Path) -> None:
    data = tiny_fs / "data"
    data.mkdir()
    filler = tiny_fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    with pytest.raises(CivilError) as info:
        with Store(data).writer("long_code", "v1") as w:
            w.add(synthetic_sample(0))
    assert "\n" not in str(info.value) and "no space left" in str(info.value).lower()


def test_erofs_is_one_line(tiny_fs: Path) -> None:
    data = tiny_fs / "data"
    resume(data)
    assert subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)]).returncode == 0
    with pytest.raises(CivilError) as info:
        resume(data)
    assert "\n" not in str(info.value) and "read-only" in str(info.value).lower()
