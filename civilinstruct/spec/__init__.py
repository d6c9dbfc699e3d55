"""What a building is before it is designed: the spec model (`model`), how specs are sampled (`sampling`) and the
instruction text that asks for one (`instructions`). Everything above (design, codegen, pipelines) reads these."""
