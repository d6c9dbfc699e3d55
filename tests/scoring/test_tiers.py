"""scoring.tiers: the API tiers and their weighted coverage (one home for the score and r_ast)."""

from __future__ import annotations

import pytest

from civilinstruct.scoring.tiers import API_TIERS, api_coverage, tier_coverage
from civilinstruct.scoring.opensees_names import OPENSEES_NAMES


def test_weights_sum_to_one_and_every_command_exists() -> None:
    """Guards the table: weights 0.4/0.4/0.2 sum to 1, and each command (each alternative of "a|b") is a real
    OpenSeesPy name, so a typo cannot make a tier unreachable."""
    assert sum(w for w, _ in API_TIERS.values()) == pytest.approx(1.0)
    for _, names in API_TIERS.values():
        for name in names:
            for alt in name.split("|"):
                assert alt in OPENSEES_NAMES, alt


def test_coverage_by_hand() -> None:
    """Guards the arithmetic: all topology (8/8) and 'analyze' (1/11) and 'eigen' (1/5) give
    0.4 * 1 + 0.4 / 11 + 0.2 / 5 = 0.47636..."""
    topology = set(API_TIERS["topology"][1])
    called = topology | {"analyze", "eigen", "print"}
    assert tier_coverage(called) == {"topology": 1.0, "analysis": 1 / 11, "results": 1 / 5}
    assert api_coverage(called) == pytest.approx(0.4 + 0.4 / 11 + 0.2 / 5)
    assert api_coverage(set()) == 0.0


def test_alternatives_count_once() -> None:
    """Guards "a|b": either command meets the entry, both together still count once."""
    one = tier_coverage({"nodeEigenvector"})["results"]
    assert one == tier_coverage({"responseSpectrumAnalysis"})["results"] == 1 / 5
    assert tier_coverage({"nodeEigenvector", "responseSpectrumAnalysis"})["results"] == 1 / 5
    every = {alt for _, names in API_TIERS.values() for n in names for alt in n.split("|")}
    assert api_coverage(every) == pytest.approx(1.0)
