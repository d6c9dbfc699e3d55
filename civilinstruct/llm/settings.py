"""What `get_backend` needs to know, in llm's own type, so the backend layer does not read the pipelines' options.

`BuildOptions.llm_settings()` (pipelines) and the bench command make one; `LLMSettings.from_extra` checks the
openai limits a manifest or command line gives and names a bad one in one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from civilinstruct.errors import CivilError


class LLMSettings(BaseModel):
    """The backend and, for openai, its endpoint, limits and sampling defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["offline", "openai"] = "offline"
    seed: int = 0
    base_url: str | None = None
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 16
    request_timeout_s: float = 120.0  # one attempt
    llm_budget_s: float = 300.0  # all attempts of one request
    max_attempts: int = 4
    temperature: float | None = None
    max_tokens: int | None = None
    llm_cache: str | None = None  # a path, "off", or None for the default cache

    @classmethod
    def from_extra(cls, backend: Literal["offline", "openai"] = "offline", seed: int = 0,
                   base_url: str | None = None, model: str | None = None,
                   extra: dict[str, Any] | None = None) -> LLMSettings:
        """Settings from a part's options and its `extra` dict (api_key_env, concurrency, request_timeout_s,
        llm_budget_s, max_attempts, temperature, max_tokens, llm_cache). The offline backend reads none of the
        extras, so they are only checked for openai."""
        if backend == "offline":
            return cls(backend=backend, seed=seed, base_url=base_url, model=model)
        extra = extra or {}
        cache = extra.get("llm_cache")
        return cls(
            backend=backend, seed=seed, base_url=base_url, model=model,
            api_key_env=str(extra.get("api_key_env", "OPENAI_API_KEY")),
            concurrency=int(extra.get("concurrency", 16)),
            request_timeout_s=_seconds(extra, "request_timeout_s", 120.0, 3600.0),
            llm_budget_s=_seconds(extra, "llm_budget_s", 300.0, 86400.0),
            max_attempts=int(extra.get("max_attempts", 4)),
            temperature=extra.get("temperature"), max_tokens=extra.get("max_tokens"),
            llm_cache=None if cache is None else str(cache))

    def cache_path(self, default: Path | None) -> Path | None:
        """Where the openai response cache lives: `llm_cache` ("off" disables it), else `default`."""
        if self.llm_cache is None:
            return default
        return None if self.llm_cache.lower() in {"off", "none", "0"} else Path(self.llm_cache)


class HasLLMSettings(Protocol):
    """Anything that can say which backend it wants (the pipelines' `BuildOptions`)."""

    def llm_settings(self) -> LLMSettings: ...


def _seconds(extra: dict[str, Any], key: str, default: float, limit: float) -> float:
    """A time limit from the options: a finite number of seconds in (0, limit], else one line naming it."""
    value = extra.get(key, default)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise CivilError(f"{key} must be a number of seconds (got {value!r})") from None
    if not 0 < seconds <= limit:  # also rejects NaN
        raise CivilError(f"{key} must be in (0, {limit:g}] seconds (got {value!r})")
    return seconds
