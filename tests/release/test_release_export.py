"""Exports read back by the tools they are for: `datasets`, TRL's column conventions, verl's layout."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from civilinstruct.errors import CivilError
from civilinstruct.release.export import MARKER, export_release, prompt_messages
from civilinstruct.release.manifest import Splits, parse_manifest
from release_fixtures import building

SPLITS = Splits(seed=0, validation=0.2, test=0.3, expert_out_of_sft=False)  # rows per split, all parts


def test_hf_export_loads_with_datasets(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    import datasets

    data, samples = release_data
    out = tmp_path / "hf"
    manifest = parse_manifest({"name": "tiny", "parts": {"long_code": {"n": 30}, "expert": {"n": 10}},
                               "splits": SPLITS.model_dump()})
    report = export_release(data, "hf", out, manifest=manifest)
    assert (out / "README.md").is_file() and (out / MARKER).is_file()
    front = yaml.safe_load((out / "README.md").read_text().split("---")[1])
    assert [c["config_name"] for c in front["configs"]] == ["api_pairs", "long_code", "bug_cot", "expert"]
    # api_pairs of the fixture come from the upstream docs, whose terms travel with them: the Hub's "other" licence
    assert front["license"] == "other" and "openseespy" in front["license_name"]
    assert front["dataset_info"][0]["features"][0] == {"name": "id", "dtype": "string"}
    card = (out / "README.md").read_text()
    sections = card.split("### `")
    api_section = next(s for s in sections if s.startswith("api_pairs`"))
    long_section = next(s for s in sections if s.startswith("long_code`"))
    assert "- licence: Apache-2.0 for what civilinstruct generated" in api_section
    assert "- licence: Apache-2.0\n" in long_section
    for needle in ("## Citation", "arXiv:2602.07083", "## Source Data", "by building", "offline/rules-v1",
                   "3,881", "name: tiny"):
        assert needle in card, needle
    seen_ids = set()
    for part, expected in samples.items():
        ds = datasets.load_dataset(str(out), part)
        assert sum(len(ds[s]) for s in ds) == len(expected)
        assert set(ds) <= {"train", "validation", "test"}
        declared = {s["name"]: s["num_examples"] for s in front["dataset_info"][
            [c["config_name"] for c in front["configs"]].index(part)]["splits"]}
        assert declared == {s: len(ds[s]) for s in ds}
        row = ds[next(iter(ds))][0]
        assert row["part"] == part and row["messages"][0]["role"] in ("user", "system")
        ids = {r for s in ds for r in ds[s]["id"]}
        assert ids == {s.id for s in expected} and not ids & seen_ids
        seen_ids |= ids
    lc = datasets.load_dataset(str(out), "long_code")
    row = next(r for s in lc for r in lc[s])
    assert {"name": "exec", "value": 0.7} in row["score_parts"]
    assert sum(report.files.values()) == sum(len(v) for v in samples.values())


def test_trl_export(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    data, samples = release_data
    out = tmp_path / "trl"
    export_release(data, "trl", out, splits=SPLITS)
    sft = {p.stem: pq.read_table(p) for p in (out / "sft").glob("*.parquet")}
    grpo = {p.stem: pq.read_table(p) for p in (out / "grpo").glob("*.parquet")}
    assert set(sft) == {"train", "validation", "test"} and set(grpo) == {"train", "test"}
    assert sum(t.num_rows for t in sft.values()) == sum(len(samples[p]) for p in ("api_pairs", "long_code", "bug_cot"))
    assert sft["train"].column_names == ["id", "part", "messages"]
    row = grpo["train"].to_pylist()[0]
    assert set(row) == {"id", "prompt", "ground_truth"}
    assert row["prompt"][-1]["role"] == "user" and all(m["role"] != "assistant" for m in row["prompt"])
    truth = {s.id: s.ground_truth for s in samples["expert"]}
    assert all(abs(r["ground_truth"] - truth[r["id"]]) < 1e-12 for t in grpo.values() for r in t.to_pylist())


def test_verl_export(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    data, samples = release_data
    out = tmp_path / "verl"
    export_release(data, "verl", out, splits=SPLITS)
    tables = {p.stem: pq.read_table(p).to_pylist() for p in out.glob("*.parquet")}
    assert set(tables) == {"train", "test"}
    assert sum(len(v) for v in tables.values()) == len(samples["expert"])
    truth = {s.id: s.ground_truth for s in samples["expert"]}
    for split, rows in tables.items():
        assert [r["extra_info"]["index"] for r in rows] == list(range(len(rows)))
        for r in rows:
            assert r["data_source"] == "civilinstruct" and r["ability"] == "structural_modeling"
            assert r["reward_model"]["style"] == "rule"
            assert float(r["reward_model"]["ground_truth"]) == pytest.approx(truth[r["extra_info"]["id"]], abs=1e-4)
            assert isinstance(r["reward_model"]["ground_truth"], str)
            assert r["extra_info"]["split"] == split and r["prompt"][-1]["role"] == "user"


def test_contaminated_rows_are_not_exported(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    data, samples = release_data
    from civilinstruct.release.contamination import Contamination

    leaks = Contamination([{"case_id": "c", "instruction": "x", "spec": json.dumps(building(0))}])
    report = export_release(data, "trl", tmp_path / "trl", splits=SPLITS, contamination=leaks)
    assert report.splits["contaminated_rows"] == 3
    ids = {i for p in (tmp_path / "trl").rglob("*.parquet") for i in pq.read_table(p).column("id").to_pylist()}
    assert samples["long_code"][0].id not in ids and samples["expert"][0].id not in ids


def test_export_replaces_its_own_output_but_not_other_folders(release_data: tuple[Path, dict],
                                                              tmp_path: Path) -> None:
    data, _ = release_data
    out = tmp_path / "verl"
    first = export_release(data, "verl", out, splits=SPLITS)
    second = export_release(data, "verl", out, splits=SPLITS)
    assert first.files == second.files
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(CivilError, match="not an earlier civilinstruct export"):
        export_release(data, "verl", other, splits=SPLITS)
    assert (other / "notes.txt").read_text() == "keep me"


def test_export_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(CivilError, match="no catalog"):
        export_release(tmp_path / "empty", "hf", tmp_path / "out")
    with pytest.raises(CivilError, match="unknown export format"):
        export_release(tmp_path, "csv", tmp_path / "out")


def test_prompt_messages_stop_at_the_last_user_turn() -> None:
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]
    assert prompt_messages(msgs) == msgs[:2]
    assert json.dumps(prompt_messages([])) == "[]"


def test_stale_export_temp_folders_are_cleaned(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    """A killed export leaves `.tmp-<out>-*`; the next export of the same folder removes it."""
    data, _ = release_data
    out = tmp_path / "exports" / "trl"
    stale = out.parent / ".tmp-trl-deadbeef"
    (stale / "sft").mkdir(parents=True)
    (stale / "sft" / "train.parquet").write_bytes(b"half")
    old = out.parent / ".old-trl-cafecafe"
    old.mkdir()
    export_release(data, "trl", out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["trl"]


def test_export_on_a_full_disk_is_one_line(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    import os
    import subprocess

    data, _ = release_data
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        with pytest.raises(CivilError) as info:
            export_release(data, "hf", mnt / "hf")
        assert "\n" not in str(info.value) and "no space left" in str(info.value).lower()
        assert list(mnt.iterdir()) == []  # the temporary folder went with the failure
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
