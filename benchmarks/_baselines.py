"""The naive baseline every benchmark compares against: each program in a fresh `python` process.

One place for it, so that every ratio in RESULTS.md is against the same thing: the program written to a file in
a temporary directory, `subprocess.run([python, file])` with that directory as cwd, `workers` at a time, each in
its own session (with the kernel's autogroup scheduling a session is a scheduling group: the baseline gets the
same CPU share as the sandbox's workers, which are sessions too).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass(frozen=True)
class FreshRuns:
    """Exit codes (None: timed out) in input order, and the wall time of the whole batch."""

    returncodes: list[int | None]
    seconds: float

    @property
    def per_program(self) -> float:
        return self.seconds / max(1, len(self.returncodes))


def run_fresh(codes: list[str], workers: int = 2, timeout: float = 120.0) -> FreshRuns:
    """Run every program in its own fresh interpreter; time the batch (file writing excluded)."""
    with tempfile.TemporaryDirectory(prefix="civilinstruct-baseline-") as tmp:
        paths = []
        for i, code in enumerate(codes):
            path = os.path.join(tmp, f"p{i}.py")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(code)
            paths.append(path)

        def one(path: str) -> int | None:
            try:
                return subprocess.run([sys.executable, path], cwd=tmp, capture_output=True, timeout=timeout,
                                      start_new_session=True).returncode
            except subprocess.TimeoutExpired:
                return None

        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            codes_rc = list(pool.map(one, paths))
        return FreshRuns(codes_rc, time.perf_counter() - start)
