"""Shared pieces of the CLI: an app factory whose commands turn user errors into one line, and output helpers."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, NoReturn

import click
import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from civilinstruct.errors import CivilError

# Piped or redirected output is for logs and other programs: do not cut tables at rich's default 80 columns.
_WIDE = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 240
console = Console(width=_WIDE)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() or os.environ.get("COLUMNS") else 240)

# Recent typer ships its own copy of click; catch the usage errors of whichever click parses the command line.
_CLICKS = (click, *((typer.core._click,) if hasattr(typer.core, "_click") else ()))
USAGE_ERRORS: tuple[type[Exception], ...] = tuple(c.exceptions.UsageError for c in _CLICKS)
# "Usage error" that is really the help of a group called with no arguments: it must keep printing that help.
_SHOWS_HELP: tuple[type[Exception], ...] = tuple(
    c.exceptions.NoArgsIsHelpError for c in _CLICKS if hasattr(c.exceptions, "NoArgsIsHelpError"))
USAGE_EXIT_CODE = 2  # click's convention for bad usage; a CivilError exits 1 unless it says otherwise


def print_error(message: str) -> None:
    """`error: message` as one line on stderr; the message is shown literally (no rich markup), newlines folded."""
    err_console.print(f"[bold red]error:[/] {escape(' '.join(message.split()))}", highlight=False, soft_wrap=True)


def _failing_command(ctx: click.Context, exc: Exception) -> str:
    """The command path whose usage was wrong: the error's own context, else the sub-command being run."""
    own = getattr(exc, "ctx", None)
    if own is not None:
        return own.command_path
    return " ".join(part for part in (ctx.command_path, ctx.invoked_subcommand) if part)


def exit_on_usage_error(ctx: click.Context, exc: Exception) -> NoReturn:
    """Bad usage (unknown flag or command, bad value, missing argument) as one line naming the right --help."""
    if isinstance(exc, _SHOWS_HELP):
        raise exc
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    print_error(f"{message} (see {_failing_command(ctx, exc)} --help)")
    ctx.exit(USAGE_EXIT_CODE)


class CivilGroup(TyperGroup):
    """A click group that prints a user error or bad usage as one line and exits non-zero instead of a traceback
    or a boxed usage message; sub-commands and nested groups are covered because they parse inside `invoke`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except USAGE_ERRORS as exc:  # the group's own options, e.g. `civilinstruct --nope`
            exit_on_usage_error(ctx, exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CivilError as exc:
            print_error(str(exc))
            ctx.exit(exc.exit_code)
        except USAGE_ERRORS as exc:  # unknown sub-command, or a sub-command's bad flags, values and arguments
            exit_on_usage_error(ctx, exc)
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


# The openai backend's time limits, shared by `build` and `bench run` (each becomes an `extra` setting of the backend).
REQUEST_TIMEOUT_OPTION = typer.Option(
    None, "--request-timeout", min=0.1, max=3600,
    help="backend openai: seconds one request attempt may take (default 120)")
LLM_BUDGET_OPTION = typer.Option(
    None, "--llm-budget", min=0.1, max=86400,
    help="backend openai: seconds one request may take with all its retries (default 300)")
