"""The four pipelines. Each part is a folder whose `pipeline` module exposes `build(store, options) -> BuildReport` and a `PART` / `VERSION`."""

from civilinstruct.parts import PARTS

PIPELINE_MODULES = {part: f"civilinstruct.pipelines.{part}.pipeline" for part in PARTS}
