"""The FastAPI app: `/v1/models` and `/v1/chat/completions`, over any `ChatGenerator`.

Every client error is a JSON 4xx in OpenAI's error format (`{"error": {"message", "type", "param", "code"}}`):
bad JSON, a body that fails the schema, too many messages, a prompt the generator cannot answer (its
`CivilError`), unknown paths and methods. A 500 (also JSON) means a bug in the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from civilinstruct.errors import CivilError
from civilinstruct.server.limits import BODY_KEY, BodyLimit, ServerLimits, error_body
from civilinstruct.server.schemas import ChatRequest, Completion

log = logging.getLogger("civilinstruct.server")


class ChatGenerator(Protocol):
    """Turns a chat request into completions (runs in a worker thread: it may block)."""

    model_id: str

    def complete(self, request: ChatRequest) -> Completion: ...


class ClientError(Exception):
    """A request the server refuses: status, message and the offending parameter."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code


def parse_request(body: bytes, limits: ServerLimits) -> ChatRequest:
    """The request body as a `ChatRequest`, or a `ClientError` naming what is wrong."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise ClientError(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ClientError(400, f"the request body must be a JSON object, not {type(data).__name__}")
    messages = data.get("messages")
    if isinstance(messages, list) and len(messages) > limits.max_messages:
        raise ClientError(400, f"too many messages: {len(messages)} (at most {limits.max_messages})",
                          param="messages", code="too_many_messages")
    try:
        return ChatRequest.model_validate(data)
    except RecursionError:
        raise ClientError(400, "the request body is nested too deeply") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        raise ClientError(400, f"{where}: {msg}" if where else msg, param=where or None) from None


def create_app(generator: ChatGenerator, *, max_parallel: int = 64, latency_s: float = 0.0,
               limits: ServerLimits | None = None) -> FastAPI:
    """An OpenAI-compatible app. `latency_s` adds a fixed per-request delay (benchmarks use it to stand in
    for a GPU server's decode time, so that client-side concurrency can be measured on a small CPU machine).
    """
    limits = limits or ServerLimits()
    app = FastAPI(title="civilinstruct", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.generator = generator
    app.state.limits = limits
    gate = asyncio.Semaphore(max_parallel)

    @app.exception_handler(ClientError)
    async def client_error(_: Request, exc: ClientError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=error_body(exc.message, param=exc.param, code=exc.code))

    @app.exception_handler(StarletteHTTPException)  # 404, 405 and the like from the router
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        return JSONResponse(status_code=exc.status_code, headers=getattr(exc, "headers", None),
                            content=error_body(str(exc.detail), type_=kind))

    @app.exception_handler(Exception)
    async def server_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return JSONResponse(status_code=500, content=error_body(
            f"internal server error ({type(exc).__name__})", type_="server_error"))

    @app.get("/v1/models")
    async def models() -> dict:
        return {"object": "list", "data": [
            {"id": generator.model_id, "object": "model", "created": 0, "owned_by": "civilinstruct"}]}

    @app.post("/v1/chat/completions")
    async def chat_completions(http: Request) -> dict:
        body = http.scope.get(BODY_KEY)
        request = parse_request(body if body is not None else await http.body(), limits)
        if request.stream:
            raise ClientError(400, "stream=true is not supported by this server", param="stream")
        async with gate:
            if latency_s:
                await asyncio.sleep(latency_s)
            try:
                result = await asyncio.to_thread(generator.complete, request)
            except CivilError as exc:  # the prompt, not the server: e.g. text that describes no building
                raise ClientError(400, str(exc), code="unanswerable") from None
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model or generator.model_id,
            "choices": [{"index": i, "message": {"role": "assistant", "content": text},
                         "finish_reason": reason, "logprobs": None}
                        for i, (text, reason) in enumerate(zip(result.texts, result.finish_reasons))],
            "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                      "total_tokens": result.prompt_tokens + result.completion_tokens},
        }

    app.add_middleware(BodyLimit, limits=limits)
    return app
