"""A manifest pins its prompt templates by hash: ids depend on the templates' text, so a build refuses templates
that changed since the release was defined, before any work, in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from civilinstruct.cli.app import app
from civilinstruct.errors import CivilError
from civilinstruct.llm.prompts import load_template, prompts_dir
from civilinstruct.release.manifest import load_manifest

REPO = Path(__file__).resolve().parents[2]


def _manifest(tmp_path: Path, pins: dict[str, str]) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump({"seed": 1, "prompts": pins, "parts": {"long_code": {"n": 2}}}))
    return path


def _error(path: Path) -> str:
    with pytest.raises(CivilError) as info:
        load_manifest(path)
    assert "\n" not in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("name", ["demo.yaml", "civilinstruct-v1.yaml"])
def test_shipped_manifests_pin_every_template_the_parts_use(name: str) -> None:
    manifest = load_manifest(REPO / "manifests" / name)  # a pin that does not match would raise here
    assert set(manifest.prompts) == {p.stem for p in prompts_dir().glob("*.j2")}


def test_a_pin_that_matches_loads_and_a_full_hash_works_too(tmp_path: Path) -> None:
    digest = load_template("bugfix").hash
    assert load_manifest(_manifest(tmp_path, {"bugfix": digest[:8]})).prompts == {"bugfix": digest[:8]}
    assert load_manifest(_manifest(tmp_path, {"bugfix": digest})).prompts == {"bugfix": digest}


def test_a_changed_template_is_refused_naming_both_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = load_template("bugfix").hash[:12]
    changed = tmp_path / "prompts"
    shutil.copytree(prompts_dir(), changed)
    (changed / "bugfix.j2").write_text((changed / "bugfix.j2").read_text() + "\n", encoding="utf-8")
    monkeypatch.setenv("CIVILINSTRUCT_PROMPTS", str(changed))
    message = _error(_manifest(tmp_path, {"bugfix": pinned}))
    now = load_template("bugfix").hash[:12]
    assert now != pinned and "prompts/bugfix.j2" in message and pinned in message and f"pin {now}" in message


def test_bad_pins_are_one_line(tmp_path: Path) -> None:
    assert "is not a template hash" in _error(_manifest(tmp_path, {"bugfix": "v1"}))
    assert "no prompt template 'design'" in _error(_manifest(tmp_path, {"design": "0123abcd"}))


def test_build_refuses_before_any_work(tmp_path: Path, runner) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["build", str(_manifest(tmp_path, {"codegen": "00000000"})), "--data", str(data)])
    assert result.exit_code == 1, result.output  # a bad manifest, like every CivilError: one line, exit 1
    assert "prompts/codegen.j2 has sha256" in result.output and len(result.output.strip().splitlines()) == 1
    assert not data.exists() or not any(data.rglob("*.parquet"))
