"""The sandbox's wire format: 4-byte big-endian length + UTF-8 JSON, on pipes (host <-> zygote <-> child).

Standard library only: it runs inside the sandbox too, where the zygote loads it from its own directory.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

HEADER = struct.Struct(">I")
_MAX_MSG = 256 * 1024 * 1024


def write_msg(fd: int, obj: Any) -> None:
    """Send one JSON message (length-prefixed) on a pipe."""
    write_body(fd, json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_body(fd: int) -> bytes | None:
    """Receive one message's JSON body, undecoded; None at end of stream."""
    head = read_exact(fd, HEADER.size)
    if head is None:
        return None
    (size,) = HEADER.unpack(head)
    if size > _MAX_MSG:
        raise ValueError(f"message of {size} bytes is over the limit")
    return read_exact(fd, size)


def write_body(fd: int, body: bytes) -> None:
    """Send a JSON body as received (the zygote forwards a request to its child without encoding it again)."""
    view = memoryview(HEADER.pack(len(body)) + body)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_msg(fd: int) -> Any | None:
    """Receive one JSON message; None at end of stream."""
    body = read_body(fd)
    return None if body is None else json.loads(body.decode("utf-8"))
