"""LLM backends: `offline` (rule-based, the default) and `openai` (any OpenAI-compatible endpoint).

`get_backend(options)` picks one from `BuildOptions`; both give `generate` / `agenerate` /
`generate_many` on templates in `prompts/` and raw `chat` / `achat`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from civilinstruct.errors import CivilError
from civilinstruct.llm.offline import GENERATOR as OFFLINE_GENERATOR
from civilinstruct.llm.offline import OFFLINE_HANDLERS, OfflineBackend, register_offline_handler
from civilinstruct.llm.types import Backend, GenerationRequest, GenerationResult, MalformedOutputError

if TYPE_CHECKING:
    from civilinstruct.pipelines.base import BuildOptions

__all__ = ["Backend", "GenerationRequest", "GenerationResult", "MalformedOutputError", "OFFLINE_GENERATOR",
           "OFFLINE_HANDLERS", "OfflineBackend", "default_cache_path", "get_backend", "register_offline_handler"]


def default_cache_path() -> Path | None:
    """$CIVILINSTRUCT_LLM_CACHE ("off" disables it), else ~/.cache/civilinstruct/llm-cache.duckdb."""
    env = os.environ.get("CIVILINSTRUCT_LLM_CACHE")
    if env:
        return None if env.lower() in {"off", "none", "0"} else Path(env)
    return Path.home() / ".cache" / "civilinstruct" / "llm-cache.duckdb"


def get_backend(options: "BuildOptions") -> Backend:
    """The backend `options` ask for. openai settings beyond base_url/model come from `options.extra`:
    api_key_env, concurrency, request_timeout_s, llm_budget_s (all attempts of one request), max_attempts,
    temperature, max_tokens, llm_cache (path or "off").
    """
    if options.backend == "offline":
        return OfflineBackend(seed=options.seed)
    from civilinstruct.llm.cache import ResponseCache
    from civilinstruct.llm.openai_backend import OpenAIBackend

    extra = options.extra
    base_url = options.base_url or os.environ.get("OPENAI_BASE_URL")
    model = options.model or os.environ.get("CIVILINSTRUCT_MODEL")
    if not base_url or not model:
        raise CivilError("backend openai needs --base-url (or OPENAI_BASE_URL) and --model")
    cache_setting = extra.get("llm_cache")
    if cache_setting is not None:
        cache_path = None if str(cache_setting).lower() in {"off", "none", "0"} else Path(cache_setting)
    else:
        cache_path = default_cache_path()
    timeout_s, budget_s = (_seconds(extra, "request_timeout_s", 120.0, 3600.0),
                           _seconds(extra, "llm_budget_s", 300.0, 86400.0))
    return OpenAIBackend(
        base_url, model, api_key_env=str(extra.get("api_key_env", "OPENAI_API_KEY")),
        concurrency=int(extra.get("concurrency", 16)), timeout_s=timeout_s,
        budget_s=budget_s, max_attempts=int(extra.get("max_attempts", 4)),
        cache=ResponseCache.open_or_none(cache_path) if cache_path else None,
        temperature=extra.get("temperature"), max_tokens=extra.get("max_tokens"))


def _seconds(extra: dict, key: str, default: float, limit: float) -> float:
    """A time limit from the options: a finite number of seconds in (0, limit], else one line naming it."""
    value = extra.get(key, default)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise CivilError(f"{key} must be a number of seconds (got {value!r})") from None
    if not 0 < seconds <= limit:  # also rejects NaN
        raise CivilError(f"{key} must be in (0, {limit:g}] seconds (got {value!r})")
    return seconds
