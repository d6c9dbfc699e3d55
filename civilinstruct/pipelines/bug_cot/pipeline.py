"""Bug-CoT (part 3): failed runs -> structured diagnoses and repairs, each repair re-executed and kept only if
it runs and the failure is gone.

Inputs are the failed programs of the long_code part and mutations of its good programs (or, with no long_code
part in the store, programs designed and rendered here; `plan`). Per chunk (`chunk`): run the broken programs,
keep those whose observed failure is the intended one, ask the backend for a diagnosis and a repair
(`prompts/bugfix.j2`; offline: rules), fall back on the mutation's inverse where no rule applies, run every
distinct repair once, verify, write. A chunk shrinks near the target so the build stops close to `n` samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from civilinstruct.parts import DEPENDS_ON
from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.pipelines.bug_cot.chunk import Tally, chunk_steps
from civilinstruct.pipelines.bug_cot.plan import (DEFAULT_N, PART, Case, Parent, environment, iter_parents,
                                                  load_parents, plan, with_synthetic)
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.executor import PartDef, build_part
from civilinstruct.pipelines.steps import FLUSH, Batched, Records, SkipCommitted, Step, StepFn
from civilinstruct.pipelines.write import WriteShard
from civilinstruct.store import Store

__all__ = ["DEFAULT_N", "PART", "PART_DEF", "VERSION", "Case", "Parent", "build", "iter_parents", "load_parents"]

VERSION = "v2"  # v2: harvested real failures (--from), origin in extra, period failure classes
CHUNK = 64  # cases run, diagnosed and repaired together: what the pipeline holds at once (programs, runs, repairs)


def prepare(ctx: Context) -> None:
    """The parents (read or designed once) and the part's tally."""
    from civilinstruct.llm.prompts import load_template

    options = ctx.options
    parents, failed, total = load_parents(ctx.store, options)
    harvesting = bool(options.extra.get("from"))
    ctx.report.notes.append(f"{total} harvested programs (each run here)" if harvesting
                            else f"{total} upstream programs ({failed} failed runs)")
    ctx.state = Tally(target=options.n if options.n is not None else DEFAULT_N, env=environment(options),
                      prompt_hash=load_template("bugfix").hash, generator=ctx.backend.name, harvesting=harvesting,
                      parents=parents)


def steps(ctx: Context) -> list[Step | StepFn]:
    """cases -> skip committed -> chunks (shrinking near the target) -> run, triage, diagnose, repair, verify ->
    write."""
    tally: Tally = ctx.state
    if len(ctx.committed) >= tally.target:  # nothing to do: do not even plan
        ctx.report.skipped_existing = tally.done = tally.target

    def cases(records: Records, ctx: Context) -> Iterator[Case]:
        planned = plan(tally.parents, ctx.options, tally.generator, tally.prompt_hash)
        for case in with_synthetic(planned, ctx.store, ctx.options, tally.generator, tally.prompt_hash, tally.mix):
            if case is None:  # the harvest is planned: finish its chunk, so its mix is known before mutating
                yield FLUSH
                continue
            if tally.done >= tally.target:
                return
            yield case

    def skipped(case: Case) -> None:
        tally.done += 1

    return [cases, SkipCommitted(lambda case: case.sample_id, on_skip=skipped),
            Batched(lambda: min(CHUNK, max(8, 2 * tally.room))), *chunk_steps(tally), WriteShard()]


def params(ctx: Context) -> dict[str, Any]:
    tally: Tally = ctx.state
    return {"n": tally.target, "seed": ctx.options.seed, "generator": tally.generator,
            "prompt_hash": tally.prompt_hash,
            **{k: v for k, v in ctx.options.extra.items() if k in ("sites_per_class", "variants_per_failure")}}


def finish(ctx: Context) -> None:
    tally: Tally = ctx.state
    if tally.done < tally.target:
        ctx.report.notes.append(f"only {tally.done} of {tally.target} samples: " + (
            "the sources hold no more repairable failures (add sources, or extra.synthetic)" if tally.harvesting
            else "add upstream programs or raise sites_per_class"))


PART_DEF = PartDef(name=PART, version=VERSION, steps=steps, params=params, prepare=prepare, finish=finish,
                   depends_on=DEPENDS_ON[PART], total=lambda ctx: ctx.state.target,
                   done=lambda ctx: ctx.state.done)


def build(store: Store, options: BuildOptions) -> BuildReport:
    """Write up to `options.n` (default 3,500) verified Bug-CoT samples; committed ids are skipped (resume)."""
    return build_part(PART_DEF, store, options)
