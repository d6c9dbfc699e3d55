"""Score BMEval generations: run every program in the sandbox pool, then the six metrics and the failures.

Metrics (percent, as in the paper's Table 1): Pass@1 and Pass@k (executes), Pass@k_period, Pass@k_compliance,
Pass@k_strict, Average (of the three engineering metrics) and Overall Average (of all six values shown), then
Pass@k_verified (issue 15, not part of the averages): executes, models the building asked for, a verified
period within tolerance and a PASS backed by its own printed drift. The failure taxonomy counts generations
that are not verified, by the first check they fail (`taxonomy`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civilinstruct.bench.outcome import STAGES, Outcome, judge
from civilinstruct.bench.passk import mean_pass_at_k
from civilinstruct.bench.runmeta import mark_truncated
from civilinstruct.errors import CivilError
from civilinstruct.scoring.reward import evaluate, parse_ground_truth, run_programs
from civilinstruct.scoring.format import extract_program

if TYPE_CHECKING:
    from civilinstruct.sandbox import ProgramRunner

GEN_COLUMNS = ("case_id", "sample_index", "completion")
TOP_MODES = 10


def load_generations(path: str | Path, ground_truth: str | None = None) -> list[dict[str, Any]]:
    """Rows of a gens parquet; `ground_truth` picks the reference column (fe | empirical) if given.

    `band` keeps the default reference and gives each row its case's `band` (from its instruction).
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise CivilError(f"{path}: no such generations file")
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow raises several types for a file that is not parquet
        raise CivilError(f"{path}: not a readable parquet file ({exc})") from exc
    if rows and (missing := [c for c in GEN_COLUMNS if c not in rows[0]]):
        raise CivilError(f"{path}: missing column(s) {', '.join(missing)}; was it written by `bench run`?")
    if ground_truth == "band":
        _attach_bands(path, rows)
    elif ground_truth is not None:
        column = f"t_ref_{ground_truth}"
        if rows and column not in rows[0]:
            raise CivilError(f"{path}: no {column} column for --ground-truth {ground_truth}")
        for row in rows:
            row["ground_truth"] = row[column]
    return rows


def _attach_bands(path: Path, rows: list[dict[str, Any]]) -> None:
    """Each row's `band` ((lo, hi) s): computed once per instruction with the design module."""
    from civilinstruct.bench.band import band_for_instruction

    bands: dict[str, Any] = {}
    for row in rows:
        text = row.get("instruction") or ""
        if text not in bands:
            bands[text] = band_for_instruction(text)
        if bands[text] is None:
            raise CivilError(f"{path}: case {row.get('case_id')}: its instruction names no designable building, "
                             "so it has no --ground-truth band")
        row["band"] = (bands[text]["lo"], bands[text]["hi"])


def score_rows(rows: Sequence[dict[str, Any]], sandbox: ProgramRunner | None, k: int = 5, progress: bool = False,
               with_reward: bool = False) -> dict[str, Any]:
    """Run and judge every generation; the metrics, the failure breakdown and the per-sample outcomes.

    `with_reward` also computes each generation's MGHR reward; its static analysis costs about as much CPU
    as running the program, which on a small machine competes with the sandbox workers, so it is opt-in.
    """
    texts = [r.get("completion") or "" for r in rows]
    truths = [parse_ground_truth(r.get("ground_truth")) for r in rows]
    if with_reward:
        asked = [r.get("instruction") for r in rows]  # the reward's spec-conformance check reads them
        evaluated = [(parts["reward"], program, run)
                     for parts, program, run in evaluate(texts, truths, sandbox, progress, instructions=asked)]
    else:
        programs = [extract_program(t) for t in texts]
        evaluated = [(None, p, run) for p, run in zip(programs, run_programs(programs, sandbox, progress))]
    from civilinstruct.spec.instructions import conformance_for_instruction

    outcomes = [judge(str(row["case_id"]), int(row["sample_index"]), program, run, gt, reward,
                      conformance=conformance_for_instruction(row["instruction"], getattr(run, "model", None))
                      if program and row.get("instruction") else None, band=row.get("band"))
                for row, gt, (reward, program, run) in zip(rows, truths, evaluated)]
    truncated = mark_truncated(list(rows), outcomes)
    summary = {**summarize(outcomes, k=k), "truncated": truncated}
    for out, (_, _, run) in zip(summary["outcomes"], evaluated):  # for the per-case page (bench/drilldown.py)
        out["stderr"] = (getattr(run, "stderr", "") or "")[-2000:] if run is not None else ""
    return summary


