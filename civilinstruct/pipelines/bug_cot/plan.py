"""Bug-CoT's inputs: the parent programs (harvested real failures, long_code rows streamed from the store, or
programs designed here) and the cases planned from them (each parent's mutations, or its observed failure asked a
few different ways), in a stable order so a resumed build meets the same cases.
"""

from __future__ import annotations

import json
import platform
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from civilinstruct.pipelines.bug_cot.mutations import Mutation, mutate
from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.errors import CivilError
from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.store import Store, iter_shard, make_id
from civilinstruct.store.seeds import derive_seed

PART = "bug_cot"
DEFAULT_N = 3500


@dataclass(frozen=True)
class Parent:
    """A program from upstream: good (to mutate) or failed (to repair as it is)."""

    id: str
    code: str
    period_s: float | None
    failed: bool
    spec: str = "{}"
    origin: str = ""  # JSON: where a harvested program came from (source file, row, generator); "" for the store


@dataclass
class Case:
    """One failure to turn into a sample: the broken program, and (for mutations) how it was made."""

    parent: Parent
    broken: str
    key: str
    variant: int
    sample_id: str
    mutation: Mutation | None = None


def environment(options: BuildOptions) -> str:
    try:
        ops_version = version("openseespy")
    except PackageNotFoundError:
        ops_version = "unknown"
    return (f"Python {sys.version.split()[0]}, OpenSeesPy {ops_version}, {platform.system()} {platform.machine()}; "
            f"isolated sandbox (no network), wall-clock limit {options.timeout_s:g} s")


PARENT_COLUMNS = ["id", "code", "spec", "execution"]


def parent_kinds(batch: pa.RecordBatch) -> tuple[pa.Array, pa.Array]:
    """(failed, good) masks of a batch of long_code rows, computed in Arrow so rows that are not used are never
    turned into Python objects. Failed: a program that did not run ok (repaired as it is); good: it ran and its
    verdict is not FAIL (mutated). Rows without code or execution are neither."""
    execution = batch.column("execution")
    usable = pc.and_(execution.is_valid(), pc.fill_null(pc.greater(pc.utf8_length(batch.column("code")), 0), False))
    ran_ok = pc.fill_null(pc.equal(pc.struct_field(execution, "status"), "ok"), False)
    not_fail = pc.fill_null(pc.not_equal(pc.struct_field(execution, "compliance"), "fail"), True)
    return pc.and_(usable, pc.invert(ran_ok)), pc.and_(usable, pc.and_(ran_ok, not_fail))


def count_parents(paths: list[Path]) -> tuple[int, int]:
    """(failed, good) upstream programs, reading only the code and execution columns a batch at a time."""
    failed = good = 0
    for path in paths:
        for batch in iter_shard(path, ["code", "execution"]):
            is_failed, is_good = parent_kinds(batch)
            failed += pc.sum(is_failed).as_py() or 0
            good += pc.sum(is_good).as_py() or 0
    return failed, good


def iter_parents(paths: list[Path]) -> Iterator[Parent]:
    """Real failures first, then good programs (to mutate), each in store order: two streaming passes instead of
    sorting a list of every program, so memory is one batch of rows however large long_code is."""
    for want_failed in (True, False):
        for path in paths:
            for batch in iter_shard(path, PARENT_COLUMNS):
                is_failed, is_good = parent_kinds(batch)
                for row in batch.filter(is_failed if want_failed else is_good).to_pylist():
                    yield to_parent(row, want_failed)


def to_parent(row: dict[str, Any], failed: bool) -> Parent:
    """A long_code row as a parent; an upstream period is trusted only with a passing verdict (else re-run)."""
    ex = row["execution"]
    period = None if failed or ex["compliance"] != "pass" else ex["period_s"]
    return Parent(row["id"], row["code"], period, failed, row["spec"])


