"""Fuzz `serve` with hypothesis: whatever the body, the answer is a 200 completion or a JSON 4xx in OpenAI's
error format, never a 500 or a traceback. Bounded (example count, no per-example deadline, no example database)
so it runs in CI in seconds; one real uvicorn server on loopback serves every example.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civilinstruct.llm.prompts import render
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.limits import ServerLimits
from civilinstruct.server.runner import serve_in_thread

VARIABLES = {"program": "print(x)", "error_log": "NameError: name 'x' is not defined", "return_code": 1,
             "error_line": 1, "status": "error", "environment": "py", "instruction": "A 3-story frame",
             "command": "node", "signature": "node(nodeTag, *crds)", "summary": "", "arguments": [], "notes": [],
             "examples": [], "variant": 0, "scenario": "a frame", "units": "kN-m"}
BUILDINGS = ["A 3-story RC frame, 2 bays in X of 6 m, 2 bays in Y of 6 m, 0.10g, site class II.",
             "Model a 5-story office frame, story height 3.6 m, intensity 8 (0.20g).",
             "一栋 4 层钢筋混凝土框架, 层高 3.3 m", "A 200-story tower", "A 0-story frame", "A -3-story frame"]
SYSTEMS = ["", "You rewrite requests for structural-analysis code.",
           *(render(name, VARIABLES)[1][0]["content"] for name in ("bugfix", "doc_pairs", "rewrite", "codegen"))]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=12)
USERS = [render(name, VARIABLES)[1][-1]["content"] for name in ("bugfix", "doc_pairs", "rewrite", "codegen")]
prompts = st.sampled_from(USERS).flatmap(  # a real prompt with a random cut or insertion somewhere
    lambda text: st.tuples(st.integers(0, len(text)), st.integers(0, len(text)), st.text(max_size=30)).map(
        lambda t: text[:min(t[0], t[1])] + t[2] + text[max(t[0], t[1]):]))
texts = st.one_of(st.sampled_from(BUILDINGS), st.text(max_size=200), st.sampled_from(SYSTEMS), prompts)
parts = st.lists(st.one_of(st.fixed_dictionaries({"type": st.just("text"), "text": texts}),
                           st.dictionaries(st.sampled_from(["type", "text", "image_url"]), json_values, max_size=3),
                           json_values), max_size=3)
prompt_pairs = st.tuples(st.sampled_from(SYSTEMS), st.one_of(prompts, st.sampled_from(USERS), texts)).map(
    lambda p: [{"role": "system", "content": p[0]}, {"role": "user", "content": p[1]}])
messages = st.one_of(prompt_pairs, st.lists(st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "assistant", "tool", "developer", "bot", ""]),
                           "content": st.one_of(texts, parts, st.none(), json_values)}),
    st.dictionaries(st.sampled_from(["role", "content", "name"]), json_values, max_size=3)), max_size=5))
bodies = st.one_of(
    st.fixed_dictionaries({"messages": messages}, optional={
        "model": json_values, "n": st.one_of(st.integers(-3, 3), st.just(200), json_values),
        "temperature": st.one_of(st.floats(-5, 5), json_values), "max_tokens": st.one_of(st.integers(-5, 50), json_values),
        "seed": st.one_of(st.integers(-2**70, 2**70), json_values), "stream": json_values,
        "top_p": st.floats(allow_nan=True)}),
    json_values)


@pytest.fixture(scope="module")
def base():
    limits = ServerLimits(max_body_bytes=256 * 1024, max_messages=16, body_timeout_s=5)
    with serve_in_thread(create_app(OfflineGenerator(), limits=limits)) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        yield client


def check(response: httpx.Response) -> None:
    assert response.status_code == 200 or 400 <= response.status_code < 500, (response.status_code, response.text)
    data = response.json()
    if response.status_code == 200:
        assert data["object"] == "chat.completion" and data["choices"]
    else:
        assert set(data["error"]) == {"message", "type", "param", "code"}, data
        assert "Traceback" not in data["error"]["message"]


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_json_bodies(base, body):
    check(base.post("/chat/completions", content=json.dumps(body, allow_nan=True).encode()))


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(msgs=prompt_pairs, seed=st.integers(0, 2**63), n=st.integers(1, 2), max_tokens=st.none() | st.integers(1, 400))
def test_damaged_template_prompts(base, msgs, seed, n, max_tokens):
    """Well-formed requests whose prompts are real templates, cut or spliced: the offline rules answer or refuse."""
    body = {"model": "civilinstruct-offline", "messages": msgs, "seed": seed, "n": n, "max_tokens": max_tokens}
    check(base.post("/chat/completions", json=body))


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=300))
def test_raw_bodies(base, raw):
    check(base.post("/chat/completions", content=raw))
