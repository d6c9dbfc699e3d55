"""What every pipeline gets (`BuildOptions`) and returns (`BuildReport`).

A pipeline is a function of (options, seed, upstream shards) that writes samples through the store;
the store makes it resumable (ids already committed are skipped before any expensive work).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from civilinstruct.limits import OptCount, PerCommand, Seed, ShardSize, Timeout, Workers
from civilinstruct.llm.settings import LLMSettings

if TYPE_CHECKING:
    from civilinstruct.sandbox.runner import ProgramRunner

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter): how pipelines bound what they hold at once."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


class BuildOptions(BaseModel):
    """Options shared by all pipelines; each pipeline reads the ones it needs."""

    model_config = ConfigDict(extra="forbid")

    n: OptCount = Field(None, description="how many samples (specs, failures, ...) to produce")
    seed: Seed = Field(0, description="seed of every random choice; same seed, same ids and content")
    docs: Path | str | None = Field(None, description="OpenSeesPy documentation (api_pairs): a folder, `embedded` or "
                                    "`openseespydoc[@COMMIT]`; None follows the resolution order")
    per_command: PerCommand = Field(3, description="pairs per documented command (api_pairs)")
    workers: Workers = Field(2, description="sandbox workers running programs in parallel")
    timeout_s: Timeout = Field(60.0, description="wall-clock limit per program")
    backend: Literal["offline", "openai"] = "offline"
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint (backend openai)")
    model: str | None = Field(None, description="model name at the endpoint (backend openai)")
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    shard_size: ShardSize = Field(20_000, description="samples per shard (a shard is also cut every 30 s)")
    progress: bool = True
    allow_weak_isolation: bool = False
    extra: dict[str, Any] = Field(default_factory=dict, description="pipeline-specific settings from a manifest")

    def llm_settings(self) -> LLMSettings:
        """What `llm.get_backend` reads from these options (llm keeps its own settings type)."""
        return LLMSettings.from_extra(self.backend, self.seed, self.base_url, self.model, self.extra)

    def sandbox(self) -> ProgramRunner:
        """The program runner these options ask for (local bubblewrap pool, or Ray tasks)."""
        if self.executor == "ray":
            from civilinstruct.sandbox.ray_executor import RaySandbox

            return RaySandbox(address=self.ray_address, timeout=self.timeout_s,
                              allow_weak_isolation=self.allow_weak_isolation)
        from civilinstruct.sandbox import Sandbox

        return Sandbox(timeout=self.timeout_s, workers=self.workers,
                       allow_weak_isolation=self.allow_weak_isolation)


class BuildReport(BaseModel):
    """What a pipeline did: counts a person reads at the end of a build, and `--json` prints."""

    part: str
    version: str
    written: int = 0
    skipped_existing: int = 0
    failed: int = 0
    dropped: Counter[str] = Field(default_factory=Counter, description="dropped samples per reason")
    notes: list[str] = Field(default_factory=list)

    def drop(self, reason: str, count: int = 1) -> None:
        self.dropped[reason] += count


class PartProgress:
    """One progress bar for a whole part, on stderr (stdout stays clean for --json). Pipelines that run programs
    in chunks use it instead of the sandbox's bar, which would draw one bar per chunk. Disabled, it draws nothing."""

    def __init__(self, label: str, total: int, done: int = 0, enabled: bool = True) -> None:
        self._p: Any = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

        from civilinstruct.progress import progress_bar

        self._p = progress_bar(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                               console=Console(stderr=True), transient=False)
        self._p.start()
        self._task = self._p.add_task(label, total=total, completed=done)

    def update(self, done: int) -> None:
        if self._p is not None:
            self._p.update(self._task, completed=done)

    def close(self) -> None:
        if self._p is not None:
            self._p.stop()

    def __enter__(self) -> "PartProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
