"""The documentation parser on real fixture pages and on hostile pages it has never seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from civilinstruct.opensees_docs import html_files, load_docs, parse_file, parse_html, parse_signature
from civilinstruct.errors import CivilError

DOCS = Path(__file__).resolve().parents[2] / ".." / "shared" / "opensees-docs" / "html"
needs_fixture = pytest.mark.needs_html  # the rendered HTML: CI has it; elsewhere deselected (see conftest.py)


@needs_fixture
def test_node_page_signature_flags_and_argument_table() -> None:
    page = parse_file(DOCS / "src" / "node.html")
    assert page.skipped is None and page.title == "node command"
    sig = page.signatures[0]
    assert sig.function == "node" and sig.type_name is None
    assert [p.name for p in sig.params[:2]] == ["nodeTag", "crds"] and sig.params[1].kind == "varargs"
    assert {"-ndf", "-mass", "-disp", "-vel", "-accel"} == sig.flags
    assert page.arg("nodeTag").type == "int" and page.arg("mass").optional


@needs_fixture
def test_material_page_has_type_literal_and_optional_args() -> None:
    page = parse_file(DOCS / "src" / "steel01.html")
    sig = page.signatures[0]
    assert sig.command == "uniaxialMaterial('Steel01')"
    assert [p.name for p in sig.params] == ["matTag", "Fy", "E0", "b", "a1", "a2", "a3", "a4"]
    assert page.arg("a1").optional and not page.arg("Fy").optional
    assert "bilinear steel" in page.summary


@needs_fixture
def test_several_forms_of_one_command_and_bracketed_groups() -> None:
    page = parse_file(DOCS / "src" / "elasticBeamColumn.html")
    assert len(page.signatures) == 4
    first = page.signatures[0]
    mass = next(p for p in first.params if p.name == "-mass")
    assert mass.optional and next(p for p in first.params if p.name == "mass").optional
    assert not next(p for p in first.params if p.name == "Area").optional


@needs_fixture
def test_examples_and_notes_are_collected() -> None:
    page = parse_file(DOCS / "src" / "eigen.html")
    assert any("ops.eigen" in e for e in page.examples)
    assert any("eigenvectors" in n for n in page.notes)


@pytest.mark.parametrize("text, expected", [
    ("'Steel01', matTag, Fy, E0, b", ("Steel01", ["matTag", "Fy", "E0", "b"], [])),
    ("eleTag, <'-mass', mass>, <'-cMass'>", (None, ["eleTag", "-mass", "mass", "-cMass"], ["-mass", "mass", "-cMass"])),
    ("'PM4Silt', matTag, Den <Su_factor, Patm>", ("PM4Silt", ["matTag", "Den", "Su_factor", "Patm"],
                                                  ["Su_factor", "Patm"])),
    ("'circ', matTag, numFiber, *ang=[0.0,360.0-360/numFiber]", ("circ", ["matTag", "numFiber", "ang"], ["ang"])),
    ("'Diagonal', <-'lumped'>", ("Diagonal", ["-lumped"], ["-lumped"])),
])
def test_signature_tokenizer(text: str, expected: tuple) -> None:
    sig = parse_signature("f", text)
    type_name, names, optional = expected
    assert sig.type_name == type_name
    assert [p.name for p in sig.params] == names
    assert [p.name for p in sig.params if p.optional] == optional


def test_tcl_style_signature_is_marked_not_used() -> None:
    sig = parse_signature("beamIntegration ConcentratedPlasticity $integrationTag $secTagI", [])
    assert sig.style == "tcl" and sig.function == "beamIntegration"


def test_hostile_pages_parse_or_skip_with_a_reason(tmp_path: Path) -> None:
    assert parse_html("", "empty.html").skipped == "empty page"
    broken = parse_html("<html><body><div itemprop='articleBody'><h1>x<dl class='py function'><dt>"
                        "<span class='sig-name'>fix</span><em class='sig-param'>nodeTag", "broken.html")
    assert broken.signatures and broken.signatures[0].function == "fix"
    other = parse_html("<html><main><h1>Some command</h1><pre>recorder(kind, tag, *args)\n</pre></main></html>")
    assert other.signatures[0].function == "recorder"
    assert parse_html("<html><body><p>nothing here</p></body></html>").skipped == "no signature found"
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\x00\x00\x00\rIHDR" * 10)
    assert parse_file(binary).skipped == "binary file, not HTML"
    latin = tmp_path / "latin.html"
    latin.write_bytes("<h1>caf\xe9</h1><dl class='py function'><dt><span class='sig-name'>wipe</span></dt></dl>"
                      .encode("latin-1"))
    assert parse_file(latin).signatures[0].function == "wipe"


def test_bad_docs_directories_raise_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(CivilError, match="no such directory"):
        html_files(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CivilError, match="empty"):
        html_files(empty)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("node(tag, x, y)")
    with pytest.raises(CivilError, match="no .html files"):
        html_files(other)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text("<html><body><p>no commands</p></body></html>")
    with pytest.raises(CivilError, match="none documents a command"):
        load_docs(pages)


@needs_fixture
@pytest.mark.slow
def test_whole_fixture_signature_rate() -> None:
    docs = load_docs(DOCS)
    with_sig = sum(1 for p in docs.command_pages if p.signatures)
    assert len(docs.pages) == 496
    assert with_sig / len(docs.command_pages) >= 0.9
    assert len(docs.commands()) > 400
