"""The OpenSeesPy API tiers: which commands a complete structural program calls, grouped and weighted.

One home for both uses: the 0-100 program score (`program.api_coverage`, from a regex over the text) and the
static reward r_ast (`ast_coverage`, from resolved calls). A name "a|b" is met by either command (mode shapes
read by hand, or the modal response computed by OpenSees).
"""

from __future__ import annotations

from collections.abc import Set

API_TIERS: dict[str, tuple[float, tuple[str, ...]]] = {
    "topology": (0.4, ("wipe", "model", "node", "fix", "mass", "geomTransf", "element", "timeSeries")),
    "analysis": (0.4, ("pattern", "load", "loadConst", "constraints", "numberer", "system", "test", "algorithm",
                       "integrator", "analysis", "analyze")),
    "results": (0.2, ("eigen", "nodeEigenvector|responseSpectrumAnalysis", "eleForce", "eleLoad", "nodeDisp")),
}


def _met(names: tuple[str, ...], called: Set[str]) -> int:
    return sum(any(alt in called for alt in name.split("|")) for name in names)


def tier_coverage(called: Set[str]) -> dict[str, float]:
    """Per tier, the share of its commands among `called` (0-1)."""
    return {tier: _met(names, called) / len(names) for tier, (_, names) in API_TIERS.items()}


def api_coverage(called: Set[str]) -> float:
    """Tier-weighted share of the expected commands among `called`, 0-1."""
    return sum(weight * _met(names, called) / len(names) for weight, names in API_TIERS.values())
