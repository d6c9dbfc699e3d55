"""Part 4, expert: long_code samples that score > 90 and whose FE period is physically plausible, with the FE T1
as ground truth, in the verl layout (`data_source`, `prompt`, `ability`, `reward_model.ground_truth`, `extra_info`).

The physics test keeps T1(FE) within an engineering band for the building (`expert_select.period_band`: not
stiffer than the infilled building of GB 50009 Appendix F, not so flexible that a first-mode drift estimate breaks
the 1/550 limit), so a program that runs and says PASS but models a different building (wrong masses, units,
missing diaphragm) is left out. Negative samples (the right answer is FAIL) are not RL prompts. Re-run parents
must reach an expert score of 90 (`expert_select.expert_score`); every rejection is counted with its reason. Which samples qualify depends only on the long_code shards, so rebuilding gives the same ids.

Hard filter (issue 15): the chosen parents' programs run again in the sandbox, whose probe reads the model each
one built; a parent is dropped (with the reason) unless its period is `verified` against its own eigen solution
and its model conforms to its spec (`physics.conformance`). The FE T1 becomes GRPO's ground truth, so it must be
the period of the building asked for. Passing samples keep their ids, indices and content.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from civilinstruct.llm.prompts import render
from civilinstruct.parts import DEPENDS_ON
from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.executor import PartDef, build_part
from civilinstruct.pipelines.steps import Batched, Filter, Records, SkipCommitted, Step, StepFn, Verdict, chain
from civilinstruct.pipelines.write import Draft, Origin, WriteShard

PART = "expert"
VERSION = "v1"
SCORE_THRESHOLD = 90.0
DATA_SOURCE = "civilinstruct"
ABILITY = "structural_modeling"
# What the selection reads of each long_code row (never the messages or the code), and how many chosen parents
# are fetched whole at a time to be written in id order.
SUMMARY_COLUMNS = ["id", "score", "execution", "extra", "spec"]
WINDOW = 64
PROMPT_TEMPLATE = "solve"  # prompts/solve.j2: the one system prompt of training (here) and evaluation (bench)


@functools.cache
def system_prompt() -> tuple[str, str]:
    """(text, template hash) of the system prompt every expert row starts with."""
    template, messages = render(PROMPT_TEMPLATE, {"instruction": ""})
    return messages[0]["content"], template.hash


def qualifies(sample: Any) -> str | None:
    """None when a long_code sample becomes an expert sample, else the reason it does not."""
    from civilinstruct.pipelines.expert.select import period_band

    execution = sample.execution
    if execution is None or execution.status != "ok":
        return "did not execute"
    if sample.score is None or sample.score <= SCORE_THRESHOLD:
        return f"score <= {SCORE_THRESHOLD:g}"
    if not execution.period_s:
        return "no period printed"
    extra = sample.extra_dict()
    if extra.get("negative"):
        return "negative sample: the right answer is FAIL, not an RL prompt"
    design = extra.get("design", {})
    empirical, psi = design.get("empirical_t1_s"), design.get("psi_t")
    if not empirical or not psi:
        return "no empirical estimate recorded"
    low, high = period_band(json.loads(sample.spec), empirical, psi)
    if not low <= execution.period_s <= high:
        return "period outside the plausible band"
    return None


def verl_fields(user: str, t1: float, parent_id: str | None, spec: str, index: int) -> dict[str, Any]:
    """The verl row of an expert sample (also stored in its `extra`)."""
    return {
        "data_source": DATA_SOURCE,
        "prompt": [{"role": "system", "content": system_prompt()[0]}, {"role": "user", "content": user}],
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": f"{t1:.4f}"},
        "extra_info": {"index": index, "parent_id": parent_id, "spec": json.loads(spec), "t1_fe_s": t1},
    }


def expert_id(parent_id: str) -> str:
    """The id of the expert sample made from a long_code row (known before the row is read)."""
    from civilinstruct.store import make_id

    return make_id(PART, parent=parent_id, version=VERSION)


def to_draft(parent: Any, index: int) -> Draft:
    """The expert row of a long_code sample: the system prompt before its chat, its FE T1 as ground truth."""
    from civilinstruct.store import Message

    t1 = round(float(parent.execution.period_s), 6)
    user = next(m.content for m in parent.messages if m.role == "user")
    extra = verl_fields(user, t1, parent.id, parent.spec, index)
    lineage = parent.lineage
    return Draft(expert_id(parent.id), dict(
        messages=[Message(role="system", content=system_prompt()[0]), *parent.messages],
        code=parent.code, spec=parent.spec, execution=parent.execution, score=parent.score,
        score_parts=parent.score_parts, ground_truth=t1, extra=json.dumps(extra, sort_keys=True, ensure_ascii=False)),
        Origin(generator=lineage.generator, prompt_template=PROMPT_TEMPLATE, prompt_hash=system_prompt()[1],
               seed=lineage.seed, parent_ids=(parent.id,)))


@dataclass(frozen=True)
class Summary:
    """The fields of a long_code row that `qualifies` reads: enough to choose, a few hundred bytes a row."""

    id: str
    score: float | None
    execution: Any
    extra: str
    spec: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Summary":
        from civilinstruct.store import Execution

        execution = None if row["execution"] is None else Execution.model_validate(row["execution"])
        return cls(row["id"], row["score"], execution, row["extra"] or "{}", row["spec"] or "{}")

    def extra_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = json.loads(self.extra)
        return extra


class Qualifies(Filter[Summary]):
    reason = "does not qualify"

    def keep(self, summary: Summary) -> Verdict:
        reason = qualifies(summary)
        return (False, reason) if reason else True


def summaries(store: Any, version: str) -> StepFn:
    """The first step: each long_code row's summary columns, a batch at a time."""
    def read(records: Records, ctx: Context) -> Iterator[Summary]:
        for batch in store.iter_batches("long_code", version, SUMMARY_COLUMNS):
            for row in batch.to_pylist():
                yield Summary.from_row(row)
    return read


