"""`civilinstruct reward`: score a JSONL file of completions with the MGHR reward and show every component."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from civilinstruct import limits
from civilinstruct.cli.reward_input import read_completions
from civilinstruct.errors import CivilError

COMPONENTS = ("reward", "r_fmt", "r_ast", "r_exec")


def register(app: typer.Typer) -> None:
    @app.command("reward")
    def reward(
        completions: Path = typer.Argument(..., help="JSONL: one {completion, ground_truth} per line."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object per line of the file, in order: "
                                      "scored rows carry error = null; a row that cannot be scored has only "
                                      "line, error (the reason) and reward = null."),
        strict: bool = typer.Option(False, "--strict",
                                    help="Fail (exit 1, nothing run) at the first row that cannot be scored. "
                                         "Without it bad rows are reported (line and reason) and the good ones "
                                         "scored; the exit is non-zero only when no row can be scored."),
        workers: int = typer.Option(2, "--workers", envvar="CIVILINSTRUCT_WORKERS", callback=limits.cli(limits.workers),
                                 help=f"Sandbox workers (1 to {limits.MAX_WORKERS})."),
        timeout: float = typer.Option(60.0, "--timeout", callback=limits.cli(limits.timeout),
                                     help="Wall-clock limit per program, seconds."),
        mode: str = typer.Option("verified", "--mode",
                                 help="verified: period credit only for a period checked against the program's "
                                      "own eigen solution (default); paper: the published rules, printed words."),
        allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                                  envvar="CIVILINSTRUCT_ALLOW_WEAK_ISOLATION",
                                                  help="Run even where the sandbox cannot fully isolate."),
    ) -> None:
        """Score completions with R = 0.05 r_fmt + 0.25 r_ast + 0.70 r_exec (programs run in the sandbox).

        A completion is a string or a conversational list of messages; ground_truth is the reference period
        in seconds (number or string). A row that cannot be scored is reported with its line number and why;
        the others are scored (--strict: stop at the first bad row instead). Shows each component, the run
        status, the period check, the period error and, for lines that carry their instruction, the spec
        conformance of the model the program built.
        """
        from civilinstruct.scoring.reward import evaluate, parse_ground_truth
        from civilinstruct.scoring.reward import completion_text
        from civilinstruct.scoring.execution import MODES
        from civilinstruct.sandbox import Sandbox

        if mode not in MODES:
            raise CivilError(f"--mode must be {' or '.join(MODES)}, not {mode!r}")
        rows, bad = read_completions(completions, strict=strict)
        with Sandbox(timeout=timeout, workers=workers, allow_weak_isolation=allow_weak_isolation) as box:
            evaluated = evaluate([completion_text(r["completion"]) for r in rows],
                                 [parse_ground_truth(r["ground_truth"]) for r in rows], box,
                                 progress=not json_out and len(rows) > 1, mode=mode,
                                 instructions=[r["instruction"] for r in rows])
        parts = [p for p, _, _ in evaluated]
        results = [{"line": r["line"], **p, "error": None} for r, p in zip(rows, parts)]
        if json_out:
            from civilinstruct.cli.common import print_json

            skipped = [{**b, "reward": None} for b in bad]
            print_json(sorted(results + skipped, key=lambda r: r["line"]))
            return
        _print_table(results)
        _print_skipped(completions, bad)


def _print_table(results: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from civilinstruct.cli.common import console

    table = Table(title="MGHR reward")
    text_cols = ("status", "exception", "check", "verdict", "spec")
    for col in ("line", *COMPONENTS, "status", "exception", "T1 (s)", "check", "T_ref (s)", "error", "verdict",
                "spec"):
        table.add_column(col, justify="left" if col in text_cols else "right")
    for r in results:
        err = r["period_error"]
        table.add_row(str(r["line"]), *(f"{r[c]:.3f}" for c in COMPONENTS), str(r["status"] or "no program"),
                      str(r["exception_type"] or ""), _num(r["period_s"] or r["printed_period_s"]),
                      str(r["period_check"] or ""), _num(r["ground_truth"]),
                      "" if err is None else f"{100 * err:.1f}%", str(r["compliance"] or ""), _spec(r))
    console.print(table)
    mean = sum(r["reward"] for r in results) / len(results)
    console.print(f"{len(results)} completions, mean reward {mean:.3f} ({results[0]['mode']} rules)")


def _print_skipped(path: Path, bad: list[dict[str, Any]]) -> None:
    """Each row that could not be scored: where and why (on stderr, a line each)."""
    import sys

    for row in bad:
        print(f"skipped {path}:{row['line']}: {row['error']}", file=sys.stderr)
    if bad:
        print(f"{len(bad)} row{'s' if len(bad) > 1 else ''} not scored (--strict makes that an error)",
              file=sys.stderr)


def _spec(r: dict[str, Any]) -> str:
    spec = r.get("spec_conformance")
    if spec is None:
        return ""
    if spec["conforms"]:
        return "ok"
    wrong = [f for f, s in spec["fields"].items() if s == "wrong"]
    return "wrong: " + ", ".join(wrong) if wrong else "not modelled"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"
