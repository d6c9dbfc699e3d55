"""Expert set (part 4): the best executed long_code programs, re-run, with the FE period as RL ground truth.
`pipeline` runs the part; `select` scores and chooses."""
