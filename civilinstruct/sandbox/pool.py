"""`Sandbox`: a pool of warm, isolated zygotes that runs untrusted programs and returns `RunResult`s in order."""

from __future__ import annotations

import itertools
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from civilinstruct.errors import CivilError
from civilinstruct.sandbox import isolation
from civilinstruct.sandbox.result import RunResult, from_zygote
from civilinstruct.sandbox.worker import Limits, Zygote

_warned_weak = False
_warn_lock = threading.Lock()


def _warn_weak_once(what: str) -> None:
    global _warned_weak
    with _warn_lock:
        if not _warned_weak:
            _warned_weak = True
            print(f"civilinstruct sandbox: WEAK ISOLATION: {what}", file=sys.stderr)


class Sandbox:
    """Run OpenSeesPy programs isolated: `run(code)`, or `run_many(codes)` in parallel with results in order.

    Refuses (CivilError) where a protection is off, naming it, unless `allow_weak_isolation=True`; then it runs
    with what is available and says on stderr, once, what is off.
    """

    def __init__(self, timeout: float = 60.0, memory_mb: int = 2048, workers: int = 2,
                 allow_weak_isolation: bool = False, max_output: int = 1 << 20, max_procs: int = 64,
                 probe: bool = True) -> None:
        if timeout <= 0:
            raise CivilError("timeout must be positive")
        if memory_mb < 16:
            raise CivilError("memory must be at least 16 MB")
        if workers < 1:
            raise CivilError("workers must be at least 1")
        self.limits = Limits(timeout=float(timeout), memory_mb=int(memory_mb), max_output=int(max_output),
                             nproc=int(max_procs), probe=probe)
        self.isolation = isolation.probe()
        if not self.isolation.full:
            if not allow_weak_isolation:
                raise CivilError("the sandbox cannot fully isolate programs here: "
                                 f"{self.isolation.describe_missing()}; run `civilinstruct doctor`, or pass "
                                 "--allow-weak-isolation to run anyway")
            _warn_weak_once(self.isolation.describe_missing())
        self._workers_wanted = workers
        self._zygotes: list[Zygote] = []
        self._idle: queue.Queue[Zygote] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._grow(workers)  # all warm now: a start-up failure shows here, and run() from threads finds them

    # -- workers
    def _grow(self, count: int) -> None:
        with self._lock:
            while len(self._zygotes) < min(count, self._workers_wanted):
                zygote = Zygote(namespaced=self.isolation.namespaces, drop_uid=self.isolation.uid_drop,
                                memory_mb=self.limits.memory_mb)
                self._zygotes.append(zygote)
                self._idle.put(zygote)

    @property
    def weak(self) -> bool:
        return not self.isolation.full

    @property
    def uids(self) -> list[int]:
        """The uids programs run as (one per worker): a process table check can look for leftovers by uid."""
        return [z.uid for z in self._zygotes if z.uid is not None]

    @property
    def worker_pids(self) -> list[int]:
        return [z.pid for z in self._zygotes if z.pid is not None]

    @property
    def resident_processes(self) -> dict[int, int]:
        """Worker pid -> how many processes it keeps under it between programs (anything more is a leftover)."""
        return {z.pid: z.resident for z in self._zygotes if z.pid is not None}

    # -- running
    def run(self, code: str) -> RunResult:
        """Run one program and return its result (never raises for what the program did)."""
        return self._run(code, more=False)

    def _run(self, code: str, more: bool) -> RunResult:
        if self._closed:
            raise CivilError("the sandbox is closed")
        zygote = self._idle.get()
        try:
            raw = zygote.run(code, self.limits, more=more)
        finally:
            self._idle.put(zygote)
        return from_zygote(raw, code, self.limits.timeout, self.limits.max_output)

    def run_many(self, codes: Iterable[str], workers: int | None = None, progress: bool = False) -> Iterator[RunResult]:
        """Run programs on `workers` zygotes in parallel (default: the sandbox's); yields results in input order."""
        n = max(1, workers or self._workers_wanted)
        with self._lock:
            self._workers_wanted = max(self._workers_wanted, n)
        self._grow(n)
        codes_list = codes if isinstance(codes, list) else list(codes)
        bar = _progress(len(codes_list)) if progress else None
        window = n * 4  # keep a few programs queued per worker, not thousands of futures
        try:
            with ThreadPoolExecutor(max_workers=n, thread_name_prefix="civilinstruct-sandbox") as pool:
                pending: list[Future[RunResult]] = []
                # All but the last n programs tell their zygote that another follows: it forks the next child
                # while we read the answer. At the end _drop_prepared() kills any such child left unused.
                more_until = len(codes_list) - n
                feed = iter(enumerate(codes_list))
                try:
                    for i, code in itertools.islice(feed, window):
                        pending.append(pool.submit(self._run, code, i < more_until))
                    while pending:
                        result = pending.pop(0).result()
                        for i, code in itertools.islice(feed, 1):
                            pending.append(pool.submit(self._run, code, i < more_until))
                        if bar is not None:
                            bar[0].advance(bar[1])
                        yield result
                finally:
                    for future in pending:
                        future.cancel()
                    if bar is not None:
                        bar[0].stop()
        finally:
            self._drop_prepared()

    def _drop_prepared(self) -> None:
        """After run_many: no zygote keeps a child forked ahead (those in use by another caller's run() use theirs)."""
        held: list[Zygote] = []
        try:
            while True:
                try:
                    held.append(self._idle.get_nowait())
                except queue.Empty:
                    break
            for zygote in held:
                zygote.drop_prepared()
        finally:
            for zygote in held:
                self._idle.put(zygote)

    # -- lifetime
    def close(self) -> None:
        self._closed = True
        with self._lock:
            for zygote in self._zygotes:
                zygote.close()
            self._zygotes.clear()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if not self._closed:
                self.close()
        except Exception:
            pass


def _progress(total: int) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn

    from civilinstruct.progress import progress_bar

    bar = progress_bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                       TimeRemainingColumn(), console=Console(stderr=True))  # stdout stays clean for --json
    task = bar.add_task("running programs", total=total)
    bar.start()
    return bar, task
