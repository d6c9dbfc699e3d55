"""The four pipelines. Each part is a folder whose `pipeline` module defines its `PART_DEF` (name, version,
depends_on, steps; see `civilinstruct.pipelines.registry`) and `build(store, options) -> BuildReport`."""
