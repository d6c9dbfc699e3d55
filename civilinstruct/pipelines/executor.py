"""The one build loop: open the part's writer, chain its steps, drain them, close what they opened.

What every part used to do by hand lives here once: the dependency check, the writer (resume: its committed ids go
into the context), the part's progress bar, and cleanup. A kill (Ctrl-C, or SIGTERM turned into an interrupt by
`civilinstruct.signals`) leaves the writer's `__exit__` to flush what is done and mark the build interrupted; the
sandbox and the backend are closed on the way out whatever happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from civilinstruct.errors import CivilError
from civilinstruct.pipelines.base import BuildOptions, BuildReport, PartProgress
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.steps import Step, StepFn, chain

if TYPE_CHECKING:
    from civilinstruct.store import Store


def _done(ctx: Context) -> int:
    report = ctx.report
    return report.written + report.skipped_existing + sum(report.dropped.values())


def _nothing(ctx: Context) -> None:
    return None


@dataclass(frozen=True)
class PartDef:
    """A part as the executor and the registry see it.

    `depends_on`: parts whose shards this one reads (built first). `requires`: those of them it cannot do without
    (refused with one line when their shards are missing; bug_cot designs its own programs instead).
    `prepare(ctx)`: work before the writer opens that may refuse the build; `params(ctx)`: what the build records
    in the catalog; `steps(ctx)`: the step list; `total(ctx)`: the progress bar's size (None: no bar); `done(ctx)`:
    how far the bar is; `finish(ctx)`: notes once the steps are drained.
    """

    name: str
    version: str
    steps: Callable[[Context], list[Step | StepFn]]
    params: Callable[[Context], dict[str, Any]]
    depends_on: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    prepare: Callable[[Context], None] = _nothing
    total: Callable[[Context], int | None] = lambda ctx: None
    done: Callable[[Context], int] = _done
    finish: Callable[[Context], None] = _nothing
    shard_size: int | None = None  # rows per shard, over the options' (a part of small rows may flush sooner)


def check_requirements(part: PartDef, store: "Store") -> None:
    """One line when a part's required upstream shards are missing (before any work)."""
    for dep in part.requires:
        if store.latest_version(dep) is None:
            raise CivilError(f"{part.name} needs {dep} shards first: civilinstruct build {dep} --data DATA")


def execute(part: PartDef, store: "Store", options: BuildOptions, *, rank: int = 0,
            world_size: int = 1) -> tuple[BuildReport, Context]:
    """Build (or resume) one part; returns its report and the context it ran in (what it made, for tests)."""
    check_requirements(part, store)
    ctx = Context(store, options, BuildReport(part=part.name, version=part.version), rank=rank,
                  world_size=world_size)
    try:
        part.prepare(ctx)
        with store.writer(part.name, part.version, pipeline=part.name, params=part.params(ctx),
                          shard_size=part.shard_size or options.shard_size) as writer:
            ctx.writer, ctx.committed = writer, writer.committed_ids
            records = chain(part.steps(ctx), ctx)
            total = part.total(ctx) if options.progress else None
            bar: PartProgress | None = None
            try:
                for _ in records:
                    if bar is None and total is not None:  # drawn once there is work (none when all is done)
                        bar = PartProgress(part.name, total)
                    if bar is not None:
                        bar.update(part.done(ctx))
            finally:
                if bar is not None:
                    bar.close()
                close = getattr(records, "close", None)
                if close is not None:
                    close()  # a step's own cleanup (its `finally`) runs before the resources go
    finally:
        ctx.close()
    part.finish(ctx)
    return ctx.report, ctx


def build_part(part: PartDef, store: "Store", options: BuildOptions) -> BuildReport:
    """`execute` without the context: what each part's `build`, `civilinstruct build` and the release runner call."""
    return execute(part, store, options)[0]
