"""The step contract: Filter counts drops per reason, Batched bounds what is held, SkipCommitted resumes, chains are
lazy. No store is needed: the first steps of a part run on a detached context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.steps import (FLUSH, Batched, Filter, InBatches, Records, SkipCommitted, Verdict, chain,
                                           unbatched)


@dataclass(slots=True)
class Rec:
    id: str
    value: int


class Small(Filter[Rec]):
    """Odd values are dropped with the class's reason, values over 10 with their own."""

    reason = "odd"

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    def keep(self, r: Rec) -> Verdict:
        if r.value > 10:
            return False, "too big"
        return r.value % 2 == 0

    def dropped(self, r: Rec, reason: str, ctx: Context) -> None:
        self.told.append((r.id, reason))


def ctx(committed: set[str] | None = None) -> Context:
    return Context.detached(BuildOptions(progress=False), BuildReport(part="long_code", version="t"),
                            committed or set())


class Source:
    """The first step: `n` records, counting how many were pulled (to see what a later step holds)."""

    def __init__(self, n: int) -> None:
        self.n, self.pulled = n, 0

    def __call__(self, records: Records, ctx: Context) -> Iterator[Rec]:
        for i in range(self.n):
            self.pulled += 1
            yield Rec(f"r{i}", i)


def test_filter_counts_drops_per_reason_and_tells_the_hook() -> None:
    c, small = ctx(), Small()
    kept = list(chain([Source(14), small], c))
    assert [r.value for r in kept] == [0, 2, 4, 6, 8, 10]
    assert c.report.dropped == {"odd": 5, "too big": 3}
    assert small.told[0] == ("r1", "odd") and ("r11", "too big") in small.told and len(small.told) == 8


def test_batched_bounds_what_is_held_and_the_chain_is_lazy() -> None:
    c, source = ctx(), Source(23)
    batches = chain([source, Batched(5)], c)
    first = next(batches)
    assert len(first) == 5 and source.pulled == 5  # nothing beyond the first batch was made
    rest = list(batches)
    assert [len(b) for b in rest] == [5, 5, 5, 3] and source.pulled == 23
    assert [r.value for r in chain([Source(7), Batched(3), unbatched], ctx())] == list(range(7))


def test_batched_size_can_shrink_and_flush_ends_a_batch() -> None:
    size = [4]

    def source(records: Records, ctx: Context) -> Iterator[object]:
        yield from (Rec("a", 0), Rec("b", 1), FLUSH, Rec("c", 2), Rec("d", 3), Rec("e", 4), Rec("f", 5))

    def shrink(records: Records, ctx: Context) -> Iterator[list[Rec]]:
        for batch in records or ():
            size[0] = 2
            yield batch

    got = [[r.id for r in b] for b in chain([source, Batched(lambda: size[0]), shrink], ctx())]
    assert got == [["a", "b"], ["c", "d"], ["e", "f"]]  # FLUSH ended the first; then the size read 2


def test_skip_committed_counts_and_passes_the_rest() -> None:
    c, seen = ctx({"r1", "r3"}), []
    out = list(chain([Source(5), SkipCommitted(lambda r: r.id, on_skip=lambda r: seen.append(r.id))], c))
    assert [r.id for r in out] == ["r0", "r2", "r4"]
    assert c.report.skipped_existing == 2 and seen == ["r1", "r3"] and not c.report.dropped


def test_in_batches_filters_inside_each_batch_and_drops_empty_ones() -> None:
    c = ctx()
    out = list(chain([Source(9), Batched(2), InBatches(Small())], c))
    assert [[r.value for r in b] for b in out] == [[0], [2], [4], [6], [8]]
    assert c.report.dropped == {"odd": 4}


def test_flush_passes_filters_untouched() -> None:
    def source(records: Records, ctx: Context) -> Iterator[object]:
        yield from (Rec("a", 1), FLUSH, Rec("b", 2))

    assert list(chain([source, Small()], ctx()))[0] is FLUSH


def test_a_part_needs_a_first_step_and_a_reading_step_needs_records() -> None:
    with pytest.raises(ValueError):
        chain([], ctx())
    with pytest.raises(TypeError):
        list(chain([Small()], ctx()))
