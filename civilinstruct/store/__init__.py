"""The versioned shard store: Parquet shards catalogued in DuckDB, content-addressed ids, lineage, resume."""

from civilinstruct.store.ids import canonical_json, make_id
from civilinstruct.store.protocols import RunRecord, SampleStore
from civilinstruct.store.sample import PARTS, SCHEMA, Execution, Lineage, Message, Part, Sample
from civilinstruct.store.store import Store, iter_shard, version_key
from civilinstruct.store.writer import ShardWriter

__all__ = ["PARTS", "SCHEMA", "Execution", "Lineage", "Message", "Part", "RunRecord", "Sample", "SampleStore",
           "ShardWriter", "Store", "canonical_json", "iter_shard", "make_id", "version_key"]
