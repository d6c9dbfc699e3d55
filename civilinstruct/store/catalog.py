"""The DuckDB catalog: which shards exist and which builds ran; the ids live in the shards themselves.

Schema changes are named migrations recorded in `schema_migrations` and applied when a writer opens the catalog.
Connections are short-lived (one transaction each), so `civilinstruct catalog` can read while a build runs.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from civilinstruct.errors import CivilError
from civilinstruct.store.diskerrors import disk_error
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
    # The pid alone does not name a process (pids are reused): its start time and the boot do (store/process.py).
    ("m003_build_process", "ALTER TABLE builds ADD COLUMN pid_start BIGINT; "
                           "ALTER TABLE builds ADD COLUMN boot_id VARCHAR"),
]


def wait_limit_s() -> float:
    """How long to wait for another process to let go of the catalog (CIVILINSTRUCT_CATALOG_WAIT_S, default 10 min)."""
    try:
        return max(0.0, float(os.environ.get("CIVILINSTRUCT_CATALOG_WAIT_S", "600")))
    except ValueError:
        raise CivilError("CIVILINSTRUCT_CATALOG_WAIT_S: give a number of seconds") from None


def _open(path: Path, read_only: bool, repair: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect, waiting with backoff while another process holds the file: our own connections last one transaction,
    but a person's duckdb shell or notebook may keep a read-only connection open for minutes. After two seconds the
    wait is said on stderr once (naming the holder), so a build never looks hung or fails for a reader."""
    start = time.monotonic()
    delay, said = 0.05, False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc).splitlines()[0]
            waited = time.monotonic() - start
            if "lock" not in message.lower():
                error = disk_error(path, "open the catalog", exc)
                raise (error or CivilError(f"{path}: cannot open the catalog ({message})")) from None
            if waited >= wait_limit_s():
                raise CivilError(f"{path}: another process has held the catalog open for {waited:.0f} s "
                                 f"({_holder(message)}); close it and rerun") from None
            if not said and waited >= 2.0:
                sys.stderr.write(f"waiting for {path}: another process holds the catalog open ({_holder(message)}); "
                                 f"continuing when it lets go (up to {wait_limit_s():.0f} s)\n")
                sys.stderr.flush()
                said = True
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            wal = path.with_name(path.name + ".wal")
            if "WAL" in message and wal.exists():
                if not repair:
                    raise CivilError(f"{wal}: the catalog's write-ahead log is corrupt ({message[:160]}); run the "
                                     "build again with --repair to set it aside (shards it registered are checked "
                                     "and registered again from their files; nothing is deleted)") from None
                os.replace(wal, wal.with_name(f"{wal.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"))
                continue
            raise CivilError(f"{path}: not a valid civilinstruct catalog ({message})") from None


def _holder(message: str) -> str:
    """`PID 1234` from DuckDB's lock message, when it names one."""
    found = re.search(r"PID (\d+)", message)
    return f"PID {found.group(1)}" if found else "a lock on the file"


@contextmanager
def connect(data_dir: Path, *, read_only: bool = False,
            repair: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to `<data>/catalog.duckdb`; read-only opens fail clearly when there is no catalog. With
    `repair`, a WAL that DuckDB refuses to replay is set aside (renamed) instead of stopping."""
    path = data_dir / CATALOG_NAME
    if read_only and not path.exists():
        raise CivilError(f"{path}: no catalog here (not a civilinstruct data directory, or nothing built yet)")
    if not read_only and not path.exists():
        _create(path)
    con = _open(path, read_only, repair)
    try:
        # The samples view names shards relative to the data directory: a copied or moved one reads its own.
        con.execute("SET file_search_path = ?", [str(data_dir.resolve())])
        if not read_only:
            migrate(con)
        else:
            _check_schema(con, path)
        yield con
    except duckdb.Error as exc:
        error = disk_error(path, "write the catalog", exc)
        if error is None:
            raise
        raise error from None
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
    try:
        con = _open(tmp, read_only=False)
        try:
            migrate(con)
        finally:
            con.close()  # checkpoints: everything is in the main file, no WAL left beside it
        durable_replace(tmp, path)
    except (OSError, duckdb.Error, CivilError) as exc:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        error = disk_error(path, "create the catalog", exc)
        if error is None:
            raise
        raise error from None


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
    """(Re)define the `samples` view over every registered shard, by paths relative to the data directory.

    DuckDB resolves them against `file_search_path`, which `connect` sets to the data directory; outside
    civilinstruct, open the catalog from inside the data directory (or SET file_search_path to it).
    """
    paths = [row[0] for row in con.execute("SELECT path FROM shards ORDER BY part, version, shard_index").fetchall()]
    if not paths:
        con.execute("DROP VIEW IF EXISTS samples")
        return
    con.execute(f"CREATE OR REPLACE VIEW samples AS {select_shards_sql(paths)}")


def select_shards_sql(paths: list[str]) -> str:
    """`SELECT * FROM read_parquet([...])` over the given files (views cannot take prepared parameters)."""
    listing = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return f"SELECT * FROM read_parquet([{listing}], union_by_name = true)"
