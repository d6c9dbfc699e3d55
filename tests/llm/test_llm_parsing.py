"""JSON output of a model (`llm.parsing`): found inside prose or fences, validated, or one reason why not."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from civilinstruct.llm.parsing import parse_json_output
from civilinstruct.llm.types import MalformedOutputError


class Pair(BaseModel):
    instruction: str
    code: str


@pytest.mark.parametrize("text", [
    '{"instruction": "i", "code": "c"}',
    'Here you go:\n```json\n{"instruction": "i", "code": "c"}\n```\nAnything else?',
    'Sure! {"instruction": "i", "code": "c"} Hope it helps.',
    '```\n{"instruction": "i", "code": "c"}\n```',
])
def test_json_is_found_in_prose_and_fences(text: str) -> None:
    assert parse_json_output(text, Pair) == Pair(instruction="i", code="c")


def test_text_without_json_is_malformed_json() -> None:
    with pytest.raises(MalformedOutputError) as err:
        parse_json_output("I cannot answer that.", Pair)
    assert err.value.reason == "malformed_json"


def test_json_of_the_wrong_shape_names_the_field() -> None:
    with pytest.raises(MalformedOutputError, match="Pair: code") as err:
        parse_json_output('{"instruction": "i"}', Pair)
    assert err.value.reason == "schema_mismatch"
