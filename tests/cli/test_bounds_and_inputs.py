"""Bounds and hostile inputs: every size, count, worker number, timeout and seed is checked before any work starts
with its limit named, and unreadable inputs (non-UTF-8, deep nesting, wrong shapes) are one line, not a traceback."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from civilinstruct import limits
from civilinstruct.cli.app import app
from civilinstruct.errors import CivilError
from civilinstruct.release.manifest import load_manifest

runner = CliRunner()


def one_line_failure(args: list[str], *named: str) -> str:
    """Run the CLI in-process: it must fail with one error line (no traceback) naming each of `named`."""
    result = runner.invoke(app, args)
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


def manifest_file(tmp_path: Path, execution: dict | None = None, **part: object) -> Path:
    data: dict = {"parts": {"long_code": {"n": 2, **part}}}
    if execution:
        data["execution"] = execution
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


# -- bounds: manifests ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("part", "execution", "named"), [
    ({"n": 10**12}, None, ["parts.long_code.n", f"{limits.MAX_N:,}"]),
    ({"n": True}, None, ["parts.long_code.n", "whole number"]),
    ({"n": -1}, None, ["parts.long_code.n", "at least 0"]),
    ({"seed": 2**70}, None, ["parts.long_code.seed", f"{limits.MAX_SEED:,}"]),
    ({}, {"workers": 100000}, ["execution.workers", f"{limits.MAX_WORKERS:,}"]),
    ({}, {"workers": True}, ["execution.workers", "whole number"]),
    ({}, {"timeout_s": 1e308}, ["execution.timeout_s", "limit"]),
    ({}, {"timeout_s": float("inf")}, ["execution.timeout_s", "finite"]),
    ({}, {"timeout_s": float("nan")}, ["execution.timeout_s", "finite"]),
    ({}, {"shard_size": 10**12}, ["execution.shard_size", "limit"]),
])
def test_manifest_bounds_are_named(tmp_path: Path, part: dict, execution: dict | None, named: list[str]) -> None:
    path = manifest_file(tmp_path, execution, **part)
    with pytest.raises(CivilError) as info:
        load_manifest(path)
    assert "\n" not in str(info.value)
    for text in named:
        assert text in str(info.value)


def test_manifest_seed_at_the_top_level_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(f"seed: {2**70}\nparts: {{long_code: {{n: 1}}}}\n")
    with pytest.raises(CivilError, match="seed.*limit"):
        load_manifest(path)


def test_a_huge_manifest_n_fails_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("parts:\n  long_code:\n    n: 1000000000000\n")
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    one_line_failure(["build", str(path), "--data", str(tmp_path / "data")], "n", f"{limits.MAX_N:,}")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KB: no spec list was built
    assert time.monotonic() - start < 30
    assert not (tmp_path / "data").exists()


# -- bounds: command-line options -------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "named"), [
    (["--workers", "1000"], ["--workers", f"{limits.MAX_WORKERS:,}"]),
    (["--timeout", "1e308"], ["--timeout", "limit"]),
    (["--timeout", "inf"], ["--timeout", "finite"]),
    (["--timeout", "nan"], ["--timeout"]),
    (["--seed", str(2**70)], ["--seed", f"{limits.MAX_SEED:,}"]),
    (["--n", str(10**12)], ["--n", f"{limits.MAX_N:,}"]),
])
def test_build_options_are_bounded(tmp_path: Path, args: list[str], named: list[str]) -> None:
    one_line_failure(["build", "long_code", "--data", str(tmp_path / "data"), *args], *named)
    assert not (tmp_path / "data").exists()


def test_manifest_overrides_are_bounded_too(tmp_path: Path) -> None:
    path = manifest_file(tmp_path)
    one_line_failure(["build", str(path), "--data", str(tmp_path / "d"), "--timeout", "inf"], "--timeout")


@pytest.mark.parametrize(("command", "args", "named"), [
    ("run", ["--timeout", "inf"], ["--timeout", "finite"]),
    ("run", ["--timeout", "1e308"], ["--timeout", "limit"]),
    ("reward", ["--timeout", "nan"], ["--timeout"]),
    ("reward", ["--workers", "1000"], ["--workers", f"{limits.MAX_WORKERS:,}"]),
])
def test_run_and_reward_options_are_bounded(tmp_path: Path, command: str, args: list[str], named: list[str]) -> None:
    target = tmp_path / "x.py"
    target.write_text("print(1)\n")
    one_line_failure([command, str(target), *args], *named)


# -- unreadable inputs ------------------------------------------------------------------------------------------
def test_a_non_utf8_manifest_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"parts:\n  long_code:\n    n: 2 # \xff\xfe caf\xe9\n")
    one_line_failure(["build", str(path), "--data", str(tmp_path / "d")], str(path), "UTF-8")


def test_a_deeply_nested_manifest_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("parts: " + "[" * 100_000 + "]" * 100_000 + "\n")
    one_line_failure(["build", str(path), "--data", str(tmp_path / "d")], str(path))


def reward_failure(tmp_path: Path, content: bytes, *named: str) -> str:
    path = tmp_path / "c.jsonl"
    path.write_bytes(content)
    return one_line_failure(["reward", str(path)], str(path), *named)


def test_a_non_utf8_reward_file_is_one_line(tmp_path: Path) -> None:
    reward_failure(tmp_path, b'{"completion": "caf\xe9", "ground_truth": 0.5}\n', "UTF-8")


def test_reward_json_nested_100000_deep_is_one_line(tmp_path: Path) -> None:
    reward_failure(tmp_path, b"[" * 100_000 + b"]" * 100_000 + b"\n", ":1", "nested")


def test_reward_messages_as_plain_strings_are_one_line(tmp_path: Path) -> None:
    row = {"messages": ["hello", "print(1)"], "ground_truth": 0.5}
    reward_failure(tmp_path, (json.dumps(row) + "\n").encode(), ":1", "messages")


@pytest.mark.parametrize(("row", "why"), [
    ({"completion": 42, "ground_truth": 0.5}, "completion"),
    ({"completion": [{"role": "assistant"}], "ground_truth": 0.5}, "completion"),
    ({"completion": "```python\nprint(1)\n```", "ground_truth": "abc"}, "ground_truth"),
    ({"completion": "```python\nprint(1)\n```", "ground_truth": {"t": 1}}, "ground_truth"),
    ({"completion": "```python\nprint(1)\n```", "ground_truth": -1}, "ground_truth"),
    ({"completion": "```python\nprint(1)\n```", "ground_truth": True}, "ground_truth"),
])
def test_a_bad_row_says_why_instead_of_scoring_zero(tmp_path: Path, row: dict, why: str) -> None:
    reward_failure(tmp_path, (json.dumps(row) + "\n").encode(), ":1", why)


def test_run_accepts_a_utf8_bom_that_python_runs(tmp_path: Path) -> None:
    program = tmp_path / "bom.py"
    program.write_bytes(b"\xef\xbb\xbfprint('bom ok')\n")
    result = runner.invoke(app, ["run", str(program), "--json", "--allow-weak-isolation", "--timeout", "30"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)
    assert run["status"] == "ok" and "bom ok" in run["stdout"], run
