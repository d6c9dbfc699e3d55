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

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from civilinstruct.pipelines.base import BuildOptions, BuildReport

PART = "expert"
VERSION = "v1"
SCORE_THRESHOLD = 90.0
DATA_SOURCE = "civilinstruct"
ABILITY = "structural_modeling"
# What the selection reads of each long_code row (never the messages or the code), and how many chosen parents
# are fetched whole at a time to be written in id order.
SUMMARY_COLUMNS = ["id", "score", "execution", "extra", "spec"]
WINDOW = 64
SYSTEM_PROMPT = (
    "You are a structural engineer who writes OpenSeesPy. Answer with your reasoning in <think>...</think> and "
    "then one complete Python program in a ```python block inside <answer>...</answer>. The program must print "
    "the fundamental period as `T1 = <value> s` and state whether the design checks are satisfied."
)


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


def verl_fields(sample: Any, index: int) -> dict[str, Any]:
    """The verl row of an expert sample (also stored in its `extra`)."""
    user = next(m.content for m in sample.messages if m.role == "user")
    t1 = sample.ground_truth
    return {
        "data_source": DATA_SOURCE,
        "prompt": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": f"{t1:.4f}"},
        "extra_info": {"index": index, "parent_id": sample.lineage.parent_ids[0] if sample.lineage.parent_ids else None,
                       "spec": json.loads(sample.spec), "t1_fe_s": t1},
    }


def expert_id(parent_id: str) -> str:
    """The id of the expert sample made from a long_code row (known before the row is read)."""
    from civilinstruct.store import make_id

    return make_id(PART, parent=parent_id, version=VERSION)


def to_expert(parent: Any, index: int) -> Any:
    from civilinstruct.store import Lineage, Message, Sample

    t1 = round(float(parent.execution.period_s), 6)
    sample = Sample(
        id=expert_id(parent.id), part=PART,
        messages=[Message(role="system", content=SYSTEM_PROMPT), *parent.messages],
        code=parent.code, spec=parent.spec, execution=parent.execution, score=parent.score,
        score_parts=parent.score_parts, ground_truth=t1, extra="{}",
        lineage=Lineage(pipeline=PART, pipeline_version=VERSION, generator=parent.lineage.generator,
                        prompt_template=parent.lineage.prompt_template, prompt_hash=parent.lineage.prompt_hash,
                        seed=parent.lineage.seed, parent_ids=[parent.id]),
    )
    sample.extra = json.dumps(verl_fields(sample, index), sort_keys=True, ensure_ascii=False)
    return sample


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
        return json.loads(self.extra)


def select(store: Any, version: str, n: int | None, report: BuildReport) -> list[str]:
    """Ids of the qualifying long_code rows in id order, at most `n`: one pass over the summary columns, a batch at
    a time, keeping only ids (drop reasons go to the report)."""
    chosen: list[str] = []
    for batch in store.iter_batches("long_code", version, SUMMARY_COLUMNS):
        for row in batch.to_pylist():
            reason = qualifies(Summary.from_row(row))
            if reason:
                report.drop(reason)
            else:
                chosen.append(row["id"])
    chosen.sort()
    if n is not None and len(chosen) > n:
        report.drop("over the requested count", len(chosen) - n)
        chosen = chosen[:n]
    return chosen


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


def verify_parents(store: Any, version: str, chosen: list[str], options: BuildOptions,
                   report: BuildReport) -> list[str]:
    """The chosen ids whose programs, run again in the sandbox, pass `physics_reject` (order kept)."""
    if not chosen:
        return chosen
    kept: list[str] = []
    with options.sandbox() as sandbox:
        batch: list[Any] = []
        for parent in [*fetch_in_order(store, version, chosen), None]:
            if parent is not None:
                batch.append(parent)
            if batch and (parent is None or len(batch) == WINDOW):
                runs = sandbox.run_many([p.code for p in batch], workers=options.workers)
                for p, run in zip(batch, runs):
                    reason = physics_reject(p, run)
                    if reason:
                        report.drop(reason)
                    else:
                        kept.append(p.id)
                batch = []
    return kept


def build(store: Any, options: BuildOptions) -> BuildReport:
    """Select expert samples from the latest long_code version (at most `options.n`, in id order)."""
    from civilinstruct.errors import CivilError

    report = BuildReport(part=PART, version=VERSION)
    version = store.latest_version("long_code")
    if version is None:
        raise CivilError("expert needs long_code shards first: civilinstruct build long_code --data DATA")
    chosen = select(store, version, options.n, report)
    chosen = verify_parents(store, version, chosen, options, report)
    params = {"source": f"long_code/{version}", "threshold": SCORE_THRESHOLD, "n": options.n}
    with store.writer(PART, VERSION, pipeline=PART, params=params, shard_size=options.shard_size) as w:
        # the verl index is the position among all chosen rows, so a resumed build numbers rows as a fresh one
        todo = [(index, pid) for index, pid in enumerate(chosen) if expert_id(pid) not in w.committed_ids]
        report.skipped_existing = len(chosen) - len(todo)
        for (index, _), parent in zip(todo, fetch_in_order(store, version, [pid for _, pid in todo])):
            if w.add(to_expert(parent, index)):
                report.written += 1
    report.notes.append(f"{len(chosen)} of {len(chosen) + sum(report.dropped.values())} long_code samples "
                        f"qualify (score > {SCORE_THRESHOLD:g}, plausible period)")
    return report
