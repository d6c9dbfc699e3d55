"""Training on this project's data: stage I SFT (parts 1-3), stage II GRPO with the MGHR reward (expert part).

Nothing heavy is imported here: `config`, `preflight` and `data` run before torch so that bad input fails fast;
`sft`, `grpo`, `modeling`, `callbacks` and `tiny` import torch/transformers/TRL (the `[train]` extra).
"""

from civilinstruct.train.config import GRPO_PARTS, SFT_PARTS, GRPOSettings, SFTSettings

__all__ = ["GRPO_PARTS", "SFT_PARTS", "GRPOSettings", "SFTSettings"]
