"""Near-duplicate instruction removal: two instructions that differ only in numbers or a word or two are one.

Instructions are compared as sets of word 3-shingles after numbers are masked, so "Fy = 355" and
"Fy = 420" look the same; a pair whose Jaccard similarity with an already kept one reaches the threshold
is dropped. Comparison is within a command (pairs of different commands are different by construction),
which keeps the cost linear in the number of commands. A kept instruction is remembered as 64-bit hashes of its
shingles, not as the words: a long streaming build keeps a few hundred bytes per kept pair, not its text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_NUM = re.compile(r"[-+]?\d[\d.,eE+-]*")
_WORD = re.compile(r"[a-z_#']+")


def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(_NUM.sub("#", text.lower()))
    if len(words) < n:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def fingerprint(text: str) -> frozenset[int]:
    """The shingles of `text` as stable 64-bit hashes (same Jaccard similarity, a fraction of the memory)."""
    return frozenset(int.from_bytes(hashlib.blake2b("\x1f".join(sh).encode(), digest_size=8).digest(), "big")
                     for sh in shingles(text))


def jaccard(a: frozenset[object], b: frozenset[object]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class NearDuplicates:
    """Remembers the kept instructions of each group; `seen` says whether a new one is a near-duplicate of one of
    them (and remembers it when it is not), so the first of a cluster is kept."""

    def __init__(self, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self.kept: dict[str, list[frozenset[int]]] = {}

    def seen(self, text: str, group: str) -> bool:
        sh = fingerprint(text)
        kept = self.kept.setdefault(group, [])
        if any(jaccard(sh, other) >= self.threshold for other in kept):
            return True
        kept.append(sh)
        return False


def dedup(items: Iterable[T], *, text: Callable[[T], str], group: Callable[[T], str],
          threshold: float = 0.8) -> Iterator[tuple[T, bool]]:
    """Yield (item, kept) in input order; the first of a near-duplicate cluster is kept."""
    memory = NearDuplicates(threshold)
    for item in items:
        yield item, not memory.seen(text(item), group(item))
