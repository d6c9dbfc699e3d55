"""The shard writer: buffered samples -> `<data>/<part>/<version>/shard-NNNNN.parquet`, crash-safe and resumable.

Each shard is written to a temporary name, fsynced, renamed into place, then registered in the catalog together
with its ids in one transaction. A process killed at any point leaves either a registered, complete shard or an
unregistered file that the next writer deletes; ids already registered are skipped, so a rerun ends with exactly
the expected ids, none twice. A shard is cut every `shard_size` samples or `flush_interval_s` seconds, whichever
comes first, so a slow pipeline killed late loses at most half a minute of work. One writer per data directory at a time (a file lock).
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from civilinstruct.errors import CivilError
from civilinstruct.store import catalog
from civilinstruct.store.durable import durable_replace
from civilinstruct.store.sample import PARTS, SCHEMA, Sample

LOCK_NAME = ".build.lock"
SHARD_RE = re.compile(r"^shard-(\d{5,})\.parquet$")
# Buffered rows become Arrow every CONVERT_ROWS rows: a long program's row is 50-100 KB as Python objects and about
# its text size in Arrow, so the buffer of a shard costs its bytes once, not twice, and the Python side stays small.
CONVERT_ROWS = 64
# Row groups of about this many bytes: Parquet encodes (and readers decode) a row group at a time.
ROW_GROUP_BYTES = 4 << 20


def shard_name(index: int) -> str:
    return f"shard-{index:05d}.parquet"


def acquire_lock(data_dir: Path) -> FileLock:
    """Take the data directory's build lock, or fail with one clear line if another build holds it."""
    lock = FileLock(str(data_dir / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise CivilError(f"{data_dir}: another build is writing to this data directory "
                         f"(lock {data_dir / LOCK_NAME}); wait for it or use another --data") from None
    except OSError as exc:
        raise CivilError(f"{data_dir / LOCK_NAME}: cannot take the build lock ({exc.strerror})") from None
    return lock


class ShardWriter:
    """Context manager that writes samples of one part/version; `add` returns False for an id already present."""

    def __init__(self, data_dir: Path, part: str, version: str, *, pipeline: str | None = None,
                 params: dict[str, Any] | None = None, shard_size: int = 20_000,
                 flush_interval_s: float = 30.0) -> None:
        if part not in PARTS:
            raise CivilError(f"unknown part {part!r} (expected one of: {', '.join(PARTS)})")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", version):
            raise CivilError(f"invalid version {version!r} (letters, digits, '.', '_' and '-' only)")
        self.data_dir = data_dir
        self.part = part
        self.version = version
        self.pipeline = pipeline or part
        self.params = params or {}
        self.shard_size = shard_size
        self.build_id = uuid.uuid4().hex
        self.committed_ids: set[str] = set()
        self.written = 0
        self.skipped = 0
        self._pending: list[dict[str, Any]] = []
        self._batches: list[pa.RecordBatch] = []
        self._pending_ids: set[str] = set()
        self._next_index = 0
        self._lock: FileLock | None = None
        self.flush_interval_s = flush_interval_s
        self._last_flush = time.monotonic()

    @property
    def shard_dir(self) -> Path:
        return self.data_dir / self.part / self.version

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> "ShardWriter":
        try:
            self.shard_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CivilError(f"{self.shard_dir}: cannot create the data directory ({exc.strerror})") from None
        self._lock = acquire_lock(self.data_dir)
        try:
            self._open()
        except BaseException:
            self._lock.release()
            raise
        return self

    def _open(self) -> None:
        with catalog.connect(self.data_dir) as con:
            con.execute("UPDATE builds SET status = 'interrupted' WHERE status = 'running'")
            registered = {row[0] for row in con.execute(
                "SELECT path FROM shards WHERE part = ? AND version = ?", [self.part, self.version]).fetchall()}
            top = con.execute("SELECT max(shard_index) FROM shards WHERE part = ? AND version = ?",
                              [self.part, self.version]).fetchone()[0]
            self._next_index = 0 if top is None else top + 1
            con.execute("INSERT INTO builds (build_id, part, version, pipeline, params, started_at, status, pid) "
                        "VALUES (?, ?, ?, ?, ?, now(), 'running', ?)",
                        [self.build_id, self.part, self.version, self.pipeline,
                         json.dumps(self.params, default=str, sort_keys=True), os.getpid()])
        self._remove_orphans(registered)
        for rel in registered:  # resume: the ids of every registered shard (one column read, cheap)
            self.committed_ids.update(pq.read_table(self.data_dir / rel, columns=["id"]).column("id").to_pylist())

    def _remove_orphans(self, registered: set[str]) -> None:
        """Delete temporary files and shard files no catalog entry points to (left by a killed build)."""
        for path in self.shard_dir.iterdir():
            rel = str(path.relative_to(self.data_dir))
            if path.name.startswith(".tmp-") or (SHARD_RE.match(path.name) and rel not in registered):
                path.unlink(missing_ok=True)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None or not issubclass(exc_type, (OSError, MemoryError)):
                self.flush()  # whole samples in the buffer are kept, even when the pipeline failed later
            status = "done" if exc_type is None else ("interrupted" if exc_type is KeyboardInterrupt else "failed")
            with catalog.connect(self.data_dir) as con:
                con.execute("UPDATE builds SET status = ?, finished_at = now(), written = ?, skipped = ? "
                            "WHERE build_id = ?", [status, self.written, self.skipped, self.build_id])
        finally:
            if self._lock is not None:
                self._lock.release()

    # -- writing ---------------------------------------------------------------------------------------------
    def add(self, sample: Sample | dict[str, Any]) -> bool:
        """Buffer one sample; False (and nothing written) if its id is already committed or buffered."""
        row = sample.to_row() if isinstance(sample, Sample) else sample
        sid = row["id"]
        if row.get("part") != self.part:
            raise CivilError(f"sample {sid} has part {row.get('part')!r}, this writer writes {self.part!r}")
        if sid in self.committed_ids or sid in self._pending_ids:
            self.skipped += 1
            return False
        self._pending.append(row)
        self._pending_ids.add(sid)
        if len(self._pending) >= CONVERT_ROWS:
            self._convert()
        if len(self._pending_ids) >= self.shard_size or time.monotonic() - self._last_flush > self.flush_interval_s:
            self.flush()
        return True

    def _convert(self) -> None:
        """Turn the buffered Python rows into one Arrow batch."""
        if self._pending:
            self._batches.append(pa.RecordBatch.from_pylist(self._pending, schema=SCHEMA))
            self._pending = []

    def flush(self) -> None:
        """Write the buffered samples as one shard and register it (no-op when the buffer is empty)."""
        self._last_flush = time.monotonic()
        if not self._pending_ids:
            return
        self._convert()
        self._write_shard(pa.Table.from_batches(self._batches, schema=SCHEMA))  # zero-copy over the batches
        self._batches = []  # only once the shard is registered: a failed write keeps the samples buffered
        self.committed_ids |= self._pending_ids
        self.written += len(self._pending_ids)
        self._pending_ids = set()

    def _write_shard(self, table: pa.Table) -> None:
        index = self._next_index
        final = self.shard_dir / shard_name(index)
        tmp = self.shard_dir / f".tmp-{shard_name(index)}-{os.getpid()}"
        rows_per_group = max(1, ROW_GROUP_BYTES * table.num_rows // max(1, table.nbytes))
        pq.write_table(table, tmp, compression="zstd", row_group_size=rows_per_group)
        durable_replace(tmp, final)
        rel = str(final.relative_to(self.data_dir))
        with catalog.connect(self.data_dir) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute("INSERT INTO shards VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [self.part, self.version, index, rel, table.num_rows, final.stat().st_size,
                             self.build_id, datetime.now(UTC)])
                con.execute("UPDATE builds SET written = written + ? WHERE build_id = ?",
                            [table.num_rows, self.build_id])
                catalog.refresh_samples_view(con, self.data_dir)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                final.unlink(missing_ok=True)
                raise
        self._next_index = index + 1
