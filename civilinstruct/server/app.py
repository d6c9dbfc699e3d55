"""The FastAPI app: `/v1/models` and `/v1/chat/completions`, over any `ChatGenerator`."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Protocol

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from civilinstruct.server.schemas import ChatRequest, Completion


class ChatGenerator(Protocol):
    """Turns a chat request into completions (runs in a worker thread: it may block)."""

    model_id: str

    def complete(self, request: ChatRequest) -> Completion: ...


def create_app(generator: ChatGenerator, *, max_parallel: int = 64, latency_s: float = 0.0) -> FastAPI:
    """An OpenAI-compatible app. `latency_s` adds a fixed per-request delay (benchmarks use it to stand in
    for a GPU server's decode time, so that client-side concurrency can be measured on a small CPU machine).
    """
    app = FastAPI(title="civilinstruct", version="1")
    app.state.generator = generator
    gate = asyncio.Semaphore(max_parallel)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # OpenAI answers 400 with an `error` object; clients map that to BadRequestError.
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(status_code=400, content={"error": {
            "message": f"{where}: {first.get('msg', 'invalid request')}", "type": "invalid_request_error",
            "param": where or None, "code": None}})

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"error": {
            "message": str(exc.detail), "type": "invalid_request_error", "param": None, "code": None}})

    @app.get("/v1/models")
    async def models() -> dict:
        return {"object": "list", "data": [
            {"id": generator.model_id, "object": "model", "created": 0, "owned_by": "civilinstruct"}]}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: ChatRequest) -> dict:
        if request.stream:
            raise HTTPException(status_code=400, detail="stream=true is not supported by this server")
        async with gate:
            if latency_s:
                await asyncio.sleep(latency_s)
            result = await asyncio.to_thread(generator.complete, request)
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

    return app
