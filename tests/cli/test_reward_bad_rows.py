"""Issue 20: a bad row of a reward file does not stop the file: the good rows are scored, each bad one is reported
with its line number and a one-line reason (in --json too); the exit is non-zero only with --strict or when no row
can be scored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from civilinstruct.cli.app import app

runner = CliRunner()
GOOD = {"completion": "```python\nprint('T1 = 0.5 s')\n```", "ground_truth": 0.5}
LINES = [
    json.dumps(GOOD),
    "not json {",
    json.dumps({"completion": "```python\nprint(1)\n```", "ground_truth": "abc"}),
    "",
    json.dumps({"messages": ["hello", "print(1)"], "ground_truth": 0.5}),
    json.dumps({**GOOD, "ground_truth": "0.5"}),
]


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_good_rows_are_scored_and_each_bad_row_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, LINES)
    result = runner.invoke(app, ["reward", str(path), "--json", "--allow-weak-isolation", "--workers", "1"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["line"] for r in rows] == [1, 2, 3, 5, 6]
    scored = {r["line"]: r for r in rows if r["error"] is None}
    bad = {r["line"]: r for r in rows if r["error"] is not None}
    assert sorted(scored) == [1, 6] and all(r["reward"] > 0 and r["status"] == "ok" for r in scored.values())
    assert sorted(bad) == [2, 3, 5] and all(r["reward"] is None for r in bad.values())
    assert bad[2]["error"].startswith("not JSON")
    assert "ground_truth" in bad[3]["error"] and "messages" in bad[5]["error"]
    assert all("\n" not in r["error"] for r in bad.values())


def test_the_table_says_which_rows_were_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, LINES)
    result = runner.invoke(app, ["reward", str(path), "--allow-weak-isolation", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 completions" in result.output and "mean reward" in result.output
    for line in (2, 3, 5):
        assert f"skipped {path}:{line}: " in result.output
    assert "3 rows not scored" in result.output


def test_strict_stops_at_the_first_bad_row_before_running_anything(tmp_path: Path) -> None:
    path = write(tmp_path, LINES)
    result = runner.invoke(app, ["reward", str(path), "--strict", "--json", "--allow-weak-isolation"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"{path}:2: not JSON" in lines[0] and "2 more rows" in lines[0], result.output


def test_a_file_with_no_good_row_fails_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, LINES[1:3])
    result = runner.invoke(app, ["reward", str(path), "--json", "--allow-weak-isolation"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"{path}:1: not JSON" in lines[0] and "no row can be scored" in lines[0]
