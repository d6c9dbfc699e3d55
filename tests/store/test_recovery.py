"""store.recovery: a shard is trusted only when whole, readable, of this part and of the registered size."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civilinstruct.store.recovery import bad_shard_error, check_shard, repair_hint
from civilinstruct.store.sample import SCHEMA

sys.path.insert(0, str(Path(__file__).parent))
from sample_factory import synthetic_sample  # noqa: E402


def _shard(path: Path, part: str = "long_code", n: int = 3) -> Path:
    rows = [synthetic_sample(i, part).to_row() for i in range(n)]
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), path)
    return path


def test_a_whole_shard_gives_its_ids(tmp_path: Path) -> None:
    """Guards adoption: a good shard's ids come back in row order and no problem is named."""
    path = _shard(tmp_path / "s.parquet")
    check = check_shard(path, "long_code", expected_rows=3)
    assert check.problem is None
    assert check.ids == [synthetic_sample(i).id for i in range(3)]
    assert check_shard(path, "long_code").ids is not None  # no registered count: not compared


@pytest.mark.parametrize("damage, problem", [
    ("missing", "the file is missing"),
    ("truncated", "not a readable Parquet shard"),
    ("foreign", "not a civilinstruct shard (no column "),
    ("rows", "has 3 rows, the catalog registered 4"),
    ("part", "holds rows of part 'bug_cot', not 'long_code'"),
])
def test_each_damage_is_named(tmp_path: Path, damage: str, problem: str) -> None:
    """Guards each refusal: a shard that is gone, cut short, not ours, of another size or another part is not
    trusted, and the problem says which."""
    path = tmp_path / "s.parquet"
    expected = 3
    if damage == "truncated":
        data = _shard(path).read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":
        pq.write_table(pa.table({"id": ["a"], "part": ["long_code"]}), path)
        expected = 1
    elif damage == "rows":
        _shard(path)
        expected = 4
    elif damage == "part":
        _shard(path, part="bug_cot")
    check = check_shard(path, "long_code", expected_rows=expected)
    assert check.ids is None
    assert check.problem is not None and check.problem.startswith(problem), check.problem


def test_bad_shard_error_is_one_line_with_the_repair(tmp_path: Path) -> None:
    """Guards the user's message: the path, registered or not, the problem and the exact repair command."""
    check = check_shard(tmp_path / "gone.parquet", "expert")
    err = bad_shard_error(tmp_path, "expert", check, registered=True)
    text = str(err)
    assert "\n" not in text
    assert text.startswith(f"{tmp_path / 'gone.parquet'}: registered shard: the file is missing; ")
    assert f"civilinstruct build expert --data {tmp_path} --repair" in text
    assert "shard file not in the catalog" in str(bad_shard_error(tmp_path, "expert", check, registered=False))
    assert repair_hint(tmp_path, "expert") in text
