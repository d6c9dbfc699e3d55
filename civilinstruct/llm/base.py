"""Behaviour shared by the backends: templated generation on top of raw chat, batching, JSON parsing."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel

from civilinstruct.llm.loop import run_sync
from civilinstruct.llm.parsing import parse_json_output
from civilinstruct.llm.prompts import render
from civilinstruct.llm.types import GenerationRequest, GenerationResult, MalformedOutputError


class BackendBase:
    """Subclasses implement `_complete` (messages -> texts + usage); the rest follows from it."""

    name: str = "base"

    async def _complete(self, messages: list[dict[str, str]], params: dict[str, Any],
                        ) -> tuple[list[str], dict[str, int], bool]:
        """Return (choices, usage, cached)."""
        raise NotImplementedError

    async def _complete_detailed(self, messages: list[dict[str, str]], params: dict[str, Any],
                                 ) -> tuple[list[str], list[str | None]]:
        """Choices and their finish reasons ("stop", "length"; None where the backend does not say)."""
        texts, _, _ = await self._complete(messages, params)
        return texts, [None] * len(texts)

    def _default_params(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def _params(n: int, temperature: float | None, top_p: float | None, max_tokens: int | None) -> dict[str, Any]:
        params: dict[str, Any] = {"n": n}
        for key, value in (("temperature", temperature), ("top_p", top_p), ("max_tokens", max_tokens)):
            if value is not None:
                params[key] = value
        return params

    async def achat(self, messages: list[dict[str, str]], *, n: int = 1, temperature: float | None = None,
                    top_p: float | None = None, max_tokens: int | None = None) -> list[str]:
        texts, _, _ = await self._complete(messages, self._params(n, temperature, top_p, max_tokens))
        return texts

    async def achat_detailed(self, messages: list[dict[str, str]], *, n: int = 1, temperature: float | None = None,
                             top_p: float | None = None, max_tokens: int | None = None,
                             ) -> list[tuple[str, str | None]]:
        """Like `achat`, with each choice's finish reason: a benchmark must know a cut answer from a bad one."""
        texts, reasons = await self._complete_detailed(messages, self._params(n, temperature, top_p, max_tokens))
        return list(zip(texts, reasons))

    def chat(self, messages: list[dict[str, str]], *, n: int = 1, temperature: float | None = None,
             top_p: float | None = None, max_tokens: int | None = None) -> list[str]:
        return run_sync(self.achat(messages, n=n, temperature=temperature, top_p=top_p, max_tokens=max_tokens))

    async def agenerate(self, template: str, variables: dict[str, Any], *,
                        json_schema: type[BaseModel] | None = None,
                        params: dict[str, Any] | None = None) -> GenerationResult:
        """Render `prompts/<template>.j2`, complete it, and validate it against `json_schema` if given.

        Unusable output raises `MalformedOutputError` (its `reason` is the drop reason).
        """
        tmpl, messages = render(template, variables)
        texts, usage, cached = await self._complete(messages, {**self._default_params(), **(params or {}), "n": 1})
        result = GenerationResult(text=texts[0], usage=usage, generator=self.name, prompt_template=template,
                                  prompt_hash=tmpl.hash, cached=cached)
        if json_schema is not None:
            result.parsed = parse_json_output(result.text, json_schema)
        return result

    def generate(self, template: str, variables: dict[str, Any], *,
                 json_schema: type[BaseModel] | None = None) -> GenerationResult:
        return run_sync(self.agenerate(template, variables, json_schema=json_schema))

    async def agenerate_many(self, requests: list[GenerationRequest], concurrency: int | None = None,
                             progress: bool = False) -> list[GenerationResult]:
        """All requests, at most `concurrency` in flight, results in input order.

        A malformed output does not stop the batch: its result carries `error` (the drop reason) and no
        `parsed`. Endpoint failures (unreachable, retries exhausted) raise, since nothing later would work.
        """
        limit = asyncio.Semaphore(max(1, concurrency or 16))
        bar = _Progress(len(requests), self.name) if progress else None

        async def one(request: GenerationRequest) -> GenerationResult:
            async with limit:
                try:
                    return await self.agenerate(request.template, request.variables,
                                                json_schema=request.json_schema, params=request.params or None)
                except MalformedOutputError as exc:
                    tmpl_hash = render(request.template, request.variables)[0].hash
                    return GenerationResult(generator=self.name, prompt_template=request.template,
                                            prompt_hash=tmpl_hash, error=exc.reason, text=str(exc))
                finally:
                    if bar:
                        bar.advance()

        try:
            return list(await asyncio.gather(*(one(r) for r in requests)))
        finally:
            if bar:
                bar.close()

    def generate_many(self, requests: list[GenerationRequest], concurrency: int | None = None,
                      progress: bool = False) -> list[GenerationResult]:
        return run_sync(self.agenerate_many(requests, concurrency=concurrency, progress=progress))


class _Progress:
    """A rich progress bar for a batch of requests."""

    def __init__(self, total: int, label: str) -> None:
        from civilinstruct.progress import progress_bar

        self._progress = progress_bar(transient=True)
        self._progress.start()
        self._task = self._progress.add_task(f"generating ({label})", total=total)

    def advance(self) -> None:
        self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()
