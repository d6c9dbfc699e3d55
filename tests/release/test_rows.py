"""release.rows: the score-parts map as a list readers take, and split files written in few, large row groups."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from civilinstruct.release.rows import SCORE_PART, SplitWriters, score_parts_as_list

MAP = pa.map_(pa.string(), pa.float64())


def test_score_parts_map_becomes_a_list_keeping_nulls_and_empties() -> None:
    """Guards the export of score_parts: each map entry becomes {name, value} in order; a null row stays null
    (not an empty list) and an empty map stays empty, also for a chunked column and a sliced one."""
    column = pa.array([[("executes", 40.0), ("period", 30.0)], None, []], MAP)
    expected = [[{"name": "executes", "value": 40.0}, {"name": "period", "value": 30.0}], None, []]
    out = score_parts_as_list(column)
    assert out.type == pa.list_(SCORE_PART)
    assert out.to_pylist() == expected
    assert score_parts_as_list(pa.chunked_array([column.slice(0, 1), column.slice(1)])).to_pylist() == expected
    assert score_parts_as_list(column.slice(1)).to_pylist() == expected[1:]
    other = pa.array([1, 2])
    assert score_parts_as_list(other) is other  # not a map: passed through


def test_split_writers_gather_rows_into_few_row_groups(tmp_path: Path) -> None:
    """Guards the memory/row-group trade: batches below the byte budget become one row group per file at close;
    past the budget each flush writes one row group; row counts are kept per file."""
    a, b = str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")
    with SplitWriters() as writers:
        for i in range(10):
            writers.write(a, pa.table({"id": [f"a{i}"], "n": [i]}))
        writers.write(b, pa.table({"id": ["b0", "b1"], "n": [0, 1]}))
    assert writers.rows == {a: 10, b: 2}
    assert pq.ParquetFile(a).metadata.num_row_groups == 1
    assert pq.read_table(a).column("n").to_pylist() == list(range(10))
    assert pq.read_table(b).num_rows == 2
    small = str(tmp_path / "small.parquet")
    with SplitWriters(row_group_bytes=1) as tiny:
        for i in range(3):
            tiny.write(small, pa.table({"id": [f"s{i}"]}))
    assert pq.ParquetFile(small).metadata.num_row_groups == 3
