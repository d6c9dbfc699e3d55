"""Run the app on loopback in a background thread: for tests, benchmarks and `serve --background` uses."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from civilinstruct.errors import CivilError
from civilinstruct.server.limits import ServerLimits, uvicorn_settings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    """uvicorn settings for an app from `create_app`: its slow-client and connection limits applied."""
    limits = getattr(app.state, "limits", None) or ServerLimits()
    return uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", **uvicorn_settings(limits))


def check_bindable(host: str, port: int) -> None:
    """Fail with one line, before uvicorn starts, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CivilError(f"cannot serve on host {host!r}: {exc}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise CivilError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


@contextmanager
def serve_in_thread(app: FastAPI, host: str = "127.0.0.1", port: int | None = None,
                    startup_timeout_s: float = 30.0) -> Iterator[str]:
    """Start uvicorn in a thread, yield the base URL (`http://host:port/v1`), stop it on exit.

    The connection limits are the app's own (`app.state.limits`), as under `civilinstruct serve`.
    """
    port = port or free_port(host)
    server = uvicorn.Server(server_config(app, host, port))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"server on {host}:{port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}/v1"
    finally:
        server.should_exit = True
        server.force_exit = True  # do not wait for hanging requests (the fault tests leave one open)
        thread.join(timeout=10)
