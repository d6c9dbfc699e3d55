"""The `openai` backend: the official async client against any OpenAI-compatible endpoint.

Concurrency is bounded by a semaphore per event loop; 429, 5xx, timeouts and dropped connections are
retried with exponential backoff and jitter (tenacity), other 4xx are not. Answers are cached in DuckDB.
The API key is read from an environment variable, never taken as a flag value, never logged.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import openai
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from civilinstruct.errors import CivilError
from civilinstruct.llm.base import BackendBase
from civilinstruct.llm.cache import ResponseCache, cache_key

NO_KEY = "not-set"  # local servers (vLLM, SGLang, `civilinstruct serve`) accept any key


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx, timeouts and connection failures are transient; other 4xx are the caller's fault."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError))


def describe_failure(exc: BaseException, base_url: str, attempts: int, timeout_s: float) -> str:
    """One line a user can act on."""
    if isinstance(exc, openai.APITimeoutError):
        return f"request to {base_url} timed out after {timeout_s:g} s ({attempts} attempts)"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach the LLM endpoint {base_url} ({attempts} attempts): {exc.__cause__ or exc}"
    if isinstance(exc, openai.AuthenticationError):
        return f"the endpoint {base_url} refused the API key (HTTP {exc.status_code}); check the key variable"
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint {base_url} answered HTTP {exc.status_code}: {str(exc.message)[:200]}"
    return f"LLM request to {base_url} failed: {exc}"


class OpenAIBackend(BackendBase):
    """Chat completions with bounded concurrency, retries and a response cache."""

    def __init__(self, base_url: str, model: str, *, api_key_env: str = "OPENAI_API_KEY", concurrency: int = 16,
                 timeout_s: float = 120.0, max_attempts: int = 4, backoff_max_s: float = 20.0,
                 cache: ResponseCache | None = None, temperature: float | None = None,
                 max_tokens: int | None = None) -> None:
        self.base_url = base_url
        self.model = model
        self.name = f"openai/{model}"
        self.api_key_env = api_key_env
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_max_s = backoff_max_s
        self.cache = cache
        self.temperature = temperature
        self.max_tokens = max_tokens
        self._per_loop: dict[asyncio.AbstractEventLoop, tuple[openai.AsyncOpenAI, asyncio.Semaphore]] = {}

    def _client(self) -> tuple[openai.AsyncOpenAI, asyncio.Semaphore]:
        # An async HTTP client and a semaphore belong to the loop that created them.
        loop = asyncio.get_running_loop()
        pair = self._per_loop.get(loop)
        if pair is None:
            key = os.environ.get(self.api_key_env) or NO_KEY
            client = openai.AsyncOpenAI(base_url=self.base_url, api_key=key, timeout=self.timeout_s, max_retries=0)
            pair = (client, asyncio.Semaphore(self.concurrency))
            self._per_loop = {lp: p for lp, p in self._per_loop.items() if not lp.is_closed()}
            self._per_loop[loop] = pair
        return pair

    def _default_params(self) -> dict[str, Any]:
        return self._params(1, self.temperature, None, self.max_tokens)

    async def _complete(self, messages: list[dict[str, str]], params: dict[str, Any],
                        ) -> tuple[list[str], dict[str, int], bool]:
        key = cache_key(self.model, messages, params)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return hit[0], hit[1], True
        choices, usage, _ = await self._request(messages, params)
        if self.cache is not None:
            self.cache.put(key, self.model, {"messages": messages, "params": params}, choices, usage)
        return choices, usage, False

    async def _complete_detailed(self, messages: list[dict[str, str]], params: dict[str, Any],
                                 ) -> tuple[list[str], list[str | None]]:
        choices, _, reasons = await self._request(messages, params)  # uncached: the reasons are not stored
        return choices, reasons

    async def _request(self, messages: list[dict[str, str]], params: dict[str, Any],
                       ) -> tuple[list[str], dict[str, int], list[str | None]]:
        client, limit = self._client()
        attempts = 0
        try:
            async with limit:
                async for attempt in AsyncRetrying(
                        retry=retry_if_exception(is_retryable), reraise=True,
                        stop=stop_after_attempt(self.max_attempts),
                        wait=wait_random_exponential(multiplier=0.25, max=self.backoff_max_s)):
                    with attempt:
                        attempts += 1
                        response = await client.chat.completions.create(
                            model=self.model, messages=messages, **params)  # type: ignore[arg-type]
        except openai.OpenAIError as exc:
            raise CivilError(describe_failure(exc, self.base_url, attempts, self.timeout_s)) from exc
        ordered = sorted(response.choices, key=lambda c: c.index)
        choices = [choice.message.content or "" for choice in ordered]
        reasons = [getattr(choice, "finish_reason", None) for choice in ordered]
        usage = {"prompt_tokens": getattr(response.usage, "prompt_tokens", 0) or 0,
                 "completion_tokens": getattr(response.usage, "completion_tokens", 0) or 0}
        return choices, usage, reasons
