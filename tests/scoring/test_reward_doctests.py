"""The doctest examples in the reward and benchmark modules are part of their documentation: keep them true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["civilinstruct.scoring.reward", "civilinstruct.scoring.format", "civilinstruct.scoring.ast_coverage",
           "civilinstruct.scoring.execution", "civilinstruct.bench.passk"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
