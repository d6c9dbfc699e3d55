"""`civilinstruct run PROGRAM.py`: run one program in the sandbox and show what it did and what physics it printed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from civilinstruct import limits
from civilinstruct.cli.common import console, print_json
from civilinstruct.errors import CivilError

if TYPE_CHECKING:
    from civilinstruct.sandbox.result import RunResult

STATUS_STYLE = {"ok": "green", "error": "red", "timeout": "yellow", "crashed": "magenta", "killed": "magenta",
                "oom": "yellow", "terminated": "magenta"}


def run(
    program: Path = typer.Argument(..., help="The Python/OpenSeesPy program to run (untrusted is fine)."),
    timeout: float = typer.Option(60.0, "--timeout", callback=limits.cli(limits.timeout),
                                  envvar="CIVILINSTRUCT_TIMEOUT",
                                  help="Wall-clock limit in seconds; the whole process tree is killed at it."),
    memory: int = typer.Option(2048, "--memory", min=16, max=limits.MAX_MEMORY_MB, envvar="CIVILINSTRUCT_MEMORY_MB",
                               help="Memory cap in MB (address space beyond the warm interpreter's; cgroup total)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                              envvar="CIVILINSTRUCT_ALLOW_WEAK_ISOLATION",
                                              help="Run even where a protection is off (it says which)."),
) -> None:
    """Run PROGRAM in the sandbox: isolated, time- and memory-capped, with T1, drift and verdict read from stdout.

    Exits 0 whenever the sandbox worked, whatever the program did (see `status`); non-zero only for bad usage.
    """
    from civilinstruct.sandbox import Sandbox

    if not program.is_file():
        raise CivilError(f"no such program file: {program}")
    try:
        code = program.read_text(encoding="utf-8-sig")  # a leading BOM is fine for Python, so it is here
    except (OSError, UnicodeDecodeError) as exc:
        raise CivilError(f"cannot read {program}: {exc}") from None
    with Sandbox(timeout=timeout, memory_mb=memory, workers=1, allow_weak_isolation=allow_weak_isolation) as box:
        result = box.run(code)
    if json_out:
        print_json(result.model_dump())
        return
    _show(program, result)


def _show(program: Path, r: RunResult) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    style = STATUS_STYLE.get(r.status, "white")
    table.add_row("status", f"[{style}]{r.status}[/] (exit code {r.exit_code})")
    if r.exception_type:
        where = f" at line {r.error_line} of {r.total_lines}" if r.error_line else ""
        table.add_row("exception", escape(f"{r.exception_type}: {r.exception_message}{where}"))
    table.add_row("wall time", f"{r.wall_s:.3f} s")
    if r.status == "terminated" and r.last_line:
        table.add_row("ended at", f"line {r.last_line} of {r.total_lines}")
    table.add_row("T1", ("-" if r.period_s is None else f"{r.period_s:g} s") + f" ({r.period_check}"
                  + (f", printed {r.printed_period_s:g} s)" if r.printed_period_s is not None else ")"))
    if r.model is not None:
        m = r.model
        spans = "; ".join(f"{axis}: {', '.join(f'{v:g}' for v in gaps) or '-'}" for axis, gaps in m.spans_m.items())
        table.add_row("model", f"{m.nodes} nodes, {m.elements} elements, {m.stories} stories "
                               f"({', '.join(f'{h:g}' for h in m.story_heights_m)}), spans {spans or '-'}, "
                               f"mass {m.total_mass_t:g} t, read at {m.snapshot or '-'}")
    if len(r.periods) > 1:
        table.add_row("periods", ", ".join(f"{p:g}" for p in r.periods))
    table.add_row("max drift", "-" if r.max_drift is None else f"{r.max_drift:.6g} (1/{1 / r.max_drift:.0f})")
    table.add_row("compliance", r.compliance or "-")
    console.print(Panel(table, title=escape(str(program)), expand=False))
    for name, text, cut in (("stdout", r.stdout, r.stdout_truncated), ("stderr", r.stderr, r.stderr_truncated)):
        if text:
            console.rule(f"{name}{' (truncated)' if cut else ''}")
            console.print(escape(text.rstrip("\n")), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
