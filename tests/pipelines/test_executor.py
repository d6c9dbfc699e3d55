"""The executor on a toy part made of steps, with the real Store, the real sandbox and the offline backend:
drops counted per reason, resume through WriteShard and SkipCommitted, the sandbox and the backend made once per
build and only when a step asks, everything closed after a build and after an interrupt; the registry's order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.pipelines import registry
from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.executor import PartDef, execute
from civilinstruct.pipelines.steps import Batched, Filter, Records, SkipCommitted, Verdict, unbatched
from civilinstruct.pipelines.write import Draft, Origin, WriteShard
from civilinstruct.store import Message, Store, make_id


@dataclass
class Item:
    id: str
    value: int
    printed: str = ""
    generator: str = ""


class NotFive(Filter[Item]):
    def keep(self, item: Item) -> Verdict:
        return (False, "multiple of five") if item.value % 5 == 0 else True


class Ran(Filter[Item]):
    reason = "printed nothing"

    def keep(self, item: Item) -> Verdict:
        return bool(item.printed)


def toy(n: int, *, sandbox: bool = True, backend: bool = True, seen: list[Context] | None = None,
        stop_after: int | None = None, requires: tuple[str, ...] = ()) -> PartDef:
    """long_code-shaped toy: n items, every fifth dropped, batches of 4 each run in the sandbox (a program printing
    the item's value) and answered by the backend; `stop_after` interrupts the build like Ctrl-C."""

    def source(records: Records, ctx: Context) -> Iterator[Item]:
        if seen is not None:
            seen.append(ctx)
        for i in range(n):
            yield Item(make_id("long_code", toy=i), i)

    def run(records: Records, ctx: Context) -> Iterator[list[Item]]:
        for batch in records or ():
            if sandbox:
                for item, res in zip(batch, ctx.sandbox.run_many([f"print({i.value} * 2)" for i in batch])):
                    item.printed = (res.stdout or "").strip()
            else:
                for item in batch:
                    item.printed = str(item.value * 2)
            if backend:
                name = ctx.backend.name
                for item in batch:
                    item.generator = name
            yield batch

    def drafted(records: Records, ctx: Context) -> Iterator[Draft]:
        for count, item in enumerate(records or (), start=1):
            if stop_after is not None and count > stop_after:
                raise KeyboardInterrupt
            yield Draft(item.id, {"messages": [Message(role="user", content=str(item.value)),
                                               Message(role="assistant", content=item.printed)],
                                  "spec": json.dumps({"value": item.value})},
                        Origin(generator=item.generator or "offline/rules-v1", parent_ids=("p",)))

    return PartDef(name="long_code", version="toy", params=lambda ctx: {"n": n}, requires=requires,
                   steps=lambda ctx: [source, SkipCommitted(lambda i: i.id), NotFive(), Batched(4), run, unbatched,
                                      Ran(), drafted, WriteShard()])


def options(**kw: Any) -> BuildOptions:
    return BuildOptions(**{"progress": False, "workers": 2, "timeout_s": 30, "allow_weak_isolation": True,
                           "seed": 7, **kw})


def test_a_toy_part_counts_drops_writes_and_makes_resources_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "d")
    report, ctx = execute(toy(20), store, options())
    assert report.written == 16 and report.dropped == {"multiple of five": 4} and report.skipped_existing == 0
    assert ctx.sandboxes_made == 1 and ctx.backends_made == 1  # 4 batches, one sandbox, one backend
    samples = sorted(store.iter_samples("long_code", "toy"), key=lambda s: int(s.messages[0].content))
    assert [s.messages[1].content for s in samples][:3] == ["2", "4", "6"]  # really run in the sandbox
    lineage = samples[0].lineage
    assert (lineage.pipeline, lineage.pipeline_version, lineage.seed, lineage.parent_ids) == ("long_code", "toy", 7,
                                                                                             ["p"])
    assert lineage.generator == "offline/rules-v1"
    assert ctx._sandbox is None and ctx._backend is None  # closed by the executor


def test_resume_skips_committed_ids_before_any_work(tmp_path: Path) -> None:
    store = Store(tmp_path / "d")
    execute(toy(12), store, options())
    report, ctx = execute(toy(12), store, options())
    assert report.written == 0 and report.skipped_existing == 9 and report.dropped == {"multiple of five": 3}
    assert ctx.sandboxes_made == 0 and ctx.backends_made == 0  # nothing to do: nothing started
    grown, ctx = execute(toy(17), store, options())
    assert grown.written == 4 and grown.skipped_existing == 9 and ctx.sandboxes_made == 1
    ids = store.read("long_code", "toy").column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 13


def test_resources_are_made_only_when_a_step_asks(tmp_path: Path) -> None:
    report, ctx = execute(toy(6, sandbox=False, backend=False), Store(tmp_path / "d"), options())
    assert report.written == 4 and ctx.sandboxes_made == 0 and ctx.backends_made == 0
    _, ctx = execute(toy(6, sandbox=False), Store(tmp_path / "e"), options())
    assert ctx.sandboxes_made == 0 and ctx.backends_made == 1


def test_an_interrupt_flushes_what_is_done_and_closes_the_sandbox(tmp_path: Path) -> None:
    store, seen = Store(tmp_path / "d"), []
    with pytest.raises(KeyboardInterrupt):
        execute(toy(20, seen=seen, stop_after=6), store, options())
    ctx = seen[0]
    assert ctx.sandboxes_made == 1 and ctx._sandbox is None and ctx._backend is None
    assert [b["status"] for b in store.summary()["builds"]] == ["interrupted"]
    assert store.read("long_code", "toy").num_rows == 6
    report, _ = execute(toy(20), store, options())  # the rerun finishes it
    assert report.skipped_existing == 6 and report.written == 10


def test_a_missing_required_part_is_one_line_before_any_work(tmp_path: Path) -> None:
    data = tmp_path / "d"
    with pytest.raises(CivilError, match="needs api_pairs shards first"):
        execute(toy(3, requires=("api_pairs",)), Store(data), options())
    assert not (data / "long_code").exists()


def test_the_registry_orders_parts_by_dependency() -> None:
    assert registry.ordered(["expert", "bug_cot", "api_pairs", "long_code"]) == ["long_code", "expert", "bug_cot",
                                                                                  "api_pairs"]
    assert registry.ordered(["expert"]) == ["expert"]  # a dependency not asked for is not added
    assert registry.get("expert").requires == ("long_code",) and registry.get("bug_cot").requires == ()
    assert {registry.get(p).name: registry.get(p).depends_on for p in registry.NAMES}["bug_cot"] == ("long_code",)
    with pytest.raises(CivilError, match="unknown part 'nope'"):
        registry.get("nope")
