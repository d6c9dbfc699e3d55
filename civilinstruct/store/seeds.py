"""Per-sample seeds: one recipe for new code, so every seed of a build follows from `--seed` the same way.

`derive_seed(seed, *keys)` hashes the build seed and whatever identifies the sample (a parent id, a command and
variant, a purpose such as "question") into a 48-bit integer for `random.Random`. A new pipeline version uses it
with the default separator.

The v1 recipes stay as they are, because their seeds feed ids and content that must not change:
- bug_cot: `derive_seed(seed, *keys)` (the default, ":" between parts),
- api_pairs: `derive_seed(seed, command, variant, sep="|")`,
- long_code: `seeds_for(seed, index)` = (seed * 1_000_003 + index, that * 7 + 3) (instruction variant, style),
- spec sampling, instruction text, program style and negatives: `random.Random(f"<purpose>-{...}")` strings.
"""

from __future__ import annotations

import hashlib


def derive_seed(*parts: object, sep: str = ":") -> int:
    """A 48-bit seed from `parts` (str() of each, joined by `sep`), stable across runs and machines."""
    return int(hashlib.sha256(sep.join(map(str, parts)).encode()).hexdigest()[:12], 16)
