"""`ProgramRunner`: what callers of the sandbox rely on, met by the local `Sandbox` and by `RaySandbox`.

Scoring, the benchmark, the pipelines and the release take a runner of this shape instead of `Any`, so either
executor can be passed and a type checker sees a call the runners do not offer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, Self, runtime_checkable

from civilinstruct.sandbox.result import RunResult


@runtime_checkable
class ProgramRunner(Protocol):
    """Runs untrusted programs in isolation; a program's own failure is a result, never an exception."""

    def run(self, code: str) -> RunResult:
        """One program's result."""
        ...

    def run_many(self, codes: Iterable[str], workers: int | None = None,
                 progress: bool = False) -> Iterator[RunResult]:
        """Results in input order, `workers` programs at a time."""
        ...

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        ...

    def __enter__(self) -> Self:
        """Start the workers (a `with` block owns them)."""
        ...

    def __exit__(self, *exc: object) -> None:
        ...
