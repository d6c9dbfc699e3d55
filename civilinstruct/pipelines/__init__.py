"""The four pipelines. Each module exposes `build(store, options) -> BuildReport` and a `PART` / `VERSION`."""

from civilinstruct.parts import PARTS

PIPELINE_MODULES = {part: f"civilinstruct.pipelines.{part}" for part in PARTS}
