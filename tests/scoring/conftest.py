"""Fixtures of the reward tests; the programs themselves live in `reward_programs`."""

from __future__ import annotations

import pytest
from reward_programs import FRAME


@pytest.fixture(scope="session")
def frame_program() -> str:
    """A program that runs, prints T1 and an affirmative drift verdict, and calls all 24 tier commands."""
    return FRAME
