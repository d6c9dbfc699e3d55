"""Empirical fundamental period of RC frames (GB 50009-2012 Appendix F), the independent check of FE periods.

The formula already reflects real buildings with infill walls. A bare-frame FE model is more flexible, so codes
multiply the computed period by psi_T (0.6-0.7 for frames) before use; comparing psi_T * T_FE with the empirical
value therefore puts both on the same footing.
"""

from __future__ import annotations

PSI_T_FRAME = 0.7  # period reduction factor for frames with light infill (GB 50011 commentary / JGJ 3 4.3.17)


def empirical_period(height_m: float, width_m: float, psi_t: float | None = None) -> float:
    """T1 = 0.25 + 0.53e-3 H^2 / B^(1/3) in s; with psi_t given, the FE-comparable bare-frame period T1/psi_t.

    `height_m` is the height above ground, `width_m` the plan width along the direction of vibration.
    """
    if height_m <= 0 or width_m <= 0:
        raise ValueError("height and width must be positive")
    t1 = 0.25 + 0.53e-3 * height_m ** 2 / width_m ** (1.0 / 3.0)
    return t1 / psi_t if psi_t else t1


def rough_period_range(stories: int) -> tuple[float, float]:
    """The (0.08-0.10) n rule of thumb for frames, in s."""
    return 0.08 * stories, 0.10 * stories
