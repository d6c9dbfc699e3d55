"""`civilinstruct sql`, `stats` and `show --random`: a data directory explored without knowing an id or the duckdb CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.store import Execution, Lineage, Message, Sample, Store, make_id

runner = CliRunner()


def _sample(i: int, part: str, answer_len: int) -> Sample:
    return Sample(id=make_id(part, i=i), part=part,
                  messages=[Message(role="user", content=f"Model building {i}"),
                            Message(role="assistant", content="x" * answer_len)],
                  spec=json.dumps({"index": i}), execution=Execution(status="ok" if i % 2 else "error"),
                  lineage=Lineage(pipeline="test", pipeline_version="v1", seed=i))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    store = Store(tmp_path / "data")
    with store.writer("long_code", "v1") as w:
        for i in range(10):
            w.add(_sample(i, "long_code", 100 * (i + 1)))
    with store.writer("api_pairs", "v1") as w:
        for i in range(3):
            w.add(_sample(i, "api_pairs", 10))
    return tmp_path / "data"


def test_sql_runs_the_readme_query(data: Path) -> None:
    result = runner.invoke(app, ["sql", str(data), "SELECT part, execution.status AS status, count(*) AS n "
                                                  "FROM samples GROUP BY ALL ORDER BY ALL", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"part": "api_pairs", "status": "error", "n": 2},
                                         {"part": "api_pairs", "status": "ok", "n": 1},
                                         {"part": "long_code", "status": "error", "n": 5},
                                         {"part": "long_code", "status": "ok", "n": 5}]
    builds = runner.invoke(app, ["sql", str(data), "SELECT count(*) AS n FROM shards", "--json"])
    assert json.loads(builds.stdout) == [{"n": 2}]
    bad = runner.invoke(app, ["sql", str(data), "SELECT nope FROM samples"])
    assert bad.exit_code == 1 and "query failed" in bad.output and len(bad.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_show_random_picks_from_a_part(data: Path) -> None:
    picked = {json.loads(runner.invoke(app, ["show", str(data), "--random", "--part", "api_pairs", "--seed", str(s),
                                             "--json"]).stdout)["id"] for s in range(8)}
    ids = {s["id"] for s in Store(data).sql("SELECT id FROM samples WHERE part = 'api_pairs'")}
    assert picked <= ids and len(picked) > 1
    neither = runner.invoke(app, ["show", str(data)])
    assert neither.exit_code == 1 and "--random" in neither.output


@pytest.mark.slow
def test_stats_in_characters_per_part_and_split(data: Path) -> None:
    result = runner.invoke(app, ["stats", str(data), "--part", "long_code", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["unit"] == "characters" and stats["plan"]["source"] == "defaults"
    rows = sum(g["rows"] for g in stats["groups"])
    assert rows == 10 and {g["part"] for g in stats["groups"]} == {"long_code"}
    answer = [g["answer"] for g in stats["groups"] if g["split"] == "train"][0]
    assert answer["max"] <= 1000 and answer["p50"] >= 100
    wide = runner.invoke(app, ["stats", str(data)])
    assert wide.exit_code == 0 and "characters" in wide.output
