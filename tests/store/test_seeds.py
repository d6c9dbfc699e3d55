"""The per-sample seed helper, and the v1 recipes it must keep reproducing (ids depend on them)."""

from __future__ import annotations

import hashlib

from civilinstruct.pipelines.api_pairs import generate
from civilinstruct.store.seeds import derive_seed


def test_derive_seed_is_the_documented_hash_and_stable():
    expected = int(hashlib.sha256(b"7:abc:question").hexdigest()[:12], 16)
    assert derive_seed(7, "abc", "question") == expected
    assert 0 <= derive_seed(7, "abc") < 2 ** 48


def test_each_input_and_its_order_changes_the_seed():
    seeds = {derive_seed(1, "a", "b"), derive_seed(2, "a", "b"), derive_seed(1, "b", "a"), derive_seed(1, "a"),
             derive_seed(1, "a", "b", sep="|")}
    assert len(seeds) == 5


def test_v1_recipes_are_the_helper_with_their_separator():
    # bug_cot v1: sha256 of ":".join(parts), first 12 hex digits (its pipeline's `_seed`)
    assert derive_seed(3, "parent", "inverse") == int(hashlib.sha256(b"3:parent:inverse").hexdigest()[:12], 16)
    assert generate._seed(3, "node", 2) == derive_seed(3, "node", 2, sep="|")
    assert generate._seed(3, "node", 2) == int(hashlib.sha256(b"3|node|2").hexdigest()[:12], 16)
