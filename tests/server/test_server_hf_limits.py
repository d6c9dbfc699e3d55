"""`serve --backend hf` with no client limit generates up to the model's own limit, not an arbitrary 256 tokens."""

from __future__ import annotations

import pytest
from test_server_hf import tiny_gpt2

from civilinstruct.server.generators import HFGenerator


@pytest.mark.slow
def test_default_limit_is_the_models(tmp_path) -> None:
    generator = HFGenerator(tiny_gpt2(tmp_path / "tiny"), device="cpu")
    generator.model.generation_config.max_new_tokens = None
    assert generator.default_max_new_tokens(10) == 256 - 10  # what the context (n_positions 256) has left
    generator.model.generation_config.max_new_tokens = 32
    assert generator.default_max_new_tokens(10) == 32  # the model's generation config, when it sets one