def summarize(outcomes: Sequence[Outcome], k: int = 5) -> dict[str, Any]:
    """Metrics with the unbiased pass@k per case, and the failure breakdown, from judged outcomes."""
    by_case: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_case[o.case_id].append(o)
    if not by_case:
        raise CivilError("no generations to score")
    short = {c: len(v) for c, v in by_case.items() if len(v) < k}
    if short:
        case, n = next(iter(short.items()))
        raise CivilError(f"pass@{k} needs {k} generations per case; {len(short)} case(s) have fewer "
                         f"(e.g. {case}: {n}); finish `bench run` or pass a smaller k")

    def rate(check: str, kk: int) -> float:
        counts = [(len(v), sum(bool(getattr(o, check)) for o in v)) for v in by_case.values()]
        return round(100.0 * mean_pass_at_k(counts, kk), 2)

    metrics = {"pass@1": rate("executes", 1), f"pass@{k}": rate("executes", k),
               f"pass@{k}_period": rate("period_ok", k), f"pass@{k}_compliance": rate("compliance_ok", k),
               f"pass@{k}_strict": rate("strict", k)}
    engineering = [metrics[f"pass@{k}_period"], metrics[f"pass@{k}_compliance"], metrics[f"pass@{k}_strict"]]
    metrics["average"] = round(sum(engineering) / 3, 2)
    metrics["overall_average"] = round(sum(metrics.values()) / len(metrics), 2)
    metrics[f"pass@{k}_verified"] = rate("verified", k)
    rewards = [o.reward for o in outcomes if o.reward is not None]
    return {
        "cases": len(by_case),
        "generations": len(outcomes),
        "k": k,
        "metrics": metrics,
        "mean_reward": round(sum(rewards) / len(rewards), 4) if rewards else None,
        "failures": breakdown(outcomes),
        "spec_conformance": conformance_counts(outcomes),
        "outcomes": [o.to_dict() for o in outcomes],
    }


def breakdown(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Generations that are not verified, by stage (share of all failures) and label, overall and per stage."""
    failed = [o for o in outcomes if not o.verified]
    stages = Counter(o.stage for o in failed)
    modes = Counter(o.mode for o in failed)
    total = len(failed)

    def pct(n: int, of: int) -> float:
        return round(100.0 * n / of, 2) if of else 0.0

    return {
        "failed": total,
        "stages": [{"stage": s, "count": stages.get(s, 0), "percent": pct(stages.get(s, 0), total)}
                   for s in STAGES],
        "top_modes": [{"mode": m, "count": n, "percent": pct(n, total)} for m, n in modes.most_common(TOP_MODES)],
        "modes_by_stage": {
            s: [{"mode": m, "count": n, "percent": pct(n, stages[s])}
                for m, n in Counter(o.mode for o in failed if o.stage == s).most_common(TOP_MODES)]
            for s in STAGES},
    }


def conformance_counts(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """How many executed generations modelled the building asked for, and which fields were wrong how often."""
    checked = [o for o in outcomes if o.executes and o.conforms is not None]
    wrong = Counter(f for o in checked for f in o.wrong_fields or [])
    return {"checked": len(checked), "conforms": sum(bool(o.conforms) for o in checked),
            "wrong_fields": dict(wrong.most_common())}