def load_parents(store: Store, options: BuildOptions) -> tuple[Iterable[Parent], int, int]:
    """(parents, failed, total): the programs of the `from` sources (real generations, each run as it is); else
    long_code programs streamed from the store; with none there, programs designed and rendered from seeded specs."""
    sources = options.extra.get("from")
    if sources:
        from civilinstruct.pipelines.bug_cot.harvest import harvest, parent_id

        harvested = [Parent(parent_id(h), h.program, None, True, origin=h.origin) for h in harvest(list(sources))]
        return harvested, len(harvested), len(harvested)
    paths = store.shard_paths("long_code") if store.exists() else []
    failed, good = count_parents(paths)
    if failed + good:
        return iter_parents(paths), failed, failed + good
    generated = generated_parents(options)
    return generated, 0, len(generated)


def generated_parents(options: BuildOptions) -> list[Parent]:
    from civilinstruct.codegen import TEMPLATE_VERSION, render
    from civilinstruct.design import design
    from civilinstruct.spec.sampling import iter_specs

    count = int(options.extra.get("programs", max(1, (options.n or DEFAULT_N) // 12 + 1)))
    parents = []
    for index, spec in enumerate(iter_specs(count, options.seed)):
        try:
            code = render(design(spec), options.seed + index)
        except CivilError:
            continue
        spec_json = spec.model_dump_json()
        pid = make_id("long_code", spec=json.loads(spec_json), generator=OFFLINE_GENERATOR, seed=options.seed + index,
                      template=TEMPLATE_VERSION)  # a new design basis or template makes new parents
        parents.append(Parent(pid, code, None, False, spec_json))
    return parents


def plan(parents: Iterable[Parent], options: BuildOptions, generator: str, prompt_hash: str) -> Iterator[Case]:
    """Cases in a stable order: each parent's mutations (or its observed failure, as a few different questions:
    fix it, explain the log or why no period, review the diff)."""
    sites = int(options.extra.get("sites_per_class", 2))
    # a harvested failure is one case (one sample); store failures get a few differently worded variants
    variants = int(options.extra.get("variants_per_failure", 1 if options.extra.get("from") else 2))
    classes = options.extra.get("failure_types")

    def sid(parent: Parent, key: str, variant: int) -> str:
        return make_id(PART, parent=parent.id, failure=key, variant=variant, generator=generator,
                       prompt_hash=prompt_hash, seed=options.seed)

    for parent in parents:
        if parent.failed:
            for v in range(variants):
                yield Case(parent, parent.code, "observed", v, sid(parent, "observed", v))
            continue
        rng = random.Random(derive_seed(options.seed, parent.id))
        for m in mutate(parent.code, rng, sites_per_class=sites, classes=classes):
            yield Case(parent, m.program, m.key, 0, sid(parent, m.key, 0), m)


def with_synthetic(cases: Iterator[Case], store: Store, options: BuildOptions, generator: str, prompt_hash: str,
                    mix: Counter[str]) -> Iterator[Case | None]:
    """The harvested cases, then (with `extra.synthetic`) mutations of good programs whose classes are drawn by
    the frequency the harvest observed, so planted failures follow the real mix. `None` marks the switch."""
    yield from cases
    if not options.extra.get("from") or not int(options.extra.get("synthetic", 0)):
        return
    yield None
    from civilinstruct.pipelines.bug_cot.mutations import MUTATORS

    weighted = {k: v for k, v in mix.items() if k in MUTATORS}
    if not weighted:
        return
    synthetic = options.model_copy(update={"extra": {k: v for k, v in options.extra.items() if k != "from"}})
    parents, _, _ = load_parents(store, synthetic)
    good = (p for p in parents if not p.failed)
    rng = random.Random(derive_seed(options.seed, "mix"))
    classes, weights = list(weighted), list(weighted.values())

    def drawn() -> Iterator[Case]:
        for parent in good:
            chosen = sorted(set(rng.choices(classes, weights, k=3)))
            picked = synthetic.model_copy(update={"extra": {**synthetic.extra, "failure_types": chosen,
                                                            "sites_per_class": 1}})
            yield from plan([parent], picked, generator, prompt_hash)
    yield from drawn()


