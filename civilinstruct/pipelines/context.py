"""What every step of a build sees: the store and its writer, the options, the report, the committed ids, and the
expensive resources (the sandbox, the LLM backend), each made on first use and at most once per build.

A part that has nothing to do (everything committed) never starts a sandbox; a part that asks for the backend in
every batch gets the same one (its connection pool, cache and budget) each time. The executor closes both.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from civilinstruct.pipelines.base import BuildOptions, BuildReport

if TYPE_CHECKING:
    from civilinstruct.llm.types import Backend
    from civilinstruct.store import ShardWriter, Store


class Context:
    """One build of one part. `rank` / `world_size` name this worker's share when a part is split across workers
    (one worker today)."""

    def __init__(self, store: "Store | None", options: BuildOptions, report: BuildReport, *, rank: int = 0,
                 world_size: int = 1) -> None:
        self._store = store
        self.options = options
        self.report = report
        self.rank = rank
        self.world_size = world_size
        self.writer: "ShardWriter | None" = None
        self.committed: set[str] = set()
        self.state: Any = None  # what a part keeps between its steps (made by its `prepare`)
        self.sandboxes_made = 0
        self.backends_made = 0
        self._sandbox: Any = None
        self._backend: "Backend | None" = None
        self._resources = ExitStack()

    @classmethod
    def detached(cls, options: BuildOptions, report: BuildReport, committed: set[str]) -> "Context":
        """A context without a store: to run a part's first steps on their own (tools, tests)."""
        ctx = cls(None, options, report)
        ctx.committed = committed
        return ctx

    @property
    def store(self) -> "Store":
        if self._store is None:
            raise RuntimeError("this context has no store (Context.detached)")
        return self._store

    @property
    def part(self) -> str:
        return self.report.part

    @property
    def version(self) -> str:
        return self.report.version

    @property
    def sandbox(self) -> Any:
        """The program runner the options ask for, started on first use (`BuildOptions.sandbox`)."""
        if self._sandbox is None:
            self._sandbox = self._resources.enter_context(self.options.sandbox())
            self.sandboxes_made += 1
        return self._sandbox

    @property
    def backend(self) -> "Backend":
        """The text generator the options ask for (`civilinstruct.llm.get_backend`), made on first use."""
        if self._backend is None:
            from civilinstruct.llm import get_backend

            backend = get_backend(self.options)
            close = getattr(backend, "close", None)
            if close is not None:
                self._resources.callback(close)
            self._backend = backend
            self.backends_made += 1
        return self._backend

    def close(self) -> None:
        """Stop the sandbox and close the backend (whatever was made), last made first."""
        self._sandbox = self._backend = None
        self._resources.close()
