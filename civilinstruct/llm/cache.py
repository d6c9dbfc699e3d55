"""A response cache in DuckDB, keyed by model, messages and sampling parameters: a rerun costs nothing."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from pathlib import Path
from typing import Any

import duckdb

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key VARCHAR PRIMARY KEY,
    model VARCHAR,
    request VARCHAR,
    choices VARCHAR,
    prompt_tokens BIGINT,
    completion_tokens BIGINT,
    created_at TIMESTAMP DEFAULT current_timestamp
)
"""


def cache_key(model: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    """sha256 of the canonical request: same model, messages and sampling parameters, same key."""
    payload = json.dumps({"model": model, "messages": messages, "params": params}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResponseCache:
    """One DuckDB file; calls are serialized by a lock (each is a single-row read or write)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(self.path))
        self._con.execute(_SCHEMA)
        self._lock = threading.Lock()

    @classmethod
    def open_or_none(cls, path: str | Path) -> ResponseCache | None:
        """Open the cache, or warn and run uncached when another process holds the file."""
        try:
            return cls(path)
        except duckdb.Error as exc:
            print(f"warning: LLM response cache {path} unavailable ({str(exc).splitlines()[0]}); running uncached",
                  file=sys.stderr)
            return None

    def get(self, key: str) -> tuple[list[str], dict[str, int]] | None:
        with self._lock:
            row = self._con.execute(
                "SELECT choices, prompt_tokens, completion_tokens FROM responses WHERE key = ?", [key]).fetchone()
        if row is None:
            return None
        try:
            choices = json.loads(row[0])
        except (TypeError, ValueError):  # a damaged entry is a miss: the request is made again and replaces it
            return None
        return choices, {"prompt_tokens": int(row[1] or 0), "completion_tokens": int(row[2] or 0)}

    def put(self, key: str, model: str, request: dict[str, Any], choices: list[str], usage: dict[str, int]) -> None:
        with self._lock:
            self._con.execute(
                "INSERT OR REPLACE INTO responses (key, model, request, choices, prompt_tokens, completion_tokens) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [key, model, json.dumps(request, ensure_ascii=False), json.dumps(choices, ensure_ascii=False),
                 usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)])

    def __len__(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT count(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._con.close()
