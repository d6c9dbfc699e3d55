"""Manifest validation: every mistake is one line naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from civilinstruct.opensees_docs.source import PINNED_COMMIT, resolve_docs
from civilinstruct.errors import CivilError
from civilinstruct.release.manifest import load_manifest, looks_like_manifest, parse_manifest

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _error(tmp_path: Path, data: object) -> str:
    with pytest.raises(CivilError) as info:
        load_manifest(_write(tmp_path, data))
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("name", "docs"), [("demo.yaml", "embedded"),
                                            ("civilinstruct-v1.yaml", "openseespydoc@" + PINNED_COMMIT)])
def test_shipped_manifests_load_and_name_docs_inside_the_repository(name: str, docs: str) -> None:
    """The demo uses the embedded set; v1 names the pinned upstream docs; neither points outside the repository."""
    manifest = load_manifest(REPO / "manifests" / name)
    assert [p for p, _ in manifest.parts.selected()] == ["api_pairs", "long_code", "bug_cot", "expert"]
    assert manifest.parts.api_pairs.docs == docs
    assert {e.format for e in manifest.exports()} == {"hf", "trl", "verl"}
    assert "../" not in (REPO / "manifests" / name).read_text()


def test_v1_docs_missing_from_the_cache_say_to_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILINSTRUCT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CIVILINSTRUCT_DOCS", raising=False)
    manifest = load_manifest(REPO / "manifests" / "civilinstruct-v1.yaml")
    with pytest.raises(CivilError, match=r"run `civilinstruct docs fetch`") as info:
        resolve_docs(manifest.parts.api_pairs.docs)
    assert "\n" not in str(info.value)


def test_v1_sizes_are_the_papers() -> None:
    data = yaml.safe_load((REPO / "manifests" / "civilinstruct-v1.yaml").read_text())
    # long_code's n counts sampled specs: ~14 % are not designable (codegen-v6), so 3,620 write the paper's ~3,100
    assert {p: s["n"] for p, s in data["parts"].items()} == {"api_pairs": 3881, "long_code": 3620,
                                                             "bug_cot": 3500, "expert": 512}
    assert data["splits"]["validation"] == 202 and data["splits"]["test"] == 57


def test_unknown_part(tmp_path: Path) -> None:
    msg = _error(tmp_path, {"parts": {"long_code": {"n": 3}, "bugcot": {"n": 1}}})
    assert "unknown key 'bugcot' in parts" in msg and "api_pairs" in msg


def test_negative_count(tmp_path: Path) -> None:
    msg = _error(tmp_path, {"parts": {"long_code": {"n": -3}}})
    assert "parts.long_code.n" in msg and "-3" in msg


def test_typo_in_a_key(tmp_path: Path) -> None:
    msg = _error(tmp_path, {"sed": 3, "parts": {"long_code": {"n": 3}}})
    assert "unknown key 'sed'" in msg
    msg = _error(tmp_path, {"parts": {"long_code": {"nn": 3}}})
    assert "unknown key 'nn' in parts.long_code" in msg


def test_missing_docs_directory(tmp_path: Path) -> None:
    msg = _error(tmp_path, {"parts": {"api_pairs": {"n": 3, "docs": "nowhere/html"}}})
    assert "parts.api_pairs.docs" in msg and str(tmp_path / "nowhere" / "html") in msg


def test_relative_docs_resolve_against_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    manifest = load_manifest(_write(tmp_path, {"parts": {"api_pairs": {"docs": "docs"}}}))
    assert manifest.parts.api_pairs.docs == (tmp_path / "docs").resolve()


def test_dependency_must_be_in_the_manifest(tmp_path: Path) -> None:
    msg = _error(tmp_path, {"parts": {"bug_cot": {"n": 3}}})
    assert "parts.bug_cot" in msg and "long_code" in msg


def test_no_parts_bad_types_and_bad_yaml(tmp_path: Path) -> None:
    assert "parts" in _error(tmp_path, {"parts": {}})
    assert "execution.workers" in _error(tmp_path, {"parts": {"long_code": {}}, "execution": {"workers": 0}})
    assert "generator" in _error(tmp_path, {"parts": {"long_code": {}}, "generator": {"backend": "openai"}})
    assert "not valid YAML" in _error(tmp_path, "parts: [unclosed\n")
    assert "YAML mapping" in _error(tmp_path, "- a\n- b\n")
    with pytest.raises(CivilError, match="manifest not found"):
        load_manifest(tmp_path / "missing.yaml")


def test_export_format_is_checked(tmp_path: Path) -> None:
    msg = _error(tmp_path, {"parts": {"long_code": {}}, "export": {"format": "csv"}})
    assert "export" in msg and "csv" in msg


def test_parse_manifest_defaults() -> None:
    manifest = parse_manifest({"parts": {"long_code": {"n": 4}}})
    assert manifest.generator.backend == "offline" and manifest.execution.workers == 2
    assert manifest.exports() == []


def test_target_detection(tmp_path: Path) -> None:
    assert looks_like_manifest("manifests/demo.yaml") and looks_like_manifest("x.yml")
    assert not looks_like_manifest("long_code")
