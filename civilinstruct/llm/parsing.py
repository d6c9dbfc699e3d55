"""Turn a model's text into the validated object a template asked for, or a drop reason."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from civilinstruct.llm.types import MalformedOutputError

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def _json_candidates(text: str) -> list[str]:
    """The whole text, fenced blocks, then the span from the first `{` to the last `}`."""
    candidates = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start:end + 1])
    return candidates


def parse_json_output(text: str, schema: type[BaseModel]) -> BaseModel:
    """Validate `text` against `schema`; models often wrap JSON in prose or fences, so look inside those too."""
    data: Any = None
    for candidate in _json_candidates(text):
        try:
            data = json.loads(candidate)
            break
        except (json.JSONDecodeError, ValueError):
            continue
    if data is None:
        raise MalformedOutputError(f"output is not JSON: {text[:80]!r}", reason="malformed_json")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "root"
        raise MalformedOutputError(f"JSON does not match {schema.__name__}: {where}: {first.get('msg')}",
                                   reason="schema_mismatch") from exc
