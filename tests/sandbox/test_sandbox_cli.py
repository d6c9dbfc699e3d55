"""`civilinstruct run`: JSON and human output, exit 0 whatever the program did, one-line errors for bad usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.sandbox import isolation

WEAK = [] if isolation.probe().full else ["--allow-weak-isolation"]
PROGRAM = ("import sys\nprint('Mode 1: T = 0.74 s')\nprint('max interstory drift 1/812 <= 1/550: OK')\n"
           "print('opensees warning', file=sys.stderr)\nraise ValueError('bad section')\n")


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "frame.py"
    path.write_text(PROGRAM)
    return path


def test_json_output_has_every_field(runner: CliRunner, program: Path) -> None:
    result = runner.invoke(app, ["run", str(program), "--json", "--timeout", "20", *WEAK])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "error" and data["exit_code"] == 1
    assert (data["exception_type"], data["exception_message"]) == ("ValueError", "bad section")
    assert (data["error_line"], data["total_lines"]) == (5, 5)
    assert data["stdout"].startswith("Mode 1") and data["stderr"].startswith("opensees warning")
    assert data["stdout_truncated"] is False and data["stderr_truncated"] is False
    assert data["period_s"] == 0.74 and data["periods"] == [0.74]
    assert data["max_drift"] == pytest.approx(1 / 812) and data["compliance"] == "pass"
    assert data["wall_s"] > 0


def test_human_output_shows_status_and_physics(runner: CliRunner, program: Path) -> None:
    result = runner.invoke(app, ["run", str(program), "--timeout", "20", *WEAK])
    assert result.exit_code == 0, result.output
    for text in ("status", "error", "ValueError: bad section at line 5 of 5", "0.74 s", "1/812", "pass"):
        assert text in result.stdout


def test_a_timeout_is_still_exit_0(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "loop.py"
    path.write_text("while True:\n    pass\n")
    result = runner.invoke(app, ["run", str(path), "--json", "--timeout", "0.5", *WEAK])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "timeout"


def test_missing_file_is_one_line_and_non_zero(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope.py")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "no such program file" in result.output


@pytest.mark.parametrize("args", [["--memory", "not-a-number"], ["--bogus"], []])
def test_bad_usage_is_one_line_and_non_zero(runner: CliRunner, program: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["run", *([str(program)] if args else []), *args])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