def chosen(records: Records, ctx: Context) -> Iterator[str]:
    """The qualifying ids in id order (all are read before the first goes on, keeping only ids). The count `n`
    is applied after the re-run (`numbered`), so a parent the re-run rejects is replaced by the next one."""
    ids = sorted(summary.id for summary in records or ())
    if isinstance(ctx.state, Source):
        ctx.state.qualifying = len(ids)
    yield from ids


def _first(ids: Iterator[str], n: int | None, report: BuildReport) -> list[str]:
    """At most `n` of `ids`, the rest counted as over the requested count."""
    ids_list = list(ids)
    if n is not None and len(ids_list) > n:
        report.drop("over the requested count", len(ids_list) - n)
        ids_list = ids_list[:n]
    return ids_list


def select(store: Any, version: str, n: int | None, report: BuildReport) -> list[str]:
    """Ids of the qualifying long_code rows in id order, at most `n` (drop reasons go to the report)."""
    ctx = Context.detached(BuildOptions(n=n), report, set())
    return _first(chain([summaries(store, version), Qualifies(), chosen], ctx), n, report)


def fetch_in_order(store: Any, version: str, ids: list[str], window: int = WINDOW) -> Iterator[Any]:
    """The samples of `ids`, in that order, read `window` at a time: each window is one streaming pass that
    decodes only the row groups holding one of its ids, so memory is a window of samples, not the part."""
    for start in range(0, len(ids), window):
        wanted = ids[start:start + window]
        found = {s.id: s for s in store.iter_samples("long_code", version, ids=wanted)}
        for sid in wanted:
            yield found[sid]
        del found  # before the next window is read


