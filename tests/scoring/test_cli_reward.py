"""`civilinstruct reward FILE`: a line per completion with its components, plain and conversational."""

from __future__ import annotations

import json
from pathlib import Path

from reward_programs import answer
from typer.testing import CliRunner

from civilinstruct.cli.app import app

runner = CliRunner()


def test_reward_cli_json(tmp_path: Path, frame_program: str) -> None:
    path = tmp_path / "c.jsonl"
    lines = [
        {"completion": answer(frame_program), "ground_truth": "0.4994"},
        {"completion": [{"role": "assistant", "content": answer("x = (\n")}], "ground_truth": 0.5},
        {"prompt": "p", "solution_str": "no code", "reward_model": {"ground_truth": "0.5"}},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    result = runner.invoke(app, ["reward", str(path), "--json", "--allow-weak-isolation", "--timeout", "10"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert rows[0]["reward"] == 1.0 and rows[0]["period_s"] > 0
    assert (rows[1]["r_fmt"], rows[1]["r_ast"], rows[1]["r_exec"]) == (1.0, 0.0, 0.05)
    assert rows[2]["reward"] == 0.0 and rows[2]["has_program"] is False

    table = runner.invoke(app, ["reward", str(path), "--allow-weak-isolation"])
    assert table.exit_code == 0 and "mean reward" in table.output


def test_reward_cli_user_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"completion": "x"}\nnot json\n')
    result = runner.invoke(app, ["reward", str(bad), "--strict"])
    assert result.exit_code == 1 and "bad.jsonl:2: not JSON" in result.output
    result = runner.invoke(app, ["reward", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1 and "no such file" in result.output
