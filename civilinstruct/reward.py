"""The MGHR reward under its first public name, for training configs that point at `civilinstruct.reward`
(TRL reward_funcs, verl custom_reward_function). The code lives in `civilinstruct.scoring.reward`."""

from civilinstruct.scoring.reward import *  # noqa: F403