def physics_reject(parent: Any, run: Any) -> str | None:
    """Why a re-run parent fails the hard filter (not ok, period not verified, model not the spec's), or None."""
    from civilinstruct.design import BuildingSpec
    from civilinstruct.physics.conformance import check_conformance, wrong_fields
    from civilinstruct.pipelines.expert.select import EXPERT_THRESHOLD, expert_score, weakest

    if run.status != "ok":
        return f"re-run: {run.status}"
    if run.period_check != "verified":
        return f"period {run.period_check}, not verified against its own eigen solution"
    spec = BuildingSpec(**json.loads(parent.spec))
    checked = check_conformance(spec, run.model)
    if not checked["conforms"]:
        wrong = wrong_fields(checked)
        return "spec conformance: " + (", ".join(wrong) + " wrong" if wrong else "the building is not modelled")
    score, parts = expert_score(spec, run)
    if score < EXPERT_THRESHOLD:
        return f"expert score < {EXPERT_THRESHOLD:g}: {weakest(parts)}"
    return None


class Rerun(Filter[tuple[Any, Any]]):
    """(parent, its re-run): kept when the re-run passes `physics_reject` (rejections counted in `source`)."""

    def __init__(self, source: "Source | None" = None) -> None:
        super().__init__()
        self.source = source

    def keep(self, pair: tuple[Any, Any]) -> Verdict:
        reason = physics_reject(*pair)
        if reason and self.source is not None:
            self.source.rejected += 1
        return (False, reason) if reason else True


def steps(ctx: Context) -> list[Step | StepFn]:
    """summaries -> qualifies -> choose -> (windows) re-run -> physics -> number -> skip committed -> write."""
    store, st = ctx.store, ctx.state
    version = st.version

    def fetched(records: Records, ctx: Context) -> Iterator[Any]:
        return fetch_in_order(store, version, list(records or ()))

    def rerun(records: Records, ctx: Context) -> Iterator[tuple[Any, Any]]:
        for batch in records or ():
            yield from zip(batch, ctx.sandbox.run_many([p.code for p in batch], workers=ctx.options.workers))

    def numbered(records: Records, ctx: Context) -> Iterator[tuple[int, str]]:
        # the verl index is the position among the passing rows, so a resumed build numbers rows as a fresh one;
        # reading stops at n passing rows, so only the windows needed are re-run
        n, kept = ctx.options.n, 0
        for parent, _ in records or ():
            if n is not None and kept >= n:
                break
            yield kept, parent.id
            kept += 1
        st.kept = kept

    def drafted(records: Records, ctx: Context) -> Iterator[Draft]:
        todo = list(records or ())
        for (index, _), parent in zip(todo, fetch_in_order(store, version, [pid for _, pid in todo])):
            yield to_draft(parent, index)

    return [summaries(store, version), Qualifies(), chosen, fetched, Batched(WINDOW), rerun, Rerun(st), numbered,
            SkipCommitted(lambda item: expert_id(item[1])), drafted, WriteShard()]


@dataclass
class Source:
    """The long_code version this build reads, and how many of its rows passed every check."""

    version: str | None  # never None: the executor refuses the part without long_code shards
    kept: int = 0
    qualifying: int = 0  # long_code rows that qualify before the re-run
    rejected: int = 0  # of those, rejected by the re-run


def prepare(ctx: Context) -> None:
    ctx.state = Source(ctx.store.latest_version("long_code"))


def params(ctx: Context) -> dict[str, Any]:
    return {"source": f"long_code/{ctx.state.version}", "threshold": SCORE_THRESHOLD, "n": ctx.options.n}


def finish(ctx: Context) -> None:
    kept = ctx.state.kept
    over = ctx.state.qualifying - kept - ctx.state.rejected  # never re-run: n were reached before them
    if over > 0:
        ctx.report.drop("over the requested count", over)
    ctx.report.notes.append(f"{kept} of {kept + sum(ctx.report.dropped.values())} long_code samples "
                            f"qualify (score > {SCORE_THRESHOLD:g}, plausible period)")


PART_DEF = PartDef(name=PART, version=VERSION, steps=steps, params=params, prepare=prepare, finish=finish,
                   depends_on=DEPENDS_ON[PART], requires=DEPENDS_ON[PART])


def build(store: Any, options: BuildOptions) -> BuildReport:
    """Select expert samples from the latest long_code version (at most `options.n`, in id order)."""
    return build_part(PART_DEF, store, options)
