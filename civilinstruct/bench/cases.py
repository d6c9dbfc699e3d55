"""BMEval cases: sampled buildings that the design module can design, each with two reference periods.

`t_ref_fe`: T1 of the reference design's own OpenSeesPy program, run in the sandbox (the default ground truth).
`t_ref_empirical`: GB 50009 Appendix F, T1 = 0.25 + 0.53e-3 H^2 / B^(1/3) (what the paper used).

Why FE by default: the question a case asks is "did the model build the specified frame", and the empirical
formula answers a different one (real buildings with infill, whatever their members). A correct bare-frame
model routinely lands more than 30% from the formula, so with the empirical reference correct programs
fail and programs tuned to the formula pass. The empirical value stays in every case (`--ground-truth
empirical` reproduces the paper's protocol).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from civilinstruct.sandbox import ProgramRunner

GroundTruth = Literal["fe", "empirical"]
BENCH_PART = "bmeval"
BENCH_VERSION = "v1"
# The benchmark's own spec stream (`sample_specs(..., stream=...)`): the data pipelines draw from the default one,
# so a data build and a benchmark with the same --seed sample different buildings.
BENCH_STREAM = "bmeval-specs"
# The task as the model meets it, the same in training (the expert part) and here: `prompts/solve.j2`, whose hash
# each case records.
PROMPT_TEMPLATE = "solve"


def build_cases(n: int, seed: int, sandbox: ProgramRunner, ground_truth: GroundTruth = "fe", progress: bool = False,
                max_candidates: int | None = None) -> tuple[list[dict[str, Any]], Counter[str]]:
    """`n` cases (rows) and the count of dropped candidates per reason.

    Candidates are designed in order; the undesignable are dropped (the paper's "expert validation"), the
    rest are rendered and run in batches, and a case is kept only if its reference program runs and
    prints a period. Same (n, seed), same cases.
    """
    from civilinstruct.codegen import render
    from civilinstruct.design import DesignError, design
    from civilinstruct.llm.prompts import render as render_prompt
    from civilinstruct.spec.sampling import iter_specs
    from civilinstruct.physics.period import empirical_period
    from civilinstruct.store import make_id

    if ground_truth not in ("fe", "empirical"):
        raise ValueError(f"unknown ground truth {ground_truth!r}")
    dropped: Counter[str] = Counter()
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    limit = max_candidates or 50 * max(n, 1)
    candidates = iter_specs(limit, seed, stream=BENCH_STREAM)  # prefix-stable, made as they are asked for
    tried = 0
    while len(cases) < n:
        batch: list[dict[str, Any]] = []
        while len(batch) < n - len(cases):
            if tried >= limit:
                from civilinstruct.errors import CivilError

                raise CivilError(f"only {len(cases)} of {n} cases after {tried} sampled specs: {dict(dropped)}")
            spec = next(candidates)
            tried += 1
            key = spec.to_json()
            if key in seen:
                dropped["duplicate_spec"] += 1
                continue
            seen.add(key)
            try:
                d = design(spec)
            except DesignError:
                dropped["not_designable"] += 1
                continue
            style_seed = seed + tried
            instruction = spec.to_instruction(variant_seed=style_seed)
            batch.append({"spec": spec, "design": d, "code": render(d, style_seed), "instruction": instruction,
                          "style_seed": style_seed})
        runs = sandbox.run_many([b["code"] for b in batch], progress=progress)
        for item, run in zip(batch, runs):
            if run.status != "ok":
                dropped[f"reference_{run.status}"] += 1
                continue
            if not run.period_s:
                dropped["reference_no_period"] += 1
                continue
            spec = item["spec"]
            t_emp = empirical_period(spec.height_m, spec.width_x_m)
            refs = {"fe": float(run.period_s), "empirical": round(t_emp, 6)}
            template, messages = render_prompt(PROMPT_TEMPLATE, {"instruction": item["instruction"]})
            cases.append({
                "case_id": make_id(BENCH_PART, version=BENCH_VERSION, spec=spec.canonical(),
                                   instruction=item["instruction"]),
                "index": len(cases),
                "spec": spec.to_json(),
                "instruction": item["instruction"],
                "prompt": messages,
                "prompt_template": PROMPT_TEMPLATE,
                "prompt_hash": template.hash,
                "reference_code": item["code"],
                "reference_compliance": run.compliance,
                "reference_max_drift": run.max_drift,
                "t_ref_fe": refs["fe"],
                "t_ref_empirical": refs["empirical"],
                "ground_truth": refs[ground_truth],
                "ground_truth_source": ground_truth,
                "seed": seed,
                "style_seed": item["style_seed"],
            })
    return cases[:n], dropped


def write_cases(cases: list[dict[str, Any]], path: str | Path) -> Path:
    """Write the cases parquet atomically (temporary name, then rename)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pylist(cases), tmp)
    tmp.replace(path)
    return path


def read_cases(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a cases parquet written by `bench cases` (CivilError when it is not one)."""
    import pyarrow.parquet as pq

    from civilinstruct.errors import CivilError

    path = Path(path)
    if not path.exists():
        raise CivilError(f"{path}: no such cases file")
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:
        raise CivilError(f"{path}: not a readable parquet file ({exc})") from exc
    needed = ("case_id", "instruction", "t_ref_fe", "t_ref_empirical", "ground_truth")
    if rows and (missing := [c for c in needed if c not in rows[0]]):
        raise CivilError(f"{path}: missing column(s) {', '.join(missing)}; was it written by `bench cases`?")
    return rows


def spec_of(case: dict[str, Any]) -> dict[str, Any]:
    """The building spec of a case as a dict."""
    return json.loads(case["spec"])
