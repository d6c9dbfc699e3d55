"""llm.replies: a 200 reply is checked before use or caching; Retry-After is read in all three forms."""

from __future__ import annotations

import email.utils
import json
import time

import pytest

from civilinstruct.llm.replies import MalformedReply, parse_reply, retry_after_s, valid_cached


def _body(choices: object, usage: object = None) -> str:
    data: dict[str, object] = {"id": "x", "choices": choices}
    if usage is not None:
        data["usage"] = usage
    return json.dumps(data)


def test_choices_come_back_in_index_order_with_usage_and_reasons() -> None:
    """Guards n > 1: choices are ordered by their `index`, not by position, and reasons follow them."""
    body = _body([{"index": 1, "message": {"content": "second"}, "finish_reason": "length"},
                  {"index": 0, "message": {"content": "first"}, "finish_reason": "stop"}],
                 {"prompt_tokens": 12, "completion_tokens": 30})
    texts, usage, reasons = parse_reply(body)
    assert texts == ["first", "second"]
    assert reasons == ["stop", "length"]
    assert usage == {"prompt_tokens": 12, "completion_tokens": 30}


def test_bad_usage_counts_are_zero() -> None:
    """Guards the token accounting: negative, boolean, string or missing counts become 0, not a crash."""
    _, usage, reasons = parse_reply(_body([{"message": {"content": "a"}, "finish_reason": 3}],
                                          {"prompt_tokens": -1, "completion_tokens": True}))
    assert usage == {"prompt_tokens": 0, "completion_tokens": 0}
    assert reasons == [None]
    assert parse_reply(_body([{"message": {"content": "a"}}], "many"))[1] == {"prompt_tokens": 0,
                                                                          "completion_tokens": 0}


@pytest.mark.parametrize("body, message", [
    ("<html>502</html>", "not JSON"),
    ("[1, 2]", "JSON list, not an object"),
    (_body([]), "has no choices"),
    (json.dumps({"object": "list"}), "has no choices"),
    (_body({"0": "a"}), "choices are a dict"),
    (_body([{"message": {"content": None}}]), "choice 0 has no message content"),
    (_body([{"message": {"content": "ok"}}, {"text": "legacy"}]), "choice 1 has no message content"),
    ("[" * 100000, "not JSON"),
])
def test_malformed_replies(body: str, message: str) -> None:
    """Guards each way a 200 can be useless, including a nesting bomb (RecursionError), as MalformedReply."""
    with pytest.raises(MalformedReply, match=message):
        parse_reply(body)


def test_valid_cached() -> None:
    """Guards the cache: only a non-empty list of strings is reused (older versions cached [])."""
    assert valid_cached(["a", "b"])
    assert not valid_cached([])
    assert not valid_cached(["a", None])
    assert not valid_cached("a")


def test_retry_after_forms() -> None:
    """Guards the wait: milliseconds first, then seconds, then an HTTP date (about 30 s ahead); negative waits
    are 0; NaN, junk and no header give None."""
    assert retry_after_s({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_s({"retry-after-ms": "soon", "retry-after": "9"}) == 9.0
    assert retry_after_s({"retry-after": "-4"}) == 0.0
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    wait = retry_after_s({"retry-after": date})
    assert wait is not None and 27 <= wait <= 31
    assert retry_after_s({"retry-after": "nan"}) is None
    assert retry_after_s({"retry-after": "tomorrow"}) is None
    assert retry_after_s({}) is None and retry_after_s(None) is None
