"""Content-addressed ids: a rebuild from the same inputs gives the same ids."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace, so equal inputs serialize to equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def make_id(part: str, **canonical_inputs: Any) -> str:
    """sha256 of the part and the inputs that determine a sample (spec/source, generator, prompt version, seed)."""
    payload = canonical_json({"part": part, **canonical_inputs})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
