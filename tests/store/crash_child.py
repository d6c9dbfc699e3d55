"""A build run in a child process, optionally killing itself with SIGKILL at a chosen point of the k-th shard.

usage: crash_child.py DATA N SHARD_SIZE [FAULT K]; FAULT is one of the names in POINTS. With HOLD=seconds in the
environment the child sleeps while holding the writer (for the lock test); DELAY_S=seconds sleeps after each sample,
N_OVERRIDE=n writes n samples, REPAIR=1 opens the store with repair, SIGNALS=1 treats SIGTERM/SIGHUP as Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sample_factory import synthetic_sample  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402

from civilinstruct.signals import termination_as_interrupt  # noqa: E402
from civilinstruct.store import Store, catalog, writer  # noqa: E402

calls: dict[str, int] = {}


def die_at(name: str, k: int, fn):
    def wrapped(*args, **kwargs):
        calls[name] = calls.get(name, 0) + 1
        if calls[name] == k and name.startswith("before_"):
            os.kill(os.getpid(), signal.SIGKILL)
        result = fn(*args, **kwargs)
        if calls[name] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapped


def commit_then_die(k: int):
    """catalog.connect that kills the process after the k-th shard registration commits, before the connection
    closes (and checkpoints): the commit is only in the WAL."""
    real_connect = catalog.connect

    @contextmanager
    def connect(data_dir, **kwargs):
        with real_connect(data_dir, **kwargs) as con:
            yield con
            if con.execute("SELECT count(*) FROM shards").fetchone()[0] == k and not kwargs.get("read_only"):
                os.kill(os.getpid(), signal.SIGKILL)
    return connect


def main() -> None:
    data, n, shard_size = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if len(sys.argv) > 4:
        fault, k = sys.argv[4], int(sys.argv[5])
        if fault == "write_table":          # temporary file written, not yet renamed
            writer.pq.write_table = die_at(fault, k, pq.write_table)
        elif fault == "replace":            # shard renamed into place, not yet registered
            real_replace = os.replace
            shard_replace = die_at(fault, k, real_replace)
            writer.os.replace = lambda src, dst: (shard_replace if Path(dst).name.startswith("shard-")
                                                  else real_replace)(src, dst)
        elif fault == "create_catalog":     # killed while the catalog itself is being created
            real_replace = os.replace
            catalog_replace = die_at("before_create", k, real_replace)
            writer.os.replace = lambda src, dst: (catalog_replace if Path(dst).name == "catalog.duckdb"
                                                  else real_replace)(src, dst)
        elif fault == "in_transaction":     # inside the registering transaction, before COMMIT
            writer.catalog.refresh_samples_view = die_at(fault, k, catalog.refresh_samples_view)
        elif fault == "before_write":       # nothing of this shard written
            writer.pq.write_table = die_at(fault, k, pq.write_table)
        elif fault == "after_register":     # shard committed in the catalog, its WAL not yet checkpointed
            writer.catalog.connect = commit_then_die(k)
    n = int(os.environ.get("N_OVERRIDE", n))
    delay = float(os.environ.get("DELAY_S", "0.002" if os.environ.get("SLOW") else "0"))
    with ExitStack() as stack:
        if os.environ.get("SIGNALS"):
            stack.enter_context(termination_as_interrupt())
        with Store(data, repair=bool(os.environ.get("REPAIR"))).writer("long_code", "v1", shard_size=shard_size) as w:
            time.sleep(float(os.environ.get("HOLD", "0")))
            for i in range(n):
                w.add(synthetic_sample(i))
                if delay:
                    time.sleep(delay)


if __name__ == "__main__":
    main()
