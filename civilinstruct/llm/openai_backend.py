"""The `openai` backend: the official async client against any OpenAI-compatible endpoint.

Concurrency is bounded by a semaphore per event loop; 429, 5xx, timeouts, dropped connections and 200s that are
not a usable completion (`replies.MalformedReply`) are retried with exponential backoff and jitter (tenacity),
waiting what a `Retry-After` header asks for up to a cap; other 4xx are not. Each attempt has a hard timeout and
each request a total budget (all attempts and waits), so a server that never answers costs bounded time.
Only validated answers are cached in DuckDB. The API key is read from an environment variable, never taken as a
flag value, never logged.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

import openai
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_before_delay

from civilinstruct.errors import CivilError
from civilinstruct.llm.base import BackendBase
from civilinstruct.llm.cache import ResponseCache, cache_key
from civilinstruct.llm.replies import MalformedReply, parse_reply, retry_after_s, valid_cached

NO_KEY = "not-set"  # local servers (vLLM, SGLang, `civilinstruct serve`) accept any key


class AttemptTimeout(Exception):
    """One attempt ran past the request timeout (httpx only bounds the gap between bytes, not the whole reply)."""


def is_retryable(exc: BaseException) -> bool:
    """429, 5xx, timeouts, connection failures and malformed 200s are transient; other 4xx are the caller's fault."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, AttemptTimeout, MalformedReply))


def describe_failure(exc: BaseException, base_url: str, attempts: int, timeout_s: float) -> str:
    """One line a user can act on."""
    if isinstance(exc, (openai.APITimeoutError, AttemptTimeout)):
        return f"request to {base_url} timed out after {timeout_s:g} s ({attempts} attempts); see --request-timeout"
    if isinstance(exc, MalformedReply):
        return f"the endpoint {base_url} gave no usable completion ({attempts} attempts): {exc}"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach the LLM endpoint {base_url} ({attempts} attempts): {exc.__cause__ or exc}"
    if isinstance(exc, openai.AuthenticationError):
        return f"the endpoint {base_url} refused the API key (HTTP {exc.status_code}); check the key variable"
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint {base_url} answered HTTP {exc.status_code}: {str(exc.message)[:200]}"
    return f"LLM request to {base_url} failed: {exc}"


class BackoffWait:
    """Random exponential backoff, or the server's `Retry-After` when it sends one, capped either way."""

    def __init__(self, multiplier: float, max_s: float, retry_after_cap_s: float) -> None:
        self.multiplier, self.max_s, self.cap_s = multiplier, max_s, retry_after_cap_s

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        asked = retry_after_s(getattr(getattr(exc, "response", None), "headers", None))
        if asked is not None:
            return min(asked, self.cap_s)
        return random.uniform(0, min(self.max_s, self.multiplier * 2 ** (state.attempt_number - 1)))


class OpenAIBackend(BackendBase):
    """Chat completions with bounded concurrency, retries, timeouts, a per-request budget and a response cache."""

    def __init__(self, base_url: str, model: str, *, api_key_env: str = "OPENAI_API_KEY", concurrency: int = 16,
                 timeout_s: float = 120.0, max_attempts: int = 4, backoff_max_s: float = 20.0,
                 budget_s: float = 300.0, retry_after_cap_s: float = 60.0,
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
        self.budget_s = budget_s
        self.retry_after_cap_s = retry_after_cap_s
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

    async def _attempt(self, client: openai.AsyncOpenAI, messages: list[dict[str, str]],
                       params: dict[str, Any]) -> tuple[list[str], dict[str, int], list[str | None]]:
        """One request, bounded as a whole by the request timeout, its reply checked before anyone uses it."""
        try:
            async with asyncio.timeout(self.timeout_s):
                raw = await client.chat.completions.with_raw_response.create(
                    model=self.model, messages=messages, **params)  # type: ignore[arg-type]
                body = raw.text
        except TimeoutError:
            raise AttemptTimeout(f"no complete reply within {self.timeout_s:g} s") from None
        return parse_reply(body)

    async def _complete(self, messages: list[dict[str, str]], params: dict[str, Any],
                        ) -> tuple[list[str], dict[str, int], bool]:
        key = cache_key(self.model, messages, params)
        if self.cache is not None and (hit := self.cache.get(key)) is not None and valid_cached(hit[0]):
            return hit[0], hit[1], True
        choices, usage, _ = await self._request(messages, params)
        if self.cache is not None:  # only a validated reply gets here
            self.cache.put(key, self.model, {"messages": messages, "params": params}, choices, usage)
        return choices, usage, False

    async def _complete_detailed(self, messages: list[dict[str, str]], params: dict[str, Any],
                                 ) -> tuple[list[str], list[str | None]]:
        choices, _, reasons = await self._request(messages, params)  # uncached: the reasons are not stored
        return choices, reasons

    async def _request(self, messages: list[dict[str, str]], params: dict[str, Any],
                       ) -> tuple[list[str], dict[str, int], list[str | None]]:
        """Choices, usage and finish reasons, with retries, timeouts and the budget; failures are one line."""
        client, limit = self._client()
        attempts = 0
        last: BaseException | None = None
        async with limit:
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.budget_s):
                    async for attempt in AsyncRetrying(
                            retry=retry_if_exception(is_retryable), reraise=True,
                            stop=stop_after_attempt(self.max_attempts) | stop_before_delay(self.budget_s),
                            wait=BackoffWait(0.25, self.backoff_max_s, self.retry_after_cap_s)):
                        with attempt:
                            attempts += 1
                            try:
                                return await self._attempt(client, messages, params)
                            except Exception as exc:  # not the budget's own cancellation
                                last = exc
                                raise
            except TimeoutError:
                spent = time.monotonic() - started
                why = f"; last: {describe_failure(last, self.base_url, attempts, self.timeout_s)}" if last else ""
                raise CivilError(f"LLM request to {self.base_url} ran out of its {self.budget_s:g} s budget after "
                                 f"{spent:.0f} s ({attempts} attempts; see --llm-budget){why}") from None
            except (openai.OpenAIError, AttemptTimeout, MalformedReply) as exc:
                raise CivilError(describe_failure(exc, self.base_url, attempts, self.timeout_s)) from exc
        raise CivilError(f"LLM request to {self.base_url} made no attempt")  # unreachable: tenacity tries once
