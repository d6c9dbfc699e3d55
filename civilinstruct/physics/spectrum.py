"""The GB 50011-2010 design response spectrum (clause 5.1.5), the seismic influence coefficient alpha(T).

The generated programs carry their own copy of this formula (they must run alone); this one is the reference
the design and the tests use.
"""

from __future__ import annotations

from civilinstruct.physics.codes import alpha_max, characteristic_period


def damping_factors(damping: float = 0.05) -> tuple[float, float, float]:
    """(gamma, eta1, eta2): decay exponent, straight-line slope factor and damping adjustment (5.1.5)."""
    if not 0.0 < damping < 0.5:
        raise ValueError(f"damping ratio {damping} outside (0, 0.5)")
    gamma = 0.9 + (0.05 - damping) / (0.3 + 6.0 * damping)
    eta1 = max(0.0, 0.02 + (0.05 - damping) / (4.0 + 32.0 * damping))
    eta2 = max(0.55, 1.0 + (0.05 - damping) / (0.08 + 1.6 * damping))
    return gamma, eta1, eta2


def alpha_from(T: float, a_max: float, tg: float, damping: float = 0.05) -> float:
    """alpha(T) for given alpha_max and Tg: rising line, plateau, curved decay, then straight decay to 6 s."""
    if T < 0.0 or T > 6.0:
        raise ValueError(f"period {T} s outside the spectrum's 0-6 s range")
    gamma, eta1, eta2 = damping_factors(damping)
    if T < 0.1:
        return (0.45 + 10.0 * (eta2 - 0.45) * T) * a_max
    if T <= tg:
        return eta2 * a_max
    if T <= 5.0 * tg:
        return (tg / T) ** gamma * eta2 * a_max
    return (eta2 * 0.2 ** gamma - eta1 * (T - 5.0 * tg)) * a_max


def alpha(T: float, intensity: float, design_group: int, site_class: str, damping: float = 0.05) -> float:
    """Seismic influence coefficient of the frequent earthquake at period T (s)."""
    return alpha_from(T, alpha_max(intensity), characteristic_period(design_group, site_class), damping)
