"""`civilinstruct docs-coverage` through the real CLI, verifying real snippets in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.opensees_docs.embedded import BUILTIN_VERSION



def test_docs_coverage_json_lists_why_commands_are_left_out(tmp_path: Path, write_docs) -> None:
    docs = write_docs(tmp_path / "docs", ["src/steel01.rst", "src/wipe.rst", "src/Bcast.rst"])
    (docs / "src" / "beamWithHinges.rst").write_text(  # a table of arguments but no `.. function::` directive
        "Beam with hinges\n================\n\n   ======  =====\n   ``lpI`` |float|  hinge length\n   ======  =====\n")
    (docs / "src" / "example.rst").write_text("An example\n==========\n\nA portal frame, step by step.\n")
    result = CliRunner().invoke(app, ["docs-coverage", "--docs", str(docs), "--json", "--per-command", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pages"] == 6 and data["command_pages"] == 4 and data["command_pages_with_signature"] == 3
    assert data["commands"] == 3 and data["commands_verified"] == 2
    assert data["left_out"] == {"Bcast": "unsupported: needs the parallel (MPI) interpreter"}
    assert data["pages_without_signature"] == {"src/beamWithHinges.rst": "no signature found"}


def test_docs_coverage_of_the_embedded_set_by_default(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["docs", "where", "--json"])
    assert result.exit_code == 0, result.output
    where = json.loads(result.stdout)
    assert where["origin"] == "embedded" and where["label"] == f"embedded@{BUILTIN_VERSION}" and where["commands"] >= 80
    assert where["license"] is None


def test_docs_coverage_bad_input_is_one_line_and_nonzero(tmp_path: Path) -> None:
    runner = CliRunner()
    for target in [tmp_path / "missing", tmp_path]:
        result = runner.invoke(app, ["docs-coverage", "--docs", str(target)])
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1 and "--docs" in result.output
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    result = runner.invoke(app, ["docs-coverage", "--docs", str(tmp_path)])
    assert result.exit_code == 1 and "neither .html pages nor .rst sources" in result.output
