"""The four pipelines. Each part is a folder whose `pipeline` module defines its `PART_DEF` (name, version,
depends_on, steps; see `civilinstruct.pipelines.registry`) and `build(store, options) -> BuildReport`."""

from civilinstruct.pipelines import offline_answers  # noqa: F401  registers the offline backend's answers
