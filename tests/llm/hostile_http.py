"""A deliberately broken OpenAI-compatible endpoint on loopback: a real socket server, modes by URL prefix.

Every handler is bounded (a hang waits at most `HANG_S` or until the server stops), so no test can leave a
thread behind. `calls[mode]` and `times[mode]` record what the client did.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_S = 120.0
GOOD = {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}

# mode -> (content type, body) of a 200 that is not a usable completion
MALFORMED = {
    "html": ("text/html", b"<html><body>Bad gateway, try later</body></html>"),
    "nonjson": ("application/json", b"this is not json"),
    "truncated": ("application/json", json.dumps(GOOD).encode()[:40]),
    "empty": ("application/json", json.dumps({**GOOD, "choices": []}).encode()),
    "hello": ("application/json", b'{"hello": "world"}'),
    "nocontent": ("application/json", json.dumps({**GOOD, "choices": [
        {"index": 0, "message": {"role": "assistant"}, "finish_reason": "stop"}]}).encode()),
    "list": ("application/json", b"[1, 2, 3]"),
}


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: Counter[str] = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.stopping = threading.Event()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.do_POST()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        mode = self.path.strip("/").split("/")[0]
        srv = self.server
        srv.calls[mode] += 1
        srv.times[mode].append(time.monotonic())
        n = srv.calls[mode]
        if mode in MALFORMED:
            ctype, body = MALFORMED[mode]
            self._send(200, body, ctype)
        elif mode.startswith("once-") and n == 1:  # one malformed reply, then a good one
            ctype, body = MALFORMED[mode.removeprefix("once-")]
            self._send(200, body, ctype)
        elif mode == "retryafter" and n == 1:
            self._send(429, b'{"error": {"message": "slow down"}}', retry_after="1")
        elif mode == "retryafter-huge" and n == 1:
            self._send(503, b'{"error": {"message": "busy"}}', retry_after="100000")
        elif mode == "hang":  # accept, read, never answer
            srv.stopping.wait(HANG_S)
        elif mode == "trickle":  # headers at once, then one byte at a time: a read timeout never fires
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            deadline = time.monotonic() + HANG_S
            while not srv.stopping.is_set() and time.monotonic() < deadline:
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                srv.stopping.wait(0.1)
        elif mode == "forbidden":
            self._send(403, b"<html>forbidden</html>", "text/html")
        else:
            self._send(200, json.dumps(GOOD).encode())


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    srv = HostileServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.stopping.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
