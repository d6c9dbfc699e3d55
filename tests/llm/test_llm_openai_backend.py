import time

import pytest
from pydantic import BaseModel

from civilinstruct.errors import CivilError
from civilinstruct.llm import GenerationRequest, MalformedOutputError, get_backend
from civilinstruct.llm.cache import ResponseCache
from civilinstruct.llm.openai_backend import OpenAIBackend
from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.server.runner import free_port, serve_in_thread
from llm_faults import fault_app

BUGFIX_VARS = dict(program="print(1)", error_log="err", return_code=1, error_line=1, status="error",
                   environment="py")


class Diagnosis(BaseModel):
    problem: str
    root_cause: str
    fix: str
    prevention: str
    repaired_program: str


@pytest.fixture(scope="module")
def server():
    app = fault_app()
    with serve_in_thread(app) as base:
        yield app, base.removesuffix("/v1")


def backend(url: str, **kw) -> OpenAIBackend:
    kw.setdefault("backoff_max_s", 0.05)
    return OpenAIBackend(url, "m", **kw)


def test_500_twice_then_success_is_retried(server):
    app, root = server
    b = backend(f"{root}/flaky/v1")
    assert b.chat([{"role": "user", "content": "hi"}]) == ["echo:hi"]
    assert app.state.calls["flaky"] == 3


def test_other_4xx_is_not_retried(server):
    app, root = server
    with pytest.raises(CivilError, match="HTTP 400"):
        backend(f"{root}/bad400/v1").chat([{"role": "user", "content": "hi"}])
    assert app.state.calls["bad400"] == 1


def test_hang_times_out_with_a_clear_error(server):
    _, root = server
    start = time.monotonic()
    with pytest.raises(CivilError, match=r"timed out after 0.3 s \(2 attempts\)"):
        backend(f"{root}/hang/v1", timeout_s=0.3, max_attempts=2).chat([{"role": "user", "content": "hi"}])
    assert time.monotonic() - start < 10


def test_unreachable_endpoint_is_one_line():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(CivilError) as info:
        backend(url, max_attempts=2).chat([{"role": "user", "content": "hi"}])
    assert "cannot reach" in str(info.value) and "\n" not in str(info.value)


def test_malformed_json_is_dropped_with_a_reason_and_counted(server):
    _, root = server
    b = backend(f"{root}/malformed/v1")
    with pytest.raises(MalformedOutputError) as info:
        b.generate("bugfix", BUGFIX_VARS, json_schema=Diagnosis)
    assert info.value.reason == "malformed_json"
    good = backend(f"{root}/json/v1")
    results = good.generate_many([GenerationRequest(template="bugfix", variables=BUGFIX_VARS, json_schema=Diagnosis)])
    results += b.generate_many([GenerationRequest(template="bugfix", variables=BUGFIX_VARS, json_schema=Diagnosis)] * 3)
    assert [r.error for r in results] == [None, "malformed_json", "malformed_json", "malformed_json"]
    assert results[0].parsed.repaired_program == "print(1)"
    assert results[0].usage == {"prompt_tokens": 11, "completion_tokens": 7}
    assert results[0].generator == "openai/m" and len(results[0].prompt_hash) == 64


def test_cache_makes_a_rerun_free(server, tmp_path):
    app, root = server
    cache = ResponseCache(tmp_path / "cache.duckdb")
    b = backend(f"{root}/echo/v1", cache=cache)
    before = app.state.calls["echo"]
    first = b.generate("bugfix", BUGFIX_VARS)
    again = b.generate("bugfix", BUGFIX_VARS)
    assert app.state.calls["echo"] == before + 1
    assert again.cached and not first.cached and again.text == first.text and again.usage == first.usage
    b.chat([{"role": "user", "content": "x"}], n=2, temperature=0.5)  # other params: another key
    assert app.state.calls["echo"] == before + 2 and len(cache) == 2


@pytest.mark.slow
def test_concurrent_requests_are_not_serialized(server):
    app, root = server
    b = backend(f"{root}/slow/v1", concurrency=8)
    requests = [GenerationRequest(template="bugfix", variables={**BUGFIX_VARS, "program": f"p{i}"})
                for i in range(8)]

    def max_in_flight(concurrency: int) -> int:
        app.state.max_in_flight = 0
        results = b.generate_many(requests, concurrency=concurrency)
        assert all(f"p{i}" in r.text for i, r in enumerate(results))  # in input order
        return app.state.max_in_flight

    assert max_in_flight(1) == 1
    assert max_in_flight(8) >= 4  # the server held several 0.2 s requests at once: the client does not serialize


def test_get_backend_reads_options_and_key_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("MY_KEY", "sk-test-secret")
    opts = BuildOptions(backend="openai", base_url="http://127.0.0.1:1/v1", model="m",
                        extra={"api_key_env": "MY_KEY", "llm_cache": str(tmp_path / "c.duckdb"), "concurrency": 3})
    b = get_backend(opts)
    assert b.name == "openai/m" and b.concurrency == 3 and b.api_key_env == "MY_KEY"
    assert "sk-test-secret" not in repr(vars(b))
    with pytest.raises(CivilError, match="base-url"):
        get_backend(BuildOptions(backend="openai"))
