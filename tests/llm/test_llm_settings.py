"""llm's own settings type: what `get_backend` reads, made from the pipelines' options or directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.llm import LLMSettings, OfflineBackend, get_backend
from civilinstruct.pipelines.base import BuildOptions


def test_build_options_give_their_llm_settings() -> None:
    options = BuildOptions(backend="openai", seed=5, base_url="http://127.0.0.1:1/v1", model="m",
                           extra={"concurrency": 3, "request_timeout_s": "7", "llm_cache": "off", "n_ignored": 1})
    settings = options.llm_settings()
    assert (settings.backend, settings.seed, settings.base_url, settings.model) == ("openai", 5,
                                                                                  "http://127.0.0.1:1/v1", "m")
    assert (settings.concurrency, settings.request_timeout_s, settings.llm_budget_s) == (3, 7.0, 300.0)
    assert settings.cache_path(Path("/default")) is None


def test_get_backend_takes_settings_directly() -> None:
    backend = get_backend(LLMSettings(seed=9))
    assert isinstance(backend, OfflineBackend) and backend.seed == 9
    remote = get_backend(LLMSettings(backend="openai", base_url="http://127.0.0.1:1/v1", model="m",
                                     llm_cache="off", max_attempts=2))
    assert (remote.name, remote.max_attempts, remote.cache) == ("openai/m", 2, None)


@pytest.mark.parametrize(("key", "value"), [("request_timeout_s", 0), ("llm_budget_s", "soon"),
                                            ("llm_budget_s", float("nan")), ("request_timeout_s", 1e9)])
def test_a_bad_limit_is_one_line_naming_it(key: str, value: object) -> None:
    with pytest.raises(CivilError, match=key):
        LLMSettings.from_extra("openai", extra={key: value})


def test_offline_settings_ignore_the_openai_extras() -> None:
    settings = LLMSettings.from_extra("offline", seed=2, extra={"request_timeout_s": "not checked offline"})
    assert settings == LLMSettings(seed=2)


def test_cache_path_default_off_and_explicit() -> None:
    assert LLMSettings().cache_path(Path("/d")) == Path("/d")
    assert LLMSettings(llm_cache="OFF").cache_path(Path("/d")) is None
    assert LLMSettings(llm_cache="/tmp/c.duckdb").cache_path(None) == Path("/tmp/c.duckdb")
