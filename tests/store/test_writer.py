"""store.writer: ShardWriter cuts shards at shard_size, registers them in the catalog, adopts whole shards the
catalog lost, and stops (or with repair, drops) damaged ones; on real Parquet files and a real DuckDB catalog."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.store import catalog
from civilinstruct.store.writer import ShardWriter

sys.path.insert(0, str(Path(__file__).parent))
from sample_factory import synthetic_sample  # noqa: E402


def _shards(data: Path) -> list[tuple[int, str, int]]:
    with catalog.connect(data, read_only=True) as con:
        return con.execute("SELECT shard_index, path, n_samples FROM shards ORDER BY shard_index").fetchall()


def test_shards_are_cut_at_shard_size_and_registered(tmp_path: Path) -> None:
    """Guards the cut: 5 samples at shard_size 2 give shards of 2, 2 and 1 rows, registered in order under
    <part>/<version>/; a repeated id is skipped, not written twice; the build is recorded as finished."""
    with ShardWriter(tmp_path, "long_code", "v1", shard_size=2) as writer:
        added = [writer.add(synthetic_sample(i)) for i in (0, 1, 2, 2, 3, 4)]
    assert added == [True, True, True, False, True, True]
    assert (writer.written, writer.skipped) == (5, 1)
    shards = _shards(tmp_path)
    assert [(i, n) for i, _, n in shards] == [(0, 2), (1, 2), (2, 1)]
    assert all(path.startswith("long_code/v1/") and (tmp_path / path).is_file() for _, path, _ in shards)
    with catalog.connect(tmp_path, read_only=True) as con:
        assert con.execute("SELECT status, written, skipped FROM builds").fetchall() == [("done", 5, 1)]


def test_bad_names_are_refused(tmp_path: Path) -> None:
    """Guards the user errors before any file is made: an unknown part and a version with a path in it."""
    with pytest.raises(CivilError, match="unknown part"):
        ShardWriter(tmp_path, "nope", "v1")
    with pytest.raises(CivilError, match="invalid version"):
        ShardWriter(tmp_path, "long_code", "../v1")
    assert list(tmp_path.iterdir()) == []


def test_a_shard_the_catalog_lost_is_adopted(tmp_path: Path) -> None:
    """Guards recovery of a catalog that lost its last commits: a whole shard on disk is registered again and
    its ids count as committed, so a rerun does not write them twice."""
    with ShardWriter(tmp_path, "long_code", "v1", shard_size=10) as writer:
        for i in range(3):
            writer.add(synthetic_sample(i))
    with catalog.connect(tmp_path) as con:
        con.execute("DELETE FROM shards")
    with ShardWriter(tmp_path, "long_code", "v1") as again:
        assert len(again.adopted) == 1 and again.adopted[0].endswith(".parquet")
        assert again.add(synthetic_sample(1)) is False
        assert again.add(synthetic_sample(7)) is True
    assert [n for _, _, n in _shards(tmp_path)] == [3, 1]


def test_a_damaged_shard_stops_the_build_unless_repaired(tmp_path: Path) -> None:
    """Guards damaged data: a registered shard cut in half stops the next build with the repair command; with
    repair it is dropped and its samples can be written again."""
    with ShardWriter(tmp_path, "long_code", "v1") as writer:
        for i in range(3):
            writer.add(synthetic_sample(i))
    (_, rel, _), = _shards(tmp_path)
    data = (tmp_path / rel).read_bytes()
    (tmp_path / rel).write_bytes(data[: len(data) // 2])
    with pytest.raises(CivilError, match="registered shard: not a readable Parquet shard.*--repair"):
        with ShardWriter(tmp_path, "long_code", "v1"):
            pass
    with ShardWriter(tmp_path, "long_code", "v1", repair=True) as fixed:
        assert fixed.repaired == [str(tmp_path / rel)]
        assert fixed.add(synthetic_sample(0)) is True
    assert [n for _, _, n in _shards(tmp_path)] == [1]
