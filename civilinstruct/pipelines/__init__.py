"""The four pipelines. Each module exposes `build(store, options) -> BuildReport` and a `PART` / `VERSION`."""

PIPELINE_MODULES = {
    "api_pairs": "civilinstruct.pipelines.api_pairs",
    "long_code": "civilinstruct.pipelines.long_code",
    "bug_cot": "civilinstruct.pipelines.bug_cot",
    "expert": "civilinstruct.pipelines.expert",
}
