"""Stream a data directory's samples shard by shard, each batch tagged with its split (so memory stays flat)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civilinstruct.release.splits import SplitPlan
from civilinstruct.store import SampleStore, iter_shard

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


ROW_GROUP_BYTES = 4 << 20  # rows gathered across output files before they are written: a few MB, not a part


def iter_split_batches(store: SampleStore, part: str, plan: SplitPlan,
                       columns: list[str] | None = None) -> Iterator[tuple[str, pa.Table]]:
    """(split, table) per batch of rows and split; rows left out by the plan (contaminated) are dropped here."""
    wanted = columns if columns is None or "id" in columns else ["id", *columns]
    for path in plan.shards.get(part) or store.shard_paths(part):
        for batch in iter_shard(path, wanted):
            table = pa.Table.from_batches([batch])
            splits = pa.array([plan.split_of(sid) for sid in table.column("id").to_pylist()], pa.string())
            for name in ("train", "validation", "test"):
                chosen = table.filter(pc.equal(splits, name))
                if chosen.num_rows:
                    yield name, chosen


class SplitWriters:
    """One Parquet file per key (e.g. part/split), opened on first write. Tables are gathered until they hold
    `ROW_GROUP_BYTES` in all, then each file gets its share as one row group: memory stays a few MB, and small
    read batches do not become a file of tiny row groups."""

    def __init__(self, row_group_bytes: int = ROW_GROUP_BYTES) -> None:
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._pending: dict[str, list[pa.Table]] = {}
        self._pending_bytes = 0
        self.row_group_bytes = row_group_bytes
        self.rows: dict[str, int] = {}

    def write(self, path: str, table: pa.Table) -> None:
        self._pending.setdefault(path, []).append(table)
        self._pending_bytes += table.nbytes
        self.rows[path] = self.rows.get(path, 0) + table.num_rows
        if self._pending_bytes >= self.row_group_bytes:
            self.flush()

    def flush(self) -> None:
        """Write what is gathered: one row group per file."""
        for path, tables in self._pending.items():
            writer = self._writers.get(path)
            if writer is None:
                writer = self._writers[path] = pq.ParquetWriter(path, tables[0].schema, compression="zstd")
            writer.write_table(pa.concat_tables(tables))
        self._pending.clear()
        self._pending_bytes = 0

    def close(self) -> None:
        try:
            self.flush()
        finally:
            for writer in self._writers.values():
                writer.close()
            self._writers.clear()

    def __enter__(self) -> "SplitWriters":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
