"""LLM backends: `offline` (rule-based, the default) and `openai` (any OpenAI-compatible endpoint).

`get_backend(settings)` picks one from `LLMSettings` (llm's own type; the pipelines' `BuildOptions.llm_settings()`
makes one); both give `generate` / `agenerate` / `generate_many` on templates in `prompts/` and raw `chat` / `achat`.
The offline backend answers a template with the handler its owner registered (`register_offline_handler`).
"""

from __future__ import annotations

import os
from pathlib import Path

from civilinstruct.errors import CivilError
from civilinstruct.llm.offline import GENERATOR as OFFLINE_GENERATOR
from civilinstruct.llm.offline import OFFLINE_HANDLERS, OfflineBackend, register_offline_handler
from civilinstruct.llm.settings import HasLLMSettings, LLMSettings
from civilinstruct.llm.types import Backend, GenerationRequest, GenerationResult, MalformedOutputError

__all__ = ["Backend", "GenerationRequest", "GenerationResult", "MalformedOutputError", "OFFLINE_GENERATOR",
           "OFFLINE_HANDLERS", "HasLLMSettings", "LLMSettings", "OfflineBackend", "default_cache_path", "get_backend",
           "register_offline_handler"]


def default_cache_path() -> Path | None:
    """$CIVILINSTRUCT_LLM_CACHE ("off" disables it), else ~/.cache/civilinstruct/llm-cache.duckdb."""
    env = os.environ.get("CIVILINSTRUCT_LLM_CACHE")
    if env:
        return None if env.lower() in {"off", "none", "0"} else Path(env)
    return Path.home() / ".cache" / "civilinstruct" / "llm-cache.duckdb"


def get_backend(settings: LLMSettings | HasLLMSettings) -> Backend:
    """The backend `settings` ask for (`LLMSettings`, or anything with `llm_settings()`, such as the pipelines'
    `BuildOptions`). base_url and model fall back to $OPENAI_BASE_URL and $CIVILINSTRUCT_MODEL.
    """
    s = settings if isinstance(settings, LLMSettings) else settings.llm_settings()
    if s.backend == "offline":
        return OfflineBackend(seed=s.seed)
    from civilinstruct.llm.cache import ResponseCache
    from civilinstruct.llm.openai_backend import OpenAIBackend

    base_url = s.base_url or os.environ.get("OPENAI_BASE_URL")
    model = s.model or os.environ.get("CIVILINSTRUCT_MODEL")
    if not base_url or not model:
        raise CivilError("backend openai needs --base-url (or OPENAI_BASE_URL) and --model")
    cache_path = s.cache_path(default_cache_path())
    return OpenAIBackend(
        base_url, model, api_key_env=s.api_key_env, concurrency=s.concurrency, timeout_s=s.request_timeout_s,
        budget_s=s.llm_budget_s, max_attempts=s.max_attempts,
        cache=ResponseCache.open_or_none(cache_path) if cache_path else None,
        temperature=s.temperature, max_tokens=s.max_tokens)
