"""A fault-injecting OpenAI-compatible app for the backend tests (a real uvicorn server on loopback)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def completion(content: str, n: int = 1) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": i, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                        for i in range(n)],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}


def fault_app() -> FastAPI:
    """Modes by path prefix: /flaky (500 twice, then ok), /hang, /bad400, /malformed, /json, /cut, /echo."""
    app = FastAPI()
    app.state.calls = Counter()
    app.state.bodies = []  # every request body, for tests of what was sent
    app.state.in_flight = 0
    app.state.max_in_flight = 0

    @app.post("/{mode}/v1/chat/completions")
    async def chat(mode: str, request: Request):
        body = await request.json()
        app.state.calls[mode] += 1
        app.state.bodies.append(body)
        if mode == "flaky" and app.state.calls[mode] <= 2:
            return JSONResponse({"error": {"message": "boom"}}, status_code=500)
        if mode == "hang":
            await asyncio.sleep(30)
        if mode == "bad400":
            return JSONResponse({"error": {"message": "bad request"}}, status_code=400)
        if mode == "malformed":
            return completion("Sure! Here is my analysis, no JSON today.")
        if mode == "json":
            payload = {"problem": "p", "root_cause": "r", "fix": "f", "prevention": "v",
                       "repaired_program": "print(1)"}
            return completion("```json\n" + json.dumps(payload) + "\n```")
        if mode == "cut":  # an answer cut at the token limit inside its program
            body = completion("<think>a frame</think>\n<answer>\n```python\nimport openseespy.opensees as ops\n"
                              "ops.wipe()\nops.model('basic', '-ndm', 2, '-ndf', 3)\nops.node(1, 0.0, 0.0)\n"
                              "ops.node(2, 0.0, 3.")
            body["choices"][0]["finish_reason"] = "length"
            return body
        if mode == "slow":  # counts how many requests the server holds at once
            app.state.in_flight += 1
            app.state.max_in_flight = max(app.state.max_in_flight, app.state.in_flight)
            try:
                await asyncio.sleep(0.2)
            finally:
                app.state.in_flight -= 1
        last = body["messages"][-1]["content"]
        return completion(f"echo:{last}", n=body.get("n", 1))

    return app
