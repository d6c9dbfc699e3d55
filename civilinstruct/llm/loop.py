"""A private event loop in a daemon thread, so sync callers can drive async clients from any context.

`asyncio.run` per call would close the loop an async HTTP client is bound to; a long-lived loop keeps
connections pooled across calls and works even when the caller already runs a loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="civilinstruct-llm-loop", daemon=True).start()
            _loop = loop
        return _loop


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the background loop and wait for its result (exceptions propagate)."""
    return asyncio.run_coroutine_threadsafe(coro, _background_loop()).result()
