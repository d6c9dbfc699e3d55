"""`civilinstruct bench compare A B`: two runs side by side with bootstrap confidence intervals on pass@k."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from civilinstruct.cli.common import console, print_json
from civilinstruct.errors import CivilError


def _outcomes(path: Path, k: int, workers: int, timeout: float, weak: bool) -> tuple[list[dict[str, Any]], Any]:
    """Per-generation outcomes: read from `bench score --outcomes` output, or scored now from a gens parquet."""
    import pyarrow.parquet as pq

    from civilinstruct.bench.runmeta import read_run_meta

    if not path.is_file():
        raise CivilError(f"{path}: no such file")
    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several types for a file that is not parquet
        raise CivilError(f"{path}: not a readable parquet file ({exc})") from exc
    if "strict" in names and "case_id" in names:
        return pq.read_table(path).to_pylist(), None
    from civilinstruct.bench.score import load_generations, score_rows
    from civilinstruct.sandbox import Sandbox

    rows = load_generations(path)
    with Sandbox(timeout=timeout, workers=workers, allow_weak_isolation=weak) as box:
        return score_rows(rows, box, k=k)["outcomes"], read_run_meta(path)


def compare_cmd(
    a: Path = typer.Argument(..., help="Run A: a gens parquet (`bench run`) or outcomes (`bench score --outcomes`)."),
    b: Path = typer.Argument(..., help="Run B, the same kinds of file."),
    k: int = typer.Option(5, "--k", help="k of pass@k."),
    samples: int = typer.Option(2000, "--samples", help="Bootstrap resamples."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level of the intervals."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    workers: int = typer.Option(2, "--workers", envvar="CIVILINSTRUCT_WORKERS", help="Sandbox workers (gens files)."),
    timeout: float = typer.Option(60.0, "--timeout", help="Wall-clock limit per program, seconds (gens files)."),
    allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                              envvar="CIVILINSTRUCT_ALLOW_WEAK_ISOLATION",
                                              help="Run even where the sandbox cannot fully isolate programs."),
    json_out: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """pass@1 and pass@k (executes, period, compliance, strict) of A and B on their shared cases, with paired
    bootstrap confidence intervals (resampling cases) for each and for B - A."""
    from civilinstruct.bench.compare import compare

    if k < 1 or samples < 100 or not 0 < confidence < 1:
        raise CivilError("need --k >= 1, --samples >= 100 and 0 < --confidence < 1")
    out_a, meta_a = _outcomes(a, k, workers, timeout, allow_weak_isolation)
    out_b, meta_b = _outcomes(b, k, workers, timeout, allow_weak_isolation)
    result = compare(out_a, out_b, k=k, samples=samples, confidence=confidence, seed=seed)
    result["a"], result["b"] = {"file": str(a), "run": meta_a}, {"file": str(b), "run": meta_b}
    if meta_a and meta_b and meta_a.get("cases_sha256") != meta_b.get("cases_sha256"):
        result["warning"] = "the runs answered different cases files; only their shared cases are compared"
    if json_out:
        print_json(result)
        return
    from rich.table import Table

    pct = int(confidence * 100)
    table = Table(title=f"{a.name} (A) vs {b.name} (B): {result['cases']} shared cases, {pct}% bootstrap intervals")
    for col in ("metric", "A", f"A {pct}% CI", "B", f"B {pct}% CI", "B - A", f"B - A {pct}% CI", ""):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for r in result["metrics"]:
        table.add_row(r["metric"], f"{r['a']:.1f}", "{:.1f} - {:.1f}".format(*r["a_ci"]), f"{r['b']:.1f}",
                      "{:.1f} - {:.1f}".format(*r["b_ci"]), f"{r['diff']:+.1f}",
                      "{:+.1f} - {:+.1f}".format(*r["diff_ci"]), "*" if r["significant"] else "")
    console.print(table)
    if result.get("warning"):
        console.print(f"warning: {result['warning']}")
