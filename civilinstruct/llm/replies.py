"""Check a chat-completions reply before anything uses or caches it: a 200 is not proof of an answer.

Hostile or broken endpoints answer 200 with HTML, truncated JSON, `choices: []` or an unrelated object; each is
a `MalformedReply` (retried like a 5xx, never cached) instead of an AttributeError deep in a pipeline.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any


class MalformedReply(Exception):
    """The endpoint answered 200 but not with a usable chat completion; the message says what was wrong."""


def parse_reply(body: str) -> tuple[list[str], dict[str, int], list[str | None]]:
    """(choice texts in index order, token usage, finish reasons) from a raw response body, or `MalformedReply`."""
    try:
        data: Any = json.loads(body)
    except (json.JSONDecodeError, ValueError, RecursionError):
        raise MalformedReply(f"the reply is not JSON: {body[:60]!r}") from None
    if not isinstance(data, dict):
        raise MalformedReply(f"the reply is JSON {type(data).__name__}, not an object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise MalformedReply("the reply has no choices" if choices in (None, [])
                             else f"the reply's choices are a {type(choices).__name__}, not a list")
    texts: list[tuple[int, str, str | None]] = []
    for position, choice in enumerate(choices):
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            raise MalformedReply(f"choice {position} has no message content")
        index = choice.get("index", position)
        reason = choice.get("finish_reason")
        texts.append((index if isinstance(index, int) else position, content,
                      reason if isinstance(reason, str) else None))
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    ordered = sorted(texts, key=lambda p: p[0])
    return [t for _, t, _ in ordered], {
        "prompt_tokens": _count(usage.get("prompt_tokens")), "completion_tokens": _count(usage.get("completion_tokens"))
    }, [r for _, _, r in ordered]


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def valid_cached(choices: Any) -> bool:
    """A cache entry is usable only if it is what `parse_reply` would have returned (older versions cached `[]`)."""
    return isinstance(choices, list) and bool(choices) and all(isinstance(c, str) for c in choices)


def retry_after_s(headers: Any) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `Retry-After` seconds or HTTP date), else None."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - time.time()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no instruction
