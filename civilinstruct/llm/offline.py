"""The offline backend: deterministic, rule-based answers, so every pipeline runs with no endpoint.

It dispatches on the template name to a handler that the module owning that kind of answer registers
(`register_offline_handler`; a callable or a "module:function" path imported on first use). A handler is called as
`handler(text, seed)`, where `text` is the last user message the template renders to; a handler that
declares a `variables` parameter also gets the template variables (`handler(text, seed, variables=...)`),
which saves re-parsing its own prompt. It returns a string, a dict or a pydantic model.

Raw `chat()` answers the last user message with the "codegen" handler (a building instruction in,
a `<think>..</think><answer>```python ...```</answer>` program out), choice i with seed + i.
Token usage is a whitespace word count: there is no tokenizer offline, and the counts only need to be
comparable between offline runs.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from civilinstruct.errors import CivilError
from civilinstruct.llm.base import BackendBase
from civilinstruct.llm.parsing import parse_json_output
from civilinstruct.llm.prompts import render
from civilinstruct.llm.types import GenerationResult
from civilinstruct.parts import OFFLINE_GENERATOR

GENERATOR = OFFLINE_GENERATOR

OFFLINE_HANDLERS: dict[str, str | Callable[..., Any]] = {}
"""template name -> its handler, or a "package.module:function" path imported on first use. Empty here: llm sits
below the modules that own the answers, so they register them (the pipelines layer registers the built-in ones when
`civilinstruct.pipelines` is imported, see `pipelines/offline_answers.py`)."""


def register_offline_handler(template: str, handler: str | Callable[..., Any]) -> None:
    """Let the module that owns a kind of answer give it for `template` (a callable or "package.module:function")."""
    OFFLINE_HANDLERS[template] = handler


def resolve_handler(template: str) -> Callable[..., Any]:
    handler = OFFLINE_HANDLERS.get(template)
    if handler is None:
        raise CivilError(f"the offline backend has no handler for template {template!r}; "
                         f"known: {', '.join(sorted(OFFLINE_HANDLERS)) or 'none (import civilinstruct.pipelines)'}")
    if callable(handler):
        return handler
    module_name, _, func_name = handler.partition(":")
    return getattr(importlib.import_module(module_name), func_name)  # a registered path that fails is a bug: raise


def _words(text: str) -> int:
    return len(text.split())


def _to_text(answer: Any) -> str:
    if isinstance(answer, BaseModel):
        return answer.model_dump_json()
    if isinstance(answer, (dict, list)):
        return json.dumps(answer, ensure_ascii=False)
    return str(answer)


def _accepts_variables(func: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "variables" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def call_handler(template: str, text: str, seed: int, variables: dict[str, Any] | None = None) -> Any:
    handler = resolve_handler(template)
    if variables is not None and _accepts_variables(handler):
        return handler(text, seed, variables=variables)
    return handler(text, seed)


class OfflineBackend(BackendBase):
    """Rule-based answers; the seed comes from the variables (`seed`) or the backend's default."""

    name = GENERATOR

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def generate(self, template: str, variables: dict[str, Any], *,
                 json_schema: type[BaseModel] | None = None) -> GenerationResult:
        tmpl, messages = render(template, variables)
        user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        answer = call_handler(template, user, int(variables.get("seed", self.seed)), variables)
        text = _to_text(answer)
        result = GenerationResult(
            text=text, generator=self.name, prompt_template=template, prompt_hash=tmpl.hash,
            usage={"prompt_tokens": sum(_words(m["content"]) for m in messages), "completion_tokens": _words(text)})
        if json_schema is not None:
            result.parsed = (answer if isinstance(answer, json_schema) else parse_json_output(text, json_schema))
        return result

    async def agenerate(self, template: str, variables: dict[str, Any], *,
                        json_schema: type[BaseModel] | None = None,
                        params: dict[str, Any] | None = None) -> GenerationResult:
        # `params` (seed, temperature) are for sampling endpoints; the rules are deterministic in the variables
        return await asyncio.to_thread(self.generate, template, variables, json_schema=json_schema)

    def complete(self, messages: list[dict[str, str]], n: int = 1) -> tuple[list[str], dict[str, int]]:
        """Answer the last user message with the codegen handler, n deterministic choices."""
        user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        texts = [_to_text(call_handler("codegen", user, self.seed + i)) for i in range(n)]
        usage = {"prompt_tokens": sum(_words(str(m.get("content", ""))) for m in messages),
                 "completion_tokens": sum(_words(t) for t in texts)}
        return texts, usage

    async def _complete(self, messages: list[dict[str, str]], params: dict[str, Any],
                        ) -> tuple[list[str], dict[str, int], bool]:
        texts, usage = await asyncio.to_thread(self.complete, messages, int(params.get("n", 1)))
        return texts, usage, False

    def chat(self, messages: list[dict[str, str]], *, n: int = 1, temperature: float | None = None,
             top_p: float | None = None, max_tokens: int | None = None) -> list[str]:
        return self.complete(messages, n)[0]

    def generate_many(self, requests: list[Any], concurrency: int | None = None,
                      progress: bool = False) -> list[GenerationResult]:
        # CPU-bound rules: threads would only contend for the GIL, so answer in order.
        from civilinstruct.llm.types import MalformedOutputError

        results = []
        for request in requests:
            try:
                results.append(self.generate(request.template, request.variables, json_schema=request.json_schema))
            except MalformedOutputError as exc:
                results.append(GenerationResult(generator=self.name, prompt_template=request.template,
                                                prompt_hash=render(request.template, request.variables)[0].hash,
                                                error=exc.reason, text=str(exc)))
        return results
