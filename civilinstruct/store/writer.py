"""The shard writer: buffered samples -> `<data>/<part>/<version>/shard-NNNNN.parquet`, crash-safe and resumable.

Each shard is written to a temporary name, fsynced, renamed into place, then registered in the catalog in one
transaction. A process killed at any point leaves either a registered, complete shard, a temporary file that the
next writer deletes, or a whole shard the catalog does not list (killed before registering, or a catalog whose WAL
lost its last commits) that the next writer checks and adopts; ids already registered are skipped, so a rerun ends
with exactly the expected ids, none twice. Damaged shards are never deleted without `repair` (see `recovery`).
A shard is cut every `shard_size` samples or `flush_interval_s` seconds, whichever comes first, so a slow pipeline
killed late loses at most half a minute of work. One writer per data directory at a time (a file lock).
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

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from civilinstruct.errors import CivilError
from civilinstruct.store import catalog
from civilinstruct.store.diskerrors import StoreDiskError, disk_error
from civilinstruct.store.durable import durable_replace
from civilinstruct.store.process import Holder, command_line, describe
from civilinstruct.store.recovery import bad_shard_error, check_shard
from civilinstruct.store.sample import PARTS, SCHEMA, Sample

LOCK_NAME = ".build.lock"
HOLDER_NAME = ".build.lock.holder"  # who holds the lock (pid, start, boot, command), for the waiter's message
# Builds running in this process: a 'running' row of this pid that is not here died (see `catalog.build_status`).
ACTIVE_BUILDS: set[str] = set()
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
        raise CivilError(f"{data_dir}: another build is writing to this data directory ({_holder(data_dir)}; "
                         f"lock {data_dir / LOCK_NAME}); wait for it or use another --data") from None
    except OSError as exc:
        raise CivilError(f"{data_dir / LOCK_NAME}: cannot take the build lock ({exc.strerror})") from None
    try:  # a note beside the lock (filelock may truncate the lock file itself when a waiter opens it)
        note = {**Holder.me().as_json(), "command": command_line(os.getpid())}
        (data_dir / HOLDER_NAME).write_text(json.dumps(note), encoding="utf-8")
    except OSError:
        pass  # the lock holds without the note; a waiter then names no holder
    return lock


def release_lock(lock: FileLock, data_dir: Path) -> None:
    """Remove the holder note (while still holding the lock), then let go."""
    try:
        (data_dir / HOLDER_NAME).unlink(missing_ok=True)
    except OSError:
        pass
    lock.release()


def _holder(data_dir: Path) -> str:
    """Who holds the build lock, as its note says (a note whose process is gone names nobody)."""
    try:
        note = json.loads((data_dir / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "held by another process"
    holder = Holder.from_json(note)
    return describe(note) if holder is not None and holder.alive() else "held by another process"


class ShardWriter:
    """Context manager that writes samples of one part/version; `add` returns False for an id already present."""

    def __init__(self, data_dir: Path, part: str, version: str, *, pipeline: str | None = None,
                 params: dict[str, Any] | None = None, shard_size: int = 20_000,
                 flush_interval_s: float = 30.0, repair: bool = False) -> None:
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
        self.repair = repair
        self.repaired: list[str] = []  # bad shards dropped by repair (their samples are rebuilt)
        self.adopted: list[str] = []   # whole shard files the catalog had lost, registered again

    @property
    def shard_dir(self) -> Path:
        return self.data_dir / self.part / self.version

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> "ShardWriter":
        try:
            self.shard_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise (disk_error(self.shard_dir, "create the data directory", exc)
                   or CivilError(f"{self.shard_dir}: cannot create the data directory ({exc.strerror})")) from None
        self._lock = acquire_lock(self.data_dir)
        try:
            self._open()
        except BaseException:
            release_lock(self._lock, self.data_dir)
            raise
        return self

    def _open(self) -> None:
        """Check every shard of this part/version before any work: damaged ones stop the build (or, with
        `repair`, are dropped so their samples are rebuilt); whole unregistered ones are adopted; ids collected."""
        with catalog.connect(self.data_dir, repair=self.repair) as con:
            con.execute("UPDATE builds SET status = 'interrupted' WHERE status = 'running'")
            rows = con.execute("SELECT path, n_samples FROM shards WHERE part = ? AND version = ?",
                               [self.part, self.version]).fetchall()
        registered = {rel: n for rel, n in rows}
        drop, adopt = [], []
        for rel, n in registered.items():  # resume: the ids of every registered shard (one column read, cheap)
            found = check_shard(self.data_dir / rel, self.part, n)
            if found.ids is None:
                if not self.repair:
                    raise bad_shard_error(self.data_dir, self.part, found, registered=True)
                drop.append(rel)
            else:
                self.committed_ids.update(found.ids)
        for path in sorted(self.shard_dir.iterdir()):
            rel = str(path.relative_to(self.data_dir))
            if path.name.startswith(".tmp-"):
                path.unlink(missing_ok=True)  # never renamed into place: never committed
            elif SHARD_RE.match(path.name) and rel not in registered:
                found = check_shard(path, self.part)
                if found.ids is not None and self.committed_ids.isdisjoint(found.ids):
                    adopt.append((path, len(found.ids)))
                    self.committed_ids.update(found.ids)
                elif not self.repair:
                    found.problem = found.problem or "repeats ids of registered shards"
                    raise bad_shard_error(self.data_dir, self.part, found, registered=False)
                else:
                    drop.append(rel)
        self._register_start(drop, adopt)

    def _register_start(self, drop: list[str], adopt: list[tuple[Path, int]]) -> None:
        """One transaction: forget the dropped shards, register the adopted ones, record this build as running."""
        with catalog.connect(self.data_dir) as con:
            con.execute("BEGIN TRANSACTION")
            for rel in drop:
                con.execute("DELETE FROM shards WHERE path = ?", [rel])
            for path, n in adopt:
                match = SHARD_RE.match(path.name)
                assert match is not None, path  # adopted shards were found by this pattern
                con.execute("INSERT INTO shards VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [self.part, self.version, int(match.group(1)),
                             str(path.relative_to(self.data_dir)), n, path.stat().st_size, "adopted",
                             datetime.fromtimestamp(path.stat().st_mtime, UTC)])
            me = Holder.me()  # pid + start time + boot: a later process given the same pid is not this build
            con.execute("INSERT INTO builds (build_id, part, version, pipeline, params, started_at, status, pid, "
                        "pid_start, boot_id) VALUES (?, ?, ?, ?, ?, now(), 'running', ?, ?, ?)",
                        [self.build_id, self.part, self.version, self.pipeline,
                         json.dumps(self.params, default=str, sort_keys=True), me.pid, me.start, me.boot])
            if drop or adopt:
                catalog.refresh_samples_view(con, self.data_dir)
            row = con.execute("SELECT max(shard_index) FROM shards WHERE part = ? AND version = ?",
                              [self.part, self.version]).fetchone()
            top = row[0] if row is not None else None  # an aggregate always gives one row
            con.execute("COMMIT")
        for rel in drop:
            (self.data_dir / rel).unlink(missing_ok=True)
        self.repaired = [str(self.data_dir / rel) for rel in drop]
        self.adopted = [str(path) for path, _ in adopt]
        self._next_index = 0 if top is None else top + 1
        ACTIVE_BUILDS.add(self.build_id)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None or not issubclass(exc_type, (OSError, MemoryError, StoreDiskError)):
                self.flush()  # whole samples in the buffer are kept, even when the pipeline failed later
            status = "done" if exc_type is None else ("interrupted" if exc_type is KeyboardInterrupt else "failed")
            try:
                with catalog.connect(self.data_dir) as con:
                    con.execute("UPDATE builds SET status = ?, finished_at = now(), written = ?, skipped = ? "
                                "WHERE build_id = ?", [status, self.written, self.skipped, self.build_id])
            except (CivilError, duckdb.Error):
                if exc_type is None:
                    raise
                # already failing (a full disk refuses this too): readers see a dead build as interrupted
        finally:
            ACTIVE_BUILDS.discard(self.build_id)
            if self._lock is not None:
                release_lock(self._lock, self.data_dir)

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
        try:
            pq.write_table(table, tmp, compression="zstd", row_group_size=rows_per_group)
            durable_replace(tmp, final)
        except (OSError, pa.ArrowException) as exc:
            tmp.unlink(missing_ok=True)
            error = disk_error(final, "write the shard", exc)
            if error is None:
                raise
            raise error from None
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
            except Exception as exc:
                con.execute("ROLLBACK")
                final.unlink(missing_ok=True)
                error = disk_error(self.data_dir / catalog.CATALOG_NAME, "register the shard", exc)
                if error is None:
                    raise
                raise error from None
        self._next_index = index + 1
