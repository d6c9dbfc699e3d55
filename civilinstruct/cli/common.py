"""Shared pieces of the CLI: an app factory whose commands turn `CivilError` into one line, and output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from civilinstruct.errors import CivilError

console = Console()
err_console = Console(stderr=True)


class CivilGroup(TyperGroup):
    """A click group that prints a user error as one line and exits non-zero instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CivilError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]: what was committed is kept; rerun to resume")
            ctx.exit(130)


def new_app(help: str | None = None, **kwargs: Any) -> typer.Typer:
    """A typer app (or command group) wired to `CivilGroup`."""
    return typer.Typer(cls=CivilGroup, help=help, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False, **kwargs)


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
