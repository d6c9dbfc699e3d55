"""Every client error `serve` can meet is a JSON 4xx in OpenAI's error format, never a 500 or plain text.

A real uvicorn server on loopback (the same protocol and limits as `civilinstruct serve`), real sockets for the
slow clients, and the real `openai` client, which must map each answer to its error class.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import openai
import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app as cli_app
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.limits import ServerLimits
from civilinstruct.server.runner import serve_in_thread

BUILDING = ("A {n}-story RC frame office building, story height 3.3 m, 3 bays in X of 6 m and 2 bays in Y of 6 m, "
            "intensity 7 (0.10g), design group 1, site class II.")
LIMITS = ServerLimits(max_body_bytes=1024 * 1024, max_messages=64, body_timeout_s=1.0, header_timeout_s=1.0)

BAD_BODIES = {
    "no content": {"messages": [{"role": "user"}]},
    "part without type": {"messages": [{"role": "user", "content": [{"text": "a 3-story frame"}]}]},
    "text part without text": {"messages": [{"role": "user", "content": [{"type": "text"}]}]},
    "not a building": {"messages": [{"role": "user", "content": "Tell me a joke about bridges."}]},
    "system only": {"messages": [{"role": "system", "content": "You are helpful."}]},
    "200 stories": {"messages": [{"role": "user", "content": BUILDING.format(n=200)}]},
    "20,000 messages": {"messages": [{"role": "user", "content": "3-story"}] * 20_000},
    "unknown role": {"messages": [{"role": "wizard", "content": "x"}]},
    "no messages": {"model": "m"},
    "n too large": {"messages": [{"role": "user", "content": BUILDING.format(n=3)}], "n": 10_000},
    "stream": {"messages": [{"role": "user", "content": BUILDING.format(n=3)}], "stream": True},
    "not an object": [1, 2, 3],
    "bug-fix prompt without a program": {"messages": [
        {"role": "system", "content": "You are an expert in OpenSeesPy structural analysis and Python debugging. "
         "You diagnose failed runs of OpenSeesPy programs precisely: you read the error log, locate the faulty line, "
         "explain the root cause in terms of OpenSees internals (domain, DOFs, constraint handlers, numberers, "
         "solvers, eigen analysis, units), and return a complete repaired program that runs and satisfies the "
         "engineering checks it performs."},
        {"role": "user", "content": "it broke"}]},
}


@pytest.fixture(scope="module")
def base():
    with serve_in_thread(create_app(OfflineGenerator(), limits=LIMITS)) as url:
        yield url


def assert_openai_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"] and "Traceback" not in error["message"]
    return error


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_bodies_are_openai_4xx(base, case):
    response = httpx.post(f"{base}/chat/completions", json=BAD_BODIES[case], timeout=30)
    assert_openai_error(response, 400)


def test_the_openai_client_sees_a_bad_request_with_the_message(base):
    client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": BUILDING.format(n=200)}])
    assert "exceeds" in info.value.message and info.value.body["type"] == "invalid_request_error"


def test_bodies_that_are_not_json(base):
    for body in (b"{not json", b"\xff\xfe\x00", b"[" * 100_000, b""):
        assert_openai_error(httpx.post(f"{base}/chat/completions", content=body, timeout=30), 400)


def test_a_50_mb_body_is_refused_by_size(base):
    big = json.dumps({"messages": [{"role": "user", "content": "x" * (50 * 1024 * 1024)}]}).encode()
    try:
        response = httpx.post(f"{base}/chat/completions", content=big, timeout=30)
    except httpx.WriteError:  # the server may answer and close before the whole upload is sent
        return
    error = assert_openai_error(response, 413)
    assert error["code"] == "request_too_large"


def test_a_chunked_body_over_the_limit_is_refused(base):
    def chunks():
        for _ in range(40):
            yield b" " * 65536

    error = assert_openai_error(httpx.post(f"{base}/chat/completions", content=chunks(), timeout=30), 413)
    assert "larger than 1048576 bytes" in error["message"]


def test_unknown_paths_and_methods_are_openai_errors(base):
    root = base.removesuffix("/v1")
    assert assert_openai_error(httpx.get(f"{root}/no/such/path"), 404)["type"] == "not_found_error"
    assert_openai_error(httpx.get(f"{base}/chat/completions"), 405)
    assert_openai_error(httpx.delete(f"{base}/models"), 405)


def _raw(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").removesuffix("/v1").split(":")
    return socket.create_connection((host, int(port)), timeout=60)


def test_a_client_that_never_finishes_its_headers_is_disconnected(base):
    with _raw(base) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server, not by our 60 s socket timeout
        assert time.monotonic() - start < 30


def test_a_client_that_never_finishes_its_body_gets_408(base):
    with _raw(base) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"messages\": [")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert json.loads(body)["error"]["code"] == "request_timeout"


def test_a_good_request_still_works_after_all_that(base):
    client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
    reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": BUILDING.format(n=3)}])
    assert "ops.eigen" in reply.choices[0].message.content or "eigen" in reply.choices[0].message.content


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_port_is_validated_in_one_line(port):
    result = CliRunner().invoke(cli_app, ["serve", "--port", port])
    assert result.exit_code == 2
    assert "--port" in result.output and "Traceback" not in result.output


def test_serve_on_a_busy_port_is_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(busy.getsockname()[1])])
    assert result.exit_code == 1
    assert "cannot serve on 127.0.0.1" in result.output and len(result.output.strip().splitlines()) == 1
