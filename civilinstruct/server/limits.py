"""What one client may cost the server: body size, message count, and how slowly it may send.

`ServerLimits` holds the numbers; `BodyLimit` (ASGI middleware) reads each request body within the size and
time limits before any route sees it; `SlowHeadersH11` closes a connection whose request line and headers do
not arrive in time (uvicorn itself only times out idle keep-alive connections). Every refusal is a JSON error
in OpenAI's format.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import BaseModel, Field
from uvicorn.protocols.http.h11_impl import H11Protocol

BODY_KEY = "civilinstruct.body"  # where BodyLimit leaves the body it read, in the ASGI scope


class ServerLimits(BaseModel):
    """Per-request bounds; the defaults fit the prompts the pipelines send with a wide margin."""

    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    max_messages: int = Field(256, ge=1)
    body_timeout_s: float = Field(30.0, gt=0, le=3600)
    header_timeout_s: float = Field(10.0, gt=0, le=3600)
    keep_alive_s: int = Field(5, ge=1, le=3600)
    max_connections: int = Field(1024, ge=1)


def error_body(message: str, type_: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    """OpenAI's error object: clients map the status to an exception class and show `message`."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


async def send_json(send: Any, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})


class BodyLimit:
    """Read the whole body (at most `max_body_bytes`, within `body_timeout_s`) before the app runs."""

    def __init__(self, app: Any, limits: ServerLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_body_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_json(send, 413, error_body(f"the request body is larger than {limit} bytes",
                                                  code="request_too_large"))
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.limits.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        await send_json(send, 413, error_body(f"the request body is larger than {limit} bytes",
                                                              code="request_too_large"))
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await send_json(send, 408, error_body(
                f"the request body did not arrive within {self.limits.body_timeout_s:g} s", code="request_timeout"))
            return
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, BODY_KEY: body}, replay, send)


class SlowHeadersH11(H11Protocol):
    """uvicorn's h11 protocol, plus: a connection that has not sent a whole request head in time is closed."""

    header_timeout_s = 10.0

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._close_if_no_request)

    def _close_if_no_request(self) -> None:
        if self.cycle is None or self.cycle.response_complete:  # still waiting for a request head
            if not self.transport.is_closing():
                self.transport.close()


def protocol_for(limits: ServerLimits) -> type[H11Protocol]:
    """An h11 protocol class with this server's header timeout."""
    return type("SlowHeadersH11Bound", (SlowHeadersH11,), {"header_timeout_s": limits.header_timeout_s})


def uvicorn_settings(limits: ServerLimits) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.Config` that enforce `limits` at the connection level."""
    return {"http": protocol_for(limits), "timeout_keep_alive": limits.keep_alive_s,
            "limit_concurrency": limits.max_connections, "h11_max_incomplete_event_size": 64 * 1024}
