"""The DuckDB catalog: which shards exist and which builds ran; the ids live in the shards themselves.

Schema changes are named migrations recorded in `schema_migrations` and applied when a writer opens the catalog.
Connections are short-lived (one transaction each), so `civilinstruct catalog` can read while a build runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from civilinstruct.errors import CivilError
from civilinstruct.store.durable import durable_replace

CATALOG_NAME = "catalog.duckdb"

MIGRATIONS: list[tuple[str, str]] = [
    ("m001_shards", """
        CREATE TABLE shards (
            part VARCHAR NOT NULL, version VARCHAR NOT NULL, shard_index INTEGER NOT NULL,
            path VARCHAR NOT NULL, n_samples BIGINT NOT NULL, bytes BIGINT NOT NULL,
            build_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (part, version, shard_index))"""),
    ("m002_builds", """
        CREATE TABLE builds (
            build_id VARCHAR PRIMARY KEY, part VARCHAR NOT NULL, version VARCHAR NOT NULL,
            pipeline VARCHAR, params VARCHAR, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
            status VARCHAR NOT NULL, written BIGINT DEFAULT 0, skipped BIGINT DEFAULT 0, pid INTEGER)"""),
]


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Connect, retrying briefly while another process holds the file (a reader during a write, or the reverse)."""
    deadline = time.monotonic() + 30.0
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower() and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise CivilError(f"{path}: cannot open the catalog ({message.splitlines()[0]})") from exc
        except duckdb.Error as exc:
            raise CivilError(f"{path}: not a valid civilinstruct catalog ({str(exc).splitlines()[0]})") from exc


@contextmanager
def connect(data_dir: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to `<data>/catalog.duckdb`; read-only opens fail clearly when there is no catalog."""
    path = data_dir / CATALOG_NAME
    if read_only and not path.exists():
        raise CivilError(f"{path}: no catalog here (not a civilinstruct data directory, or nothing built yet)")
    if not read_only and not path.exists():
        _create(path)
    con = _open(path, read_only)
    try:
        if not read_only:
            migrate(con)
        else:
            _check_schema(con, path)
        yield con
    finally:
        con.close()


def _create(path: Path) -> None:
    """Create a fully migrated catalog under a temporary name and rename it into place.

    A process killed while creating it leaves only a temporary file (removed here next time), never a
    half-initialized `catalog.duckdb` that readers would take for a corrupted one.
    """
    for stale in path.parent.glob(f".{CATALOG_NAME}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{CATALOG_NAME}.tmp-{os.getpid()}")
    con = _open(tmp, read_only=False)
    try:
        migrate(con)
    finally:
        con.close()  # checkpoints: everything is in the main file, no WAL left beside it
    durable_replace(tmp, path)


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = {"schema_migrations", "shards", "builds"} - tables
    if missing:
        raise CivilError(f"{path}: corrupted catalog (missing tables: {', '.join(sorted(missing))})")


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the migrations this catalog has not seen yet, each in its own transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)")
    applied = {row[0] for row in con.execute("SELECT name FROM schema_migrations").fetchall()}
    for name, sql in MIGRATIONS:
        if name in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise


def refresh_samples_view(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """(Re)define the `samples` view over every registered shard (absolute paths of this data directory)."""
    paths = [str((data_dir / row[0]).resolve()) for row in
             con.execute("SELECT path FROM shards ORDER BY part, version, shard_index").fetchall()]
    if not paths:
        con.execute("DROP VIEW IF EXISTS samples")
        return
    con.execute(f"CREATE OR REPLACE VIEW samples AS {select_shards_sql(paths)}")


def select_shards_sql(paths: list[str]) -> str:
    """`SELECT * FROM read_parquet([...])` over the given files (views cannot take prepared parameters)."""
    listing = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return f"SELECT * FROM read_parquet([{listing}], union_by_name = true)"
