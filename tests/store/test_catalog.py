"""store.catalog: the DuckDB catalog's creation, migrations, refusals and the samples view, on real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civilinstruct.errors import CivilError
from civilinstruct.store import catalog as C


def test_created_once_with_every_migration(tmp_path: Path) -> None:
    """Guards creation: the catalog appears fully migrated (every named migration, once), a stale temporary file
    of a killed creation is removed, and reopening applies nothing twice."""
    stale = tmp_path / f".{C.CATALOG_NAME}.tmp-99999"
    stale.write_bytes(b"half")
    with C.connect(tmp_path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
        columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'builds'").fetchall()}
    assert names == [name for name, _ in C.MIGRATIONS]
    assert {"pid", "pid_start", "boot_id"} <= columns
    assert not stale.exists()
    with C.connect(tmp_path) as con:
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(C.MIGRATIONS)  # type: ignore[index]
    assert sorted(p.name for p in tmp_path.iterdir()) == [C.CATALOG_NAME]


def test_read_only_refusals(tmp_path: Path) -> None:
    """Guards the reader's errors: no catalog, a DuckDB file without our tables, and a file that is not DuckDB."""
    with pytest.raises(CivilError, match="no catalog here"):
        with C.connect(tmp_path, read_only=True):
            pass
    duckdb.connect(str(tmp_path / C.CATALOG_NAME)).close()
    with pytest.raises(CivilError, match="missing tables: builds, schema_migrations, shards"):
        with C.connect(tmp_path, read_only=True):
            pass
    other = tmp_path / "other"
    other.mkdir()
    (other / C.CATALOG_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(CivilError, match="cannot open the catalog|not a valid civilinstruct catalog"):
        with C.connect(other):
            pass


def test_a_held_catalog_is_waited_for_then_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the lock wait: while another process holds the catalog, a writer gives up after the limit with
    one line naming that process (DuckDB's lock message carries its PID)."""
    with C.connect(tmp_path):
        pass
    holder = subprocess.Popen([sys.executable, "-c",
                               "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                               "sys.stdin.read()", str(tmp_path / C.CATALOG_NAME)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("CIVILINSTRUCT_CATALOG_WAIT_S", "0")
        with pytest.raises(CivilError, match=rf"another process has held the catalog open .*PID {holder.pid}"):
            with C.connect(tmp_path):
                pass
    finally:
        holder.communicate("", timeout=30)


def test_wait_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the setting: a number (negative clamps to 0), the 600 s default, a word is a user error."""
    monkeypatch.delenv("CIVILINSTRUCT_CATALOG_WAIT_S", raising=False)
    assert C.wait_limit_s() == 600.0
    monkeypatch.setenv("CIVILINSTRUCT_CATALOG_WAIT_S", "-3")
    assert C.wait_limit_s() == 0.0
    monkeypatch.setenv("CIVILINSTRUCT_CATALOG_WAIT_S", "soon")
    with pytest.raises(CivilError, match="number of seconds"):
        C.wait_limit_s()


def test_samples_view_reads_shards_by_relative_path(tmp_path: Path) -> None:
    """Guards the view: registered shards (a name with a quote included) are read relative to the data
    directory, so a moved data directory still reads its own; no shards drops the view."""
    (tmp_path / "p").mkdir()
    pq.write_table(pa.table({"id": ["a", "b"]}), tmp_path / "p" / "s0.parquet")
    pq.write_table(pa.table({"id": ["c"]}), tmp_path / "p" / "it's.parquet")
    with C.connect(tmp_path) as con:
        for index, name in enumerate(["p/s0.parquet", "p/it's.parquet"]):
            con.execute("INSERT INTO shards VALUES ('p', 'v1', ?, ?, 1, 1, 'b', now())", [index, name])
        C.refresh_samples_view(con, tmp_path)
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    tmp_path.rename(moved)
    with C.connect(moved, read_only=True) as con:
        assert sorted(r[0] for r in con.execute("SELECT id FROM samples").fetchall()) == ["a", "b", "c"]
    with C.connect(moved) as con:
        con.execute("DELETE FROM shards")
        C.refresh_samples_view(con, moved)
        assert con.execute("SELECT count(*) FROM information_schema.tables "
                           "WHERE table_name = 'samples'").fetchone()[0] == 0  # type: ignore[index]
    assert C.select_shards_sql(["a'b.parquet"]) == "SELECT * FROM read_parquet(['a''b.parquet'], union_by_name = true)"
