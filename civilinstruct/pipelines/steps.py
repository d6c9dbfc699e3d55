"""The step contract every part is written in (the datatrove shape).

A part is a list of steps. A step takes the records the step before it yields (None for the first, which makes its
own) and the build's `Context`, and yields records; the executor chains them lazily, so a record that reaches the
end has gone through every step before the next one is pulled, and a step holds only what it batches. A plain
function with the same signature is a step too.

Three bases carry what every part used to write by hand: `Filter` (a `keep` hook; drops are counted per reason),
`Batched` (bounded lists for steps that work a batch at a time: sandbox runs, LLM requests) and `SkipCommitted`
(resume: ids already in the store are counted and not worked on). Writing is `civilinstruct.pipelines.write`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar, Union

from civilinstruct.pipelines.context import Context

R = TypeVar("R")
S = TypeVar("S")
Records = Union[Iterable[Any], None]
StepFn = Callable[[Records, Context], Iterator[Any]]
Verdict = Union[bool, tuple[bool, str]]


class _Flush:
    def __repr__(self) -> str:
        return "FLUSH"


# A marker in a stream of records: `Batched` ends its batch there; record steps pass it on untouched.
FLUSH: Any = _Flush()


class Step:
    """A stage of a part: `run(records, ctx)` yields the records it passes on (it may add fields to them)."""

    name = "step"

    def run(self, records: Records, ctx: Context) -> Iterator[Any]:
        raise NotImplementedError

    def __call__(self, records: Records, ctx: Context) -> Iterator[Any]:
        return self.run(records, ctx)


def _stream(records: Records) -> Iterable[Any]:
    if records is None:
        raise TypeError("this step reads records: it cannot be the first step of a part")
    return records


class Filter(Step, Generic[R]):
    """Keeps the records `keep` accepts; a refusal is counted in the report under its reason (the class's `reason`
    when `keep` answers a plain False). `dropped` is told about each one, for steps that keep the refused
    records (failed runs feed Bug-CoT) or add a note. A filter that needs more than the record (a part's state)
    is given it when it is made."""

    reason = "filtered"

    def keep(self, record: R) -> Verdict:
        raise NotImplementedError

    def dropped(self, record: R, reason: str, ctx: Context) -> None:
        """Called once per refused record, after it is counted."""

    def judge(self, record: R, ctx: Context) -> bool:
        """True when `record` is kept; else the drop is counted (for steps that filter inside their own loop)."""
        verdict = self.keep(record)
        ok, reason = verdict if isinstance(verdict, tuple) else (verdict, self.reason)
        if not ok:
            ctx.report.drop(reason)
            self.dropped(record, reason, ctx)
        return ok

    def apply(self, records: Iterable[R], ctx: Context) -> list[R]:
        """The kept records of a batch, in order."""
        return [r for r in records if self.judge(r, ctx)]

    def run(self, records: Records, ctx: Context) -> Iterator[R]:
        for record in _stream(records):
            if record is FLUSH or self.judge(record, ctx):
                yield record


class Batched(Step):
    """Lists of at most `size` records (the last may be shorter): what a batch step holds at once.

    `size` is a number or a function read after each record (a part whose batch shrinks near its target);
    the `FLUSH` marker in the stream ends the batch early (a phase that must finish before the next one starts).
    """

    name = "batched"

    def __init__(self, size: int | Callable[[], int]) -> None:
        self.size = size

    def limit(self) -> int:
        return self.size() if callable(self.size) else self.size

    def run(self, records: Records, ctx: Context) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for record in _stream(records):
            if record is FLUSH:
                if batch:
                    yield batch
                batch = []
                continue
            batch.append(record)
            if len(batch) >= self.limit():
                yield batch
                batch = []
        if batch:
            yield batch


def unbatched(records: Records, ctx: Context) -> Iterator[Any]:
    """The records of each batch, one at a time (the inverse of `Batched`)."""
    for batch in _stream(records):
        yield from batch


class InBatches(Step):
    """A `Filter` applied inside each batch: the batch goes on with the kept records (an emptied batch is not)."""

    def __init__(self, inner: Filter[Any]) -> None:
        self.inner = inner
        self.name = f"in batches: {inner.name}"

    def run(self, records: Records, ctx: Context) -> Iterator[list[Any]]:
        for batch in _stream(records):
            kept = self.inner.apply(batch, ctx)
            if kept:
                yield kept


class SkipCommitted(Step):
    """Resume: records whose sample id is already in the store are counted as skipped and go no further, so no
    expensive work is spent on them. `on_skip` is told about each (a part that counts its progress)."""

    name = "skip committed"

    def __init__(self, sample_id: Callable[[Any], str], on_skip: Callable[[Any], None] | None = None) -> None:
        self.sample_id = sample_id
        self.on_skip = on_skip

    def run(self, records: Records, ctx: Context) -> Iterator[Any]:
        for record in _stream(records):
            if record is FLUSH:
                yield record
            elif self.sample_id(record) in ctx.committed:
                ctx.report.skipped_existing += 1
                if self.on_skip is not None:
                    self.on_skip(record)
            else:
                yield record


def chain(steps: Iterable[Step | StepFn], ctx: Context) -> Iterator[Any]:
    """The records out of the last step: each step reads the generator of the one before it."""
    records: Iterator[Any] | None = None
    for step in steps:
        records = step(records, ctx)
    if records is None:
        raise ValueError("a part needs at least one step")
    return records
