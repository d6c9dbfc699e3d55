"""The openai backend against a hostile endpoint: malformed 200s, Retry-After, hangs, trickles and budgets."""

import time

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.llm.cache import ResponseCache, cache_key
from civilinstruct.llm.openai_backend import OpenAIBackend
from hostile_http import MALFORMED, hostile_server

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def srv():
    with hostile_server() as server:
        yield server


def backend(url: str, **kw) -> OpenAIBackend:
    kw.setdefault("backoff_max_s", 0.05)
    return OpenAIBackend(url, "m", **kw)


@pytest.mark.parametrize("mode", sorted(MALFORMED))
def test_malformed_200_is_retried_then_one_line_and_never_cached(srv, tmp_path, mode):
    cache = ResponseCache(tmp_path / "c.duckdb")
    before = srv.calls[mode]
    with pytest.raises(CivilError) as info:
        backend(f"{srv.root}/{mode}/v1", max_attempts=3, cache=cache).chat(MESSAGES)
    message = str(info.value)
    assert "gave no usable completion (3 attempts)" in message and "\n" not in message
    assert srv.calls[mode] - before == 3  # retried like a 5xx
    assert len(cache) == 0


@pytest.mark.parametrize("mode", ["empty", "nonjson", "html"])
def test_one_malformed_reply_then_a_good_one_succeeds(srv, mode):
    assert backend(f"{srv.root}/once-{mode}/v1", max_attempts=2).chat(MESSAGES) == ["fine"]


def test_a_bad_entry_already_in_the_cache_is_ignored_and_replaced(srv, tmp_path):
    cache = ResponseCache(tmp_path / "c.duckdb")
    b = backend(f"{srv.root}/good/v1", cache=cache)
    key = cache_key("m", MESSAGES, b._params(1, None, None, None))
    cache.put(key, "m", {}, [], {})  # what an older version cached for `choices: []`
    before = srv.calls["good"]
    assert b.chat(MESSAGES) == ["fine"]
    assert srv.calls["good"] == before + 1
    assert cache.get(key)[0] == ["fine"]
    assert b.chat(MESSAGES) == ["fine"] and srv.calls["good"] == before + 1  # now a real hit


def test_a_damaged_cache_entry_is_a_miss(srv, tmp_path):
    cache = ResponseCache(tmp_path / "c.duckdb")
    b = backend(f"{srv.root}/good/v1", cache=cache)
    key = cache_key("m", MESSAGES, b._params(1, None, None, None))
    cache._con.execute("INSERT INTO responses (key, model, request, choices) VALUES (?, 'm', '{}', '[\"trunc')", [key])
    assert b.chat(MESSAGES) == ["fine"] and cache.get(key)[0] == ["fine"]


def test_retry_after_is_honoured(srv):
    assert backend(f"{srv.root}/retryafter/v1", max_attempts=2).chat(MESSAGES) == ["fine"]
    first, second = srv.times["retryafter"][:2]
    assert second - first >= 0.95  # the server asked for 1 s; backoff alone would wait <= 0.05 s


def test_retry_after_is_capped(srv):
    start = time.monotonic()
    b = backend(f"{srv.root}/retryafter-huge/v1", max_attempts=2, retry_after_cap_s=0.3)
    assert b.chat(MESSAGES) == ["fine"]
    assert time.monotonic() - start < 30  # not 100000 s


def test_a_server_that_never_answers_fails_within_the_timeout(srv):
    start = time.monotonic()
    with pytest.raises(CivilError, match=r"timed out after 0.5 s \(2 attempts\)"):
        backend(f"{srv.root}/hang/v1", timeout_s=0.5, max_attempts=2).chat(MESSAGES)
    assert time.monotonic() - start < 60  # the hostile server would hold it for HANG_S (120 s)


def test_a_trickling_server_is_cut_off_by_the_request_timeout(srv):
    with pytest.raises(CivilError, match="timed out after 0.5 s"):
        backend(f"{srv.root}/trickle/v1", timeout_s=0.5, max_attempts=1).chat(MESSAGES)


@pytest.mark.slow
def test_the_budget_bounds_all_attempts_together(srv):
    start = time.monotonic()
    with pytest.raises(CivilError) as info:
        backend(f"{srv.root}/hang/v1", timeout_s=0.4, max_attempts=1000, budget_s=1.5).chat(MESSAGES)
    assert "budget" in str(info.value) and "\n" not in str(info.value)
    assert time.monotonic() - start < 60  # the hostile server would hold it for HANG_S (120 s)


def test_a_non_json_4xx_is_one_line_and_not_retried(srv):
    before = srv.calls["forbidden"]
    with pytest.raises(CivilError, match="HTTP 403"):
        backend(f"{srv.root}/forbidden/v1", max_attempts=3).chat(MESSAGES)
    assert srv.calls["forbidden"] == before + 1


@pytest.mark.slow
def test_build_flags_bound_a_hanging_endpoint(srv, tmp_path):
    from typer.testing import CliRunner

    from civilinstruct.cli.app import app

    start = time.monotonic()
    result = CliRunner().invoke(app, [
        "build", "long_code", "--n", "1", "--data", str(tmp_path / "data"), "--backend", "openai",
        "--base-url", f"{srv.root}/hang/v1", "--model", "m", "--request-timeout", "0.4", "--llm-budget", "1.2",
        "--json"])
    assert result.exit_code == 1, result.output
    line = result.output.strip()
    assert ("timed out after 0.4 s" in line or "1.2 s budget" in line) and "\n" not in line
    assert time.monotonic() - start < 120  # the default budget would be 300 s


def test_manifest_generator_limits_reach_the_backend(tmp_path):
    from civilinstruct.llm import get_backend
    from civilinstruct.release.manifest import parse_manifest
    from civilinstruct.release.runner import part_options

    data = {"generator": {"backend": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m",
                          "request_timeout_s": 7, "llm_budget_s": 30},
            "parts": {"long_code": {"n": 1, "extra": {"llm_cache": "off"}}}}
    manifest = parse_manifest(data)
    options = part_options(manifest, "long_code", manifest.parts.long_code, {"llm_budget_s": 9})
    b = get_backend(options)
    assert (b.timeout_s, b.budget_s) == (7.0, 9.0)  # the command line wins over the manifest
    for bad in ({"request_timeout_s": 0}, {"llm_budget_s": float("inf")}, {"llm_budget_s": float("nan")}):
        with pytest.raises(CivilError, match=next(iter(bad))):
            parse_manifest({**data, "generator": {**data["generator"], **bad}})


def test_default_limits_bound_a_silent_endpoint_to_minutes_not_forever():
    from civilinstruct.llm import get_backend
    from civilinstruct.pipelines.base import BuildOptions

    b = get_backend(BuildOptions(backend="openai", base_url="http://127.0.0.1:1/v1", model="m",
                                 extra={"llm_cache": "off"}))
    assert (b.timeout_s, b.budget_s) == (120.0, 300.0)
