from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sample_factory import synthetic_sample  # noqa: E402

from civilinstruct.errors import CivilError
from civilinstruct.store import SCHEMA, Sample, Store, make_id


def test_make_id_is_canonical_and_input_sensitive():
    assert make_id("long_code", a=1, b={"x": 2, "y": 3}) == make_id("long_code", b={"y": 3, "x": 2}, a=1)
    assert make_id("long_code", a=1) != make_id("bug_cot", a=1)
    assert make_id("long_code", a=1) != make_id("long_code", a=2)
    assert len(make_id("expert")) == 64


def test_write_read_roundtrip_keeps_every_field(data_dir: Path):
    store = Store(data_dir)
    samples = [synthetic_sample(i) for i in range(5)]
    with store.writer("long_code", "v1", shard_size=2) as w:
        for s in samples:
            assert w.add(s)
    back = {s.id: s for s in store.iter_samples("long_code")}
    assert set(back) == {s.id for s in samples}
    for s in samples:
        assert back[s.id].model_dump() == s.model_dump()
    shards = sorted((data_dir / "long_code" / "v1").glob("shard-*.parquet"))
    assert [p.name for p in shards] == ["shard-00000.parquet", "shard-00001.parquet", "shard-00002.parquet"]
    assert pq.read_schema(shards[0]).remove_metadata().equals(SCHEMA)


def test_rerun_skips_committed_ids_and_dedups(data_dir: Path):
    store = Store(data_dir)
    with store.writer("long_code", "v1", shard_size=3) as w:
        for i in range(4):
            w.add(synthetic_sample(i))
        assert not w.add(synthetic_sample(0))  # duplicate inside one build
    with store.writer("long_code", "v1", shard_size=3) as w:
        assert len(w.committed_ids) == 4
        added = [w.add(synthetic_sample(i)) for i in range(6)]
    assert added == [False] * 4 + [True] * 2
    ids = [s.id for s in store.iter_samples("long_code")]
    assert len(ids) == len(set(ids)) == 6


def test_catalog_view_builds_and_get(data_dir: Path):
    store = Store(data_dir)
    with store.writer("api_pairs", "v1") as w:
        for i in range(3):
            w.add(synthetic_sample(i, part="api_pairs"))
    with store.writer("long_code", "v2") as w:
        w.add(synthetic_sample(1))
    con = duckdb.connect(str(data_dir / "catalog.duckdb"), read_only=True)
    con.execute("SET file_search_path = ?", [str(data_dir)])  # the view's shard paths are relative to the data dir
    counts = dict(con.execute("SELECT part, count(*) FROM samples GROUP BY part").fetchall())
    con.close()
    assert counts == {"api_pairs": 3, "long_code": 1}
    summary = store.summary()
    assert [(p["part"], p["version"], p["samples"]) for p in summary["parts"]] == [
        ("api_pairs", "v1", 3), ("long_code", "v2", 1)]
    assert [b["status"] for b in summary["builds"]] == ["done", "done"]
    one = synthetic_sample(1, part="api_pairs")
    assert store.get(one.id[:12]).id == one.id
    assert store.get("0" * 64) is None


def test_latest_version_is_natural_order(data_dir: Path):
    store = Store(data_dir)
    for version in ("v9", "v10"):
        with store.writer("long_code", version) as w:
            w.add(synthetic_sample(int(version[1:])))
    assert store.versions("long_code") == ["v9", "v10"]
    assert store.read("long_code").column("id").to_pylist() == [synthetic_sample(10).id]


def test_failed_build_keeps_what_was_buffered(data_dir: Path):
    store = Store(data_dir)
    with pytest.raises(RuntimeError):
        with store.writer("long_code", "v1", shard_size=100) as w:
            w.add(synthetic_sample(1))
            raise RuntimeError("pipeline bug")
    assert store.read("long_code").num_rows == 1
    assert store.summary()["builds"][0]["status"] == "failed"


def test_unknown_part_and_wrong_part(data_dir: Path):
    store = Store(data_dir)
    with pytest.raises(CivilError, match="unknown part 'nope'"):
        store.writer("nope", "v1")
    with pytest.raises(CivilError, match="unknown part"):
        store.read("nope")
    with store.writer("expert", "v1") as w:
        with pytest.raises(CivilError, match="writer writes 'expert'"):
            w.add(synthetic_sample(1, part="long_code"))


def test_missing_and_corrupted_catalog(tmp_path: Path):
    with pytest.raises(CivilError, match="no catalog here"):
        Store(tmp_path / "nothing").summary()
    data = tmp_path / "bad"
    data.mkdir()
    (data / "catalog.duckdb").write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(CivilError, match="catalog.duckdb"):
        Store(data).summary()
    with pytest.raises(CivilError, match="catalog.duckdb"):
        with Store(data).writer("long_code", "v1"):
            pass
    assert (data / "catalog.duckdb").read_bytes().startswith(b"this is not")  # nothing overwritten


def test_shard_that_is_not_parquet_names_the_file(data_dir: Path):
    store = Store(data_dir)
    with store.writer("long_code", "v1") as w:
        w.add(synthetic_sample(1))
    shard = data_dir / "long_code" / "v1" / "shard-00000.parquet"
    shard.write_text("garbage")
    with pytest.raises(CivilError, match="shard-00000.parquet: not a readable Parquet shard"):
        store.read("long_code")


def test_data_path_that_is_a_file(tmp_path: Path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(CivilError, match="not a directory"):
        Store(path)


def test_unwritable_location(tmp_path: Path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    store = Store(tmp_path / "blocker2")
    store.data_dir = blocker / "data"  # a directory below a regular file cannot be created, even as root
    with pytest.raises(CivilError, match="cannot create the data directory"):
        with store.writer("long_code", "v1"):
            pass


def test_sample_json_fields_roundtrip():
    s = synthetic_sample(3)
    assert s.spec_dict() == {"index": 3}
    assert Sample.from_row(s.to_row()) == s
    assert json.loads(s.model_dump_json())["id"] == s.id


def test_iter_samples_by_id_streams_only_the_rows_asked_for(data_dir: Path):
    store = Store(data_dir)
    samples = [synthetic_sample(i) for i in range(7)]
    with store.writer("long_code", "v1", shard_size=3) as w:
        for s in samples:
            w.add(s)
    wanted = [samples[5].id, samples[1].id, "not-an-id"]
    assert [s.id for s in store.iter_samples("long_code", ids=wanted)] == [samples[1].id, samples[5].id]
    assert list(store.iter_samples("long_code", ids=[])) == []
    batches = list(store.iter_batches("long_code", columns=["id", "score"], batch_size=2))
    assert [b.num_rows for b in batches] == [2, 1, 2, 1, 1] and batches[0].schema.names == ["id", "score"]


@pytest.mark.parametrize("chosen, expected", [(None, "system"), ("jemalloc", "jemalloc")])
def test_arrow_allocator_is_malloc_unless_the_environment_names_one(chosen, expected):
    """Importing civilinstruct picks Arrow's allocator before pyarrow fixes it (a fresh interpreter: the test
    process may have imported pyarrow already)."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    out = subprocess.run([sys.executable, "-c", "import civilinstruct, pyarrow as pa; "
                          "print(pa.default_memory_pool().backend_name)"], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == expected, out.stderr
