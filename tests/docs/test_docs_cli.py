"""`civilinstruct docs-coverage` through the real CLI, verifying real snippets in the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app

DOCS = Path(__file__).resolve().parents[2] / ".." / "shared" / "opensees-docs" / "html"
needs_fixture = pytest.mark.skipif(not DOCS.is_dir(), reason=f"docs fixture not found at {DOCS} (../shared)")


@needs_fixture
def test_docs_coverage_json_lists_why_commands_are_left_out(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ["steel01.html", "wipe.html", "Bcast.html", "beamWithHinges.html", "hello.html"]:
        shutil.copy(DOCS / "src" / name, docs / name)
    result = CliRunner().invoke(app, ["docs-coverage", "--docs", str(docs), "--json", "--per-command", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pages"] == 5 and data["command_pages"] == 4 and data["command_pages_with_signature"] == 3
    assert data["commands"] == 3 and data["commands_verified"] == 2
    assert data["left_out"] == {"Bcast": "unsupported: needs the parallel (MPI) interpreter"}
    assert data["pages_without_signature"] == {"beamWithHinges.html": "no signature found"}


def test_docs_coverage_bad_input_is_one_line_and_nonzero(tmp_path: Path) -> None:
    runner = CliRunner()
    for target in [tmp_path / "missing", tmp_path]:
        result = runner.invoke(app, ["docs-coverage", "--docs", str(target)])
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1 and "--docs" in result.output
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    result = runner.invoke(app, ["docs-coverage", "--docs", str(tmp_path)])
    assert result.exit_code == 1 and "no .html files" in result.output
