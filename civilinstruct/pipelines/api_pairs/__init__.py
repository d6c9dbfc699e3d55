"""API pairs (part 1): OpenSeesPy documentation -> instruction/code pairs, each snippet executed and checked
semantically. `pipeline` runs the part; `planner`, `tasks`, `consumers`, `values` and `text` write a snippet;
`verify` and `semantic` decide whether it is kept."""
