"""Bad usage of any command is one plain line on stderr and exit 2; help stays help.

The command list is walked from the app itself, so a newly registered command is covered without editing this file.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from civilinstruct.cli.app import app

CONSOLE_SCRIPT = Path(sys.executable).parent / "civilinstruct"
UNKNOWN_FLAG = "--no-such-flag"


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the click tree under `command`, with its path of names (the root is `()`)."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


TREE = list(_walk(typer.main.get_command(app)))
LEAVES = [path for path, command in TREE if not hasattr(command, "commands")]
GROUPS = [path for path, command in TREE if hasattr(command, "commands")]


def _ids(path: tuple[str, ...]) -> str:
    return " ".join(path) or "<root>"


def civilinstruct(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user would."""
    return subprocess.run([str(CONSOLE_SCRIPT), *args], capture_output=True, text=True, timeout=60)


def assert_one_line_usage_error(result: subprocess.CompletedProcess[str], *named: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), result.stderr
    assert result.stdout == ""
    for text in named:
        assert text in lines[0]


def test_the_walk_finds_the_commands() -> None:
    assert {("run",), ("catalog",), ("bench", "run"), ("train", "sft")} <= set(LEAVES)
    assert {(), ("bench",), ("train",)} <= set(GROUPS)


@pytest.mark.slow
@pytest.mark.parametrize("path", LEAVES, ids=_ids)
def test_unknown_flag_is_one_line(path: tuple[str, ...]) -> None:
    result = civilinstruct(*path, UNKNOWN_FLAG)
    assert_one_line_usage_error(result, UNKNOWN_FLAG, f"see civilinstruct {' '.join(path)} --help")


@pytest.mark.slow
@pytest.mark.parametrize("path", GROUPS, ids=_ids)
def test_unknown_command_and_group_flag_are_one_line(path: tuple[str, ...]) -> None:
    help_hint = f"see {' '.join(('civilinstruct', *path))} --help"
    assert_one_line_usage_error(civilinstruct(*path, "no-such-command"), "no-such-command", help_hint)
    assert_one_line_usage_error(civilinstruct(*path, UNKNOWN_FLAG), UNKNOWN_FLAG, help_hint)


def test_bad_value_and_missing_argument_are_one_line() -> None:
    assert_one_line_usage_error(civilinstruct("run", "--timeout", "soon", "x.py"), "--timeout")
    assert_one_line_usage_error(civilinstruct("run"), "program", "see civilinstruct run --help")


@pytest.mark.parametrize("path", [path for path, _ in TREE], ids=_ids)
def test_help_is_still_help(runner, path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "error:" not in result.output


@pytest.mark.slow
def test_group_without_arguments_prints_its_help() -> None:
    for path in GROUPS:
        result = civilinstruct(*path)
        assert "Usage:" in result.stdout and "Commands" in result.stdout, result.stdout
        assert result.stderr == ""
