"""`civilinstruct reward`: score a JSONL file of completions with the MGHR reward and show every component."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from civilinstruct.errors import CivilError

COMPONENTS = ("reward", "r_fmt", "r_ast", "r_exec")


def read_completions(path: Path) -> list[dict[str, Any]]:
    """Lines of {"completion": str | [messages], "ground_truth": ...} (also "solution_str" / "messages")."""
    if not path.is_file():
        raise CivilError(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CivilError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise CivilError(f"{path}:{number}: expected an object with a completion")
        completion = row.get("completion", row.get("solution_str"))
        if completion is None and isinstance(row.get("messages"), list):
            completion = [m for m in row["messages"] if m.get("role") == "assistant"][-1:]
        if completion is None:
            raise CivilError(f"{path}:{number}: no completion (give completion, solution_str or messages)")
        gt = row.get("ground_truth")
        if gt is None and isinstance(row.get("reward_model"), dict):
            gt = row["reward_model"].get("ground_truth")
        rows.append({"line": number, "completion": completion, "ground_truth": gt})
    if not rows:
        raise CivilError(f"{path}: no completions")
    return rows


def register(app: typer.Typer) -> None:
    @app.command("reward")
    def reward(
        completions: Path = typer.Argument(..., help="JSONL: one {completion, ground_truth} per line."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object per completion."),
        workers: int = typer.Option(2, "--workers", envvar="CIVILINSTRUCT_WORKERS", help="Sandbox workers."),
        timeout: float = typer.Option(60.0, "--timeout", help="Wall-clock limit per program, seconds."),
        allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                                  envvar="CIVILINSTRUCT_ALLOW_WEAK_ISOLATION",
                                                  help="Run even where the sandbox cannot fully isolate."),
    ) -> None:
        """Score completions with R = 0.05 r_fmt + 0.25 r_ast + 0.70 r_exec (programs run in the sandbox).

        A completion is a string or a conversational list of messages; ground_truth is the reference period
        in seconds (number or string). Shows each component, the run status and the period error.
        """
        from civilinstruct.reward import mghr_components
        from civilinstruct.sandbox import Sandbox

        rows = read_completions(completions)
        with Sandbox(timeout=timeout, workers=workers, allow_weak_isolation=allow_weak_isolation) as box:
            parts = mghr_components(None, [r["completion"] for r in rows], [r["ground_truth"] for r in rows],
                                    sandbox=box, progress=not json_out and len(rows) > 1)
        results = [{"line": r["line"], **p} for r, p in zip(rows, parts)]
        if json_out:
            from civilinstruct.cli.common import print_json

            print_json(results)
            return
        _print_table(results)


def _print_table(results: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from civilinstruct.cli.common import console

    table = Table(title="MGHR reward")
    for col in ("line", *COMPONENTS, "status", "exception", "T1 (s)", "T_ref (s)", "error", "verdict"):
        table.add_column(col, justify="right" if col not in ("status", "exception", "verdict") else "left")
    for r in results:
        err = r["period_error"]
        table.add_row(str(r["line"]), *(f"{r[c]:.3f}" for c in COMPONENTS), str(r["status"] or "no program"),
                      str(r["exception_type"] or ""), _num(r["period_s"]), _num(r["ground_truth"]),
                      "" if err is None else f"{100 * err:.1f}%", str(r["compliance"] or ""))
    console.print(table)
    mean = sum(r["reward"] for r in results) / len(results)
    console.print(f"{len(results)} completions, mean reward {mean:.3f}")


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"
