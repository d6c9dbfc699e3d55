"""Decontamination: same spec or overlapping instruction is caught, templated boilerplate alone is not."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from civilinstruct.bench.decontaminate import CaseIndex
from civilinstruct.cli.app import app
from civilinstruct.store import Lineage, Message, Sample, Store, make_id

TEMPLATE = ("Write an OpenSeesPy program for a {stories}-story reinforced concrete {function} frame with story "
            "height {h} m, {bx} bays of {sx} m along X and {by} bays of {sy} m along Y, seismic intensity {i} "
            "(design group {g}, site class {site}). Run a modal analysis, print the fundamental period T1 and "
            "check the interstory drift against the code limit.")


def _spec(k: int) -> dict:
    return {"function": ["office", "school", "mall"][k % 3], "stories": 3 + k % 9, "story_height_m": 3.0 + 0.3 * (k % 5),
            "bays_x": 2 + k % 4, "bays_y": 1 + k % 3, "span_x_m": 4.5 + 0.5 * (k % 7), "span_y_m": 6.0,
            "intensity": 7.0 + 0.5 * (k % 5), "pga_g": 0.1, "design_group": 1 + k % 3, "site_class": "II"}


def _instruction(spec: dict) -> str:
    return TEMPLATE.format(stories=spec["stories"], function=spec["function"], h=spec["story_height_m"],
                           bx=spec["bays_x"], sx=spec["span_x_m"], by=spec["bays_y"], sy=spec["span_y_m"],
                           i=spec["intensity"], g=spec["design_group"], site=spec["site_class"])


def _cases(n: int = 40) -> list[dict]:
    return [{"case_id": f"case{k:03d}", "spec": json.dumps(_spec(k)), "instruction": _instruction(_spec(k)),
             "t_ref_fe": 1.0, "t_ref_empirical": 0.8, "ground_truth": 1.0} for k in range(n)]


def test_index_catches_spec_and_text_but_not_boilerplate() -> None:
    index = CaseIndex.build(_cases())
    # same spec, different words
    assert [m.reason for m in index.matches("something else entirely", _spec(7))] == ["spec"]
    # the case's instruction pasted into a longer prompt
    found = index.matches("Please help. " + _instruction(_spec(12)) + " Thanks!", None)
    assert found[0].case_id == "case012" and found[0].reason == "ngram" and found[0].overlap == 1.0
    # same template, another building (not among the cases): only boilerplate is shared
    other = dict(_spec(3), stories=17, span_x_m=9.9, bays_x=9, bays_y=7, story_height_m=5.1, intensity=6.0)
    assert index.matches(_instruction(other), other) == []
    # a spec that differs in one field is a different building
    assert index.matches("", dict(_spec(7), stories=99)) == []


def _sample(k: int, spec: dict, text: str) -> Sample:
    sid = make_id("long_code", k=k)
    return Sample(id=sid, part="long_code", messages=[Message(role="user", content=text),
                                                     Message(role="assistant", content="```python\npass\n```")],
                  code="pass\n", spec=json.dumps(spec), lineage=Lineage(pipeline="long_code", pipeline_version="v1"))


def test_decontaminate_store_and_file(tmp_path: Path) -> None:
    cases_path = tmp_path / "cases.parquet"
    pq.write_table(pa.Table.from_pylist(_cases()), cases_path)
    store = Store(tmp_path / "data")
    clean_spec = dict(_spec(1), stories=20, bays_x=8)
    with store.writer("long_code", "v1") as w:
        w.add(_sample(0, _spec(5), "unrelated words"))              # leaked by spec
        w.add(_sample(1, clean_spec, _instruction(_spec(9))))        # leaked by instruction
        w.add(_sample(2, clean_spec, _instruction(clean_spec)))      # clean
    runner = CliRunner()
    result = runner.invoke(app, ["decontaminate", str(tmp_path / "data"), "--against", str(cases_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["parts"]["long_code"]["removed"] == 2 and report["parts"]["long_code"]["written"] == 1
    assert {m["case_id"] for m in report["matches"]} == {"case005", "case009"}
    kept = list(store.iter_samples("long_code", "v1-decon"))
    assert len(kept) == 1
    original = make_id("long_code", k=2)
    assert kept[0].lineage.pipeline == "decontaminate" and kept[0].lineage.parent_ids == [original]
    assert kept[0].id != original and json.loads(kept[0].extra)["decontamination"]["contaminated"] is False

    flagged = runner.invoke(app, ["decontaminate", str(tmp_path / "data"), "--against", str(cases_path),
                                  "--mode", "flag", "--from-version", "v1", "--to-version", "v1-flagged", "--json"])
    assert flagged.exit_code == 0, flagged.output
    marks = {json.loads(s.extra)["decontamination"]["contaminated"] for s in store.iter_samples("long_code", "v1-flagged")}
    assert marks == {True, False} and len(list(store.iter_samples("long_code", "v1-flagged"))) == 3

    export = tmp_path / "train.jsonl"
    export.write_text("\n".join(json.dumps({"prompt": [{"role": "user", "content": t}]})
                                for t in (_instruction(_spec(2)), "clean prompt")) + "\n")
    out = tmp_path / "clean.jsonl"
    result = runner.invoke(app, ["decontaminate", str(export), "--against", str(cases_path), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kept"] == 1 and "clean prompt" in out.read_text()
    missing = runner.invoke(app, ["decontaminate", str(export), "--against", str(cases_path)])
    assert missing.exit_code == 1 and "needs --out" in missing.output
