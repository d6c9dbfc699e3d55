"""Part 4, expert: long_code samples that score > 90 and whose FE period is physically plausible, with the FE T1
as ground truth, in the verl layout (`data_source`, `prompt`, `ability`, `reward_model.ground_truth`, `extra_info`).

The physics test compares psi_T * T1(FE) with the GB 50009 Appendix F estimate (`scoring.PERIOD_BAND`), so a
program that runs and says PASS but models a different building (wrong masses, units, missing diaphragm) is
left out. Which samples qualify depends only on the long_code shards, so rebuilding gives the same ids.
"""

from __future__ import annotations

import json
from typing import Any

from civilinstruct.pipelines.base import BuildOptions, BuildReport

PART = "expert"
VERSION = "v1"
SCORE_THRESHOLD = 90.0
DATA_SOURCE = "civilinstruct"
ABILITY = "structural_modeling"
SYSTEM_PROMPT = (
    "You are a structural engineer who writes OpenSeesPy. Answer with your reasoning in <think>...</think> and "
    "then one complete Python program in a ```python block inside <answer>...</answer>. The program must print "
    "the fundamental period as `T1 = <value> s` and state whether the design checks are satisfied."
)


def qualifies(sample: Any) -> str | None:
    """None when a long_code sample becomes an expert sample, else the reason it does not."""
    from civilinstruct.scoring import PERIOD_BAND

    execution = sample.execution
    if execution is None or execution.status != "ok":
        return "did not execute"
    if sample.score is None or sample.score <= SCORE_THRESHOLD:
        return f"score <= {SCORE_THRESHOLD:g}"
    if not execution.period_s:
        return "no period printed"
    design = sample.extra_dict().get("design", {})
    empirical, psi = design.get("empirical_t1_s"), design.get("psi_t")
    if not empirical or not psi:
        return "no empirical estimate recorded"
    ratio = psi * execution.period_s / empirical
    if not PERIOD_BAND[0] <= ratio <= PERIOD_BAND[1]:
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


def to_expert(parent: Any, index: int) -> Any:
    from civilinstruct.store import Lineage, Message, Sample, make_id

    t1 = round(float(parent.execution.period_s), 6)
    sample = Sample(
        id=make_id(PART, parent=parent.id, version=VERSION), part=PART,
        messages=[Message(role="system", content=SYSTEM_PROMPT), *parent.messages],
        code=parent.code, spec=parent.spec, execution=parent.execution, score=parent.score,
        score_parts=parent.score_parts, ground_truth=t1, extra="{}",
        lineage=Lineage(pipeline=PART, pipeline_version=VERSION, generator=parent.lineage.generator,
                        prompt_template=parent.lineage.prompt_template, prompt_hash=parent.lineage.prompt_hash,
                        seed=parent.lineage.seed, parent_ids=[parent.id]),
    )
    sample.extra = json.dumps(verl_fields(sample, index), sort_keys=True, ensure_ascii=False)
    return sample


def build(store: Any, options: BuildOptions) -> BuildReport:
    """Select expert samples from the latest long_code version (at most `options.n`, in id order)."""
    from civilinstruct.errors import CivilError

    report = BuildReport(part=PART, version=VERSION)
    version = store.latest_version("long_code")
    if version is None:
        raise CivilError("expert needs long_code shards first: civilinstruct build long_code --data DATA")
    chosen = []
    for parent in store.iter_samples("long_code", version):
        reason = qualifies(parent)
        if reason:
            report.drop(reason)
        else:
            chosen.append(parent)
    chosen.sort(key=lambda s: s.id)
    if options.n is not None and len(chosen) > options.n:
        report.drop("over the requested count", len(chosen) - options.n)
        chosen = chosen[: options.n]
    params = {"source": f"long_code/{version}", "threshold": SCORE_THRESHOLD, "n": options.n}
    with store.writer(PART, VERSION, pipeline=PART, params=params, shard_size=options.shard_size) as w:
        for index, parent in enumerate(chosen):
            sample = to_expert(parent, index)
            if sample.id in w.committed_ids:
                report.skipped_existing += 1
            elif w.add(sample):
                report.written += 1
    report.notes.append(f"{len(chosen)} of {len(chosen) + sum(report.dropped.values())} long_code samples "
                        f"qualify (score > {SCORE_THRESHOLD:g}, plausible period)")
    return report
