"""Stream a data directory's samples shard by shard, each batch tagged with its split (so memory stays flat)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civilinstruct.release.splits import SplitPlan
from civilinstruct.store import Store

SCORE_PART = pa.struct([("name", pa.string()), ("value", pa.float64())])


def score_parts_as_list(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A map column as a list of {name, value}: `datasets` and most readers do not take Arrow maps."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_map(array.type):
        return array
    values = pa.StructArray.from_arrays([array.keys, array.items], fields=list(SCORE_PART))
    offsets = array.offsets
    if array.null_count:
        offsets = pa.array(offsets.to_pylist(), pa.int32())
        return pa.ListArray.from_arrays(offsets, values, mask=array.is_null(), type=pa.list_(SCORE_PART))
    return pa.ListArray.from_arrays(offsets, values, type=pa.list_(SCORE_PART))


BATCH_ROWS = 256  # long programs are ~50 KB a row with their messages: read a few MB at a time, not a shard


def iter_split_batches(store: Store, part: str, plan: SplitPlan,
                       columns: list[str] | None = None) -> Iterator[tuple[str, pa.Table]]:
    """(split, table) per batch of rows and split; rows left out by the plan (contaminated) are dropped here."""
    wanted = columns if columns is None or "id" in columns else ["id", *columns]
    for path in plan.shards.get(part) or store.shard_paths(part):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=wanted):
            table = pa.Table.from_batches([batch])
            splits = pa.array([plan.split_of(sid) for sid in table.column("id").to_pylist()], pa.string())
            for name in ("train", "validation", "test"):
                chosen = table.filter(pc.equal(splits, name))
                if chosen.num_rows:
                    yield name, chosen


class SplitWriters:
    """One Parquet file per key (e.g. part/split), opened on first write; rows are appended as row groups."""

    def __init__(self) -> None:
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def write(self, path: str, table: pa.Table) -> None:
        writer = self._writers.get(path)
        if writer is None:
            writer = self._writers[path] = pq.ParquetWriter(path, table.schema, compression="zstd")
            self.rows[path] = 0
        writer.write_table(table)
        self.rows[path] += table.num_rows

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def __enter__(self) -> "SplitWriters":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
