"""The four pipelines. Each part is a folder whose `pipeline` module exposes `build(store, options) -> BuildReport` and a `PART` / `VERSION`."""

from civilinstruct.parts import PARTS
from civilinstruct.pipelines import offline_answers  # noqa: F401  registers the offline backend's answers

PIPELINE_MODULES = {part: f"civilinstruct.pipelines.{part}.pipeline" for part in PARTS}
