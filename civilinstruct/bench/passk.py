"""The unbiased pass@k estimator (Chen et al., 2021): pass@k = 1 - C(n-c, k) / C(n, k).

Computed as a product, not with factorials, so it stays exact-ish for large n and never overflows.
"""

from __future__ import annotations

from collections.abc import Iterable


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k draws (without replacement) from n samples with c correct passes.

    >>> pass_at_k(5, 1, 1)
    0.2
    >>> round(pass_at_k(10, 3, 5), 4)   # 1 - C(7,5)/C(10,5) = 1 - 21/252
    0.9167
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if n < k:
        raise ValueError(f"pass@{k} needs at least {k} samples per case, got {n}")
    if n - c < k:
        return 1.0
    fail = 1.0
    for i in range(n - c + 1, n + 1):
        fail *= 1.0 - k / i
    return round(1.0 - fail, 12)


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """Mean pass@k over cases given (n, c) per case; 0.0 for no cases."""
    values = [pass_at_k(n, c, k) for n, c in counts]
    return sum(values) / len(values) if values else 0.0
