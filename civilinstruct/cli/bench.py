"""`civilinstruct bench cases|run|score` (BMEval) and `civilinstruct decontaminate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from civilinstruct.cli.common import LLM_BUDGET_OPTION, REQUEST_TIMEOUT_OPTION, console, new_app, print_json
from civilinstruct.errors import CivilError

_WORKERS = typer.Option(2, "--workers", envvar="CIVILINSTRUCT_WORKERS", help="Sandbox workers.")
_TIMEOUT = typer.Option(60.0, "--timeout", help="Wall-clock limit per program, seconds.")
_WEAK = typer.Option(False, "--allow-weak-isolation", envvar="CIVILINSTRUCT_ALLOW_WEAK_ISOLATION",
                     help="Run even where the sandbox cannot fully isolate programs.")


def _ground_truth(value: str | None, allowed: tuple[str, ...] = ("fe", "empirical")) -> str | None:
    if value is not None and value not in allowed:
        raise CivilError(f"--ground-truth must be {', '.join(allowed[:-1])} or {allowed[-1]}, not {value!r}")
    return value


def cases_cmd(
    n: int = typer.Option(128, "--n", help="Number of cases."),
    seed: int = typer.Option(0, "--seed", help="Seed of the building sampler; same seed, same cases."),
    out: Path = typer.Option(..., "--out", help="Cases parquet to write."),
    ground_truth: str = typer.Option("fe", "--ground-truth",
                                     help="Default reference period: fe (the reference design's FE model) or "
                                          "empirical (GB 50009 formula, the paper's choice). Both are stored."),
    data: Path | None = typer.Option(None, "--data", help="Report how many rows of this data directory share a "
                                                         "building with the cases."),
    workers: int = _WORKERS, timeout: float = _TIMEOUT, allow_weak_isolation: bool = _WEAK,
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build BMEval cases: designable sampled buildings, each with its instruction and reference periods.

    Every reference program runs in the sandbox; a case is kept only if it runs and prints T1. The benchmark
    samples its own stream of buildings, so `build --seed S` and `bench cases --seed S` never draw the same ones.
    """
    from civilinstruct.bench.cases import build_cases, write_cases
    from civilinstruct.sandbox import Sandbox

    if n < 1:
        raise CivilError("--n must be at least 1")
    _ground_truth(ground_truth)
    with Sandbox(timeout=timeout, workers=workers, allow_weak_isolation=allow_weak_isolation) as box:
        cases, dropped = build_cases(n, seed, box, ground_truth=ground_truth, progress=not json_out)  # type: ignore[arg-type]
    write_cases(cases, out)
    ratios = sorted(c["t_ref_fe"] / c["t_ref_empirical"] for c in cases)
    summary = {"out": str(out), "cases": len(cases), "seed": seed, "ground_truth": ground_truth,
               "dropped": dict(dropped), "fe_over_empirical_median": round(ratios[len(ratios) // 2], 3),
               "within_30pct_of_empirical": sum(abs(r - 1) <= 0.3 for r in ratios)}
    if data is not None:
        from civilinstruct.release.heldout import overlap

        summary["overlap"] = overlap(data, [dict(c) for c in cases])
    if json_out:
        print_json(summary)
    else:
        console.print(f"wrote {len(cases)} cases to {out} (ground truth: {ground_truth}); dropped: {dict(dropped)}")
        console.print(f"T1 FE / empirical: median {summary['fe_over_empirical_median']}, "
                      f"{summary['within_30pct_of_empirical']}/{len(cases)} within 30%")
        if "overlap" in summary:
            o = summary["overlap"]
            console.print(f"overlap with {data}: {o['rows']} rows of {o['buildings']} buildings {o['by_part']} "
                          f"(export and train leave them out)")


def run_cmd(
    cases: Path = typer.Option(..., "--cases", help="Cases parquet from `bench cases`."),
    out: Path = typer.Option(..., "--out", help="Generations parquet to write (resumes if present)."),
    base_url: str | None = typer.Option(None, "--base-url", envvar="OPENAI_BASE_URL",
                                        help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1."),
    model: str | None = typer.Option(None, "--model", envvar="CIVILINSTRUCT_MODEL", help="Model name there."),
    n: int = typer.Option(5, "-n", "--n", help="Completions per case."),
    backend: str = typer.Option("openai", "--backend", help="openai (an endpoint) or offline (in-process rules)."),
    concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight."),
    temperature: float | None = typer.Option(None, "--temperature"),
    top_p: float | None = typer.Option(None, "--top-p"),
    max_tokens: int | None = typer.Option(None, "--max-tokens"),
    limit: int | None = typer.Option(None, "--limit", help="Only the first LIMIT cases."),
    request_timeout: float | None = REQUEST_TIMEOUT_OPTION,
    llm_budget: float | None = LLM_BUDGET_OPTION,
    overwrite: bool = typer.Option(False, "--overwrite",
                                   help="Replace an --out that holds another run (other model, endpoint, sampling, "
                                        "n or cases file) instead of refusing."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Generate n completions per case through the LLM backend; resumable (rerun to finish a killed run).

    The run's model, endpoint, sampling settings, cases-file hash, ground truth and date are stored in the
    output's metadata; a rerun resumes only the same run and refuses another one (or --overwrite).
    """
    from civilinstruct.bench.cases import read_cases
    from civilinstruct.bench.run import run_bench
    from civilinstruct.llm import get_backend
    from civilinstruct.pipelines.base import BuildOptions

    if backend not in ("openai", "offline"):
        raise CivilError(f"--backend must be openai or offline, not {backend!r}")
    rows = read_cases(cases)[:limit]
    options = BuildOptions(backend=backend, base_url=base_url, model=model,  # type: ignore[arg-type]
                           extra={"concurrency": concurrency, "llm_cache": "off"} | {
                               k: v for k, v in (("request_timeout_s", request_timeout), ("llm_budget_s", llm_budget))
                               if v is not None})
    llm = get_backend(options)
    sampling = {k: v for k, v in (("temperature", temperature), ("top_p", top_p), ("max_tokens", max_tokens))
                if v is not None}
    from civilinstruct.bench.runmeta import run_identity

    name = model or getattr(llm, "name", backend)
    truth = rows[0].get("ground_truth_source") if rows else None
    identity = run_identity(model=name, backend=backend, endpoint=base_url if backend == "openai" else None, n=n,
                            sampling=sampling, cases_path=cases, ground_truth=truth)
    identity["limit"] = limit
    summary = run_bench(rows, out, llm, n=n, model=name, concurrency=concurrency, sampling=sampling,
                        progress=not json_out, identity=identity, overwrite=overwrite)
    if json_out:
        print_json(summary)
    else:
        console.print(f"{summary['generations']} generations for {summary['cases']} cases in {out} "
                      f"({summary['resumed']} cases already done; model {name}; "
                      f"{summary['truncated']} cut at the token limit)")


def score_cmd(
    gens: Path = typer.Argument(..., help="Generations parquet from `bench run`."),
    json_out: bool = typer.Option(False, "--json", help="Print metrics and failures as JSON."),
    report: Path | None = typer.Option(None, "--report", help="Write an HTML report (and beside it a PNG and REPORT-cases.html, the per-case drill-down)."),
    k: int = typer.Option(5, "--k", help="k of Pass@k (needs at least k generations per case)."),
    ground_truth: str | None = typer.Option(
        None, "--ground-truth", help="Score against fe or empirical instead of the cases' default, or band: "
                                     "the range of T1 over code-compliant designs of each building (+-10%)."),
    outcomes: Path | None = typer.Option(None, "--outcomes", help="Write per-generation verdicts (parquet)."),
    with_reward: bool = typer.Option(False, "--with-reward", help="Also compute each generation's MGHR reward."),
    workers: int = _WORKERS, timeout: float = _TIMEOUT, allow_weak_isolation: bool = _WEAK,
) -> None:
    """Run every generated program; report the six BMEval metrics and the failure breakdown.

    Pass@1, Pass@k (executes), Pass@k_period (|T - T_ref| / T_ref <= 0.30), Pass@k_compliance (an affirmative
    verdict no negation cancels), Pass@k_strict (all at once), Average and Overall Average, with the unbiased
    pass@k estimator; then Pass@k_verified (executes, models the building asked for, a period verified against
    its own eigen solution within tolerance, a PASS backed by its own printed drift). Failures (not verified):
    the paper's section 6.3 taxonomy by first failing stage (executability, compliance, period, spec).
    """
    from civilinstruct.bench.runmeta import read_run_meta
    from civilinstruct.bench.score import load_generations, score_rows
    from civilinstruct.sandbox import Sandbox

    rows = load_generations(gens, _ground_truth(ground_truth, ("fe", "empirical", "band")))
    if k < 1:
        raise CivilError("--k must be at least 1")
    with Sandbox(timeout=timeout, workers=workers, allow_weak_isolation=allow_weak_isolation) as box:
        summary = score_rows(rows, box, k=k, progress=not json_out, with_reward=with_reward)
    summary["run"] = read_run_meta(gens)
    if outcomes is not None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(summary["outcomes"]), outcomes)
    if report is not None:
        from civilinstruct.bench.report import write_report

        write_report(summary, report, title=gens.stem)
        from civilinstruct.bench.drilldown import drilldown_path, write_drilldown

        write_drilldown(rows, summary["outcomes"], summary["run"], drilldown_path(report), title=gens.stem)
    public = {k_: v for k_, v in summary.items() if k_ != "outcomes"}
    if json_out:
        print_json(public)
        return
    _print_summary(public, report)


def _print_summary(summary: dict[str, Any], report: Path | None) -> None:
    from rich.table import Table

    from civilinstruct.bench.runmeta import describe

    console.print("run: " + "; ".join(f"{label} {value}" for label, value in describe(summary.get("run"))))
    if summary.get("truncated"):
        console.print(f"{summary['truncated']} generation(s) cut at the token limit (finish_reason=length)")
    table = Table(title=f"BMEval: {summary['cases']} cases, {summary['generations']} generations")
    for name in summary["metrics"]:
        table.add_column(name, justify="right")
    table.add_row(*(f"{v:.2f}" for v in summary["metrics"].values()))
    console.print(table)
    fail = Table(title=f"failure taxonomy: {summary['failures']['failed']} generations not verified")
    for col in ("stage / label", "count", "% of failures / of stage"):
        fail.add_column(col)
    for row in summary["failures"]["stages"]:
        fail.add_row(row["stage"], str(row["count"]), f"{row['percent']:.1f}")
        for mode in summary["failures"]["modes_by_stage"].get(row["stage"], []):
            fail.add_row(f"  {mode['mode']}", str(mode["count"]), f"{mode['percent']:.1f}")
    console.print(fail)
    spec = summary.get("spec_conformance") or {}
    if spec.get("checked"):
        wrong = ", ".join(f"{f} {n}" for f, n in spec["wrong_fields"].items()) or "none"
        console.print(f"spec conformance: {spec['conforms']}/{spec['checked']} executed programs model the "
                      f"building asked for; wrong fields: {wrong}")
    if report is not None:
        from civilinstruct.bench.drilldown import drilldown_path

        console.print(f"report: {report} (per case: {drilldown_path(report)})")


def decontaminate_cmd(
    data: Path = typer.Argument(..., help="A data directory (store), or a .parquet / .jsonl file of samples."),
    against: Path = typer.Option(..., "--against", help="BMEval cases parquet."),
    mode: str = typer.Option("remove", "--mode", help="remove leaked samples, or flag them (extra.decontamination)."),
    out: Path | None = typer.Option(None, "--out", help="For a file DATA: where to write the result."),
    part: list[str] = typer.Option([], "--part", help="Store parts to check (default: all)."),
    from_version: str | None = typer.Option(None, "--from-version", help="Store version to read (default latest)."),
    to_version: str | None = typer.Option(None, "--to-version", help="Store version to write (default <v>-decon)."),
    ngram: int = typer.Option(8, "--ngram", help="Word n-gram length of the instruction overlap test."),
    threshold: float = typer.Option(0.7, "--threshold", help="Share of a case's distinctive n-grams that leaks it."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Find training samples whose building (same spec) or instruction (n-gram overlap) matches a BMEval case.

    A store gets a new version per part whose samples derive from the originals (lineage pipeline
    `decontaminate`); a file DATA is written to --out.
    """
    from civilinstruct.bench.cases import read_cases
    from civilinstruct.bench.decontaminate import CaseIndex, decontaminate_rows, decontaminate_store

    if mode not in ("remove", "flag"):
        raise CivilError(f"--mode must be remove or flag, not {mode!r}")
    if not 0 < threshold <= 1:
        raise CivilError("--threshold must be in (0, 1]")
    index = CaseIndex.build(read_cases(against), n=ngram, threshold=threshold)
    if data.is_dir():
        from civilinstruct.store import Store

        store = Store(data)
        if not store.exists():
            raise CivilError(f"{data}: not a civilinstruct data directory (no catalog)")
        result = decontaminate_store(store, index, parts=part or None, mode=mode, to_version=to_version,
                                     from_version=from_version)
    else:
        if out is None:
            raise CivilError("a file DATA needs --out")
        rows = _read_rows(data)
        kept, result = decontaminate_rows(rows, index, mode=mode)
        _write_rows(kept, out)
        result["out"] = str(out)
        result["kept"] = len(kept)
    if json_out:
        print_json(result)
    else:
        flagged = len(result["matches"])
        console.print(f"{flagged} leaked sample(s) {'removed' if mode == 'remove' else 'flagged'} "
                      f"(against {against}, index {result['against']})")
        for name, counts in result.get("parts", {}).items():
            console.print(f"  {name}: {counts}")


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise CivilError(f"{path}: no such file or data directory")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if path.suffix in (".jsonl", ".json"):
        try:
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise CivilError(f"{path}: not JSON lines ({exc.msg})") from exc
    raise CivilError(f"{path}: expected a data directory, .parquet or .jsonl")


def _write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows),
                        encoding="utf-8")


def register(app: typer.Typer) -> None:
    group = new_app(help="BMEval: build cases, generate with a model, score the programs.")
    group.command("cases")(cases_cmd)
    group.command("run")(run_cmd)
    group.command("score")(score_cmd)
    from civilinstruct.cli.bench_compare import compare_cmd

    group.command("compare")(compare_cmd)
    app.add_typer(group, name="bench")
    app.command("decontaminate")(decontaminate_cmd)
