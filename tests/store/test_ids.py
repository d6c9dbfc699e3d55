"""Content-addressed ids (`store.ids`): the same inputs give the same id, any change of input another."""

from __future__ import annotations

import hashlib

from civilinstruct.store.ids import canonical_json, make_id


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, 2], "c": "é"}) == '{"a":[1,2],"b":1,"c":"é"}'
    assert canonical_json({"p": __import__("pathlib").Path("/x")}) == '{"p":"/x"}'  # default=str


def test_make_id_is_the_sha256_of_the_canonical_inputs() -> None:
    expected = hashlib.sha256(b'{"part":"long_code","seed":3,"spec":{"a":1}}').hexdigest()
    assert make_id("long_code", spec={"a": 1}, seed=3) == expected
    assert make_id("long_code", seed=3, spec={"a": 1}) == expected  # keyword order does not matter


def test_any_input_changes_the_id() -> None:
    base = make_id("api_pairs", command="node", variant=1)
    assert len({base, make_id("api_pairs", command="node", variant=2), make_id("bug_cot", command="node", variant=1),
                make_id("api_pairs", command="node", variant="1")}) == 4
