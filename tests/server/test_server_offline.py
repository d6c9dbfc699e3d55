import os
import subprocess
import sys
import time

import httpx
import openai
import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app as cli_app
from civilinstruct.llm import offline
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.runner import free_port, serve_in_thread


def fake_codegen(instruction_text: str, seed: int) -> str:
    """A registered handler whose answer the test can predict exactly (the real one is tested below)."""
    return f"<think>seed {seed}</think><answer>```python\nprint({len(instruction_text)})\n```</answer> pad pad pad"


@pytest.fixture
def handler(monkeypatch):
    monkeypatch.setitem(offline.OFFLINE_HANDLERS, "codegen", "test_server_offline:fake_codegen")


def test_openai_client_against_offline_server(handler):
    with serve_in_thread(create_app(OfflineGenerator(seed=5))) as base:
        client = openai.OpenAI(base_url=base, api_key="unused")
        assert [m.id for m in client.models.list().data] == ["civilinstruct-offline"]
        resp = client.chat.completions.create(model="civilinstruct-offline", n=3, temperature=0.8,
                                              messages=[{"role": "user", "content": "five stories"}])
        texts = [c.message.content for c in resp.choices]
        assert texts == [fake_codegen("five stories", s) for s in (5, 6, 7)]
        assert resp.usage.prompt_tokens == 2 and resp.usage.completion_tokens == sum(len(t.split()) for t in texts)
        short = client.chat.completions.create(model="x", max_tokens=2,
                                               messages=[{"role": "user", "content": "five stories"}])
        assert short.choices[0].finish_reason == "length" and len(short.choices[0].message.content.split()) == 2
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model="x", messages=[])
        with pytest.raises(openai.BadRequestError, match="stream"):
            client.chat.completions.create(model="x", stream=True, messages=[{"role": "user", "content": "a"}])


def test_offline_chat_uses_real_codegen():
    from civilinstruct.server.schemas import ChatRequest

    gen = OfflineGenerator()
    out = gen.complete(ChatRequest(messages=[{"role": "user", "content": "Model a 3-story office RC frame."}]))
    assert "<answer>" in out.texts[0] and "openseespy" in out.texts[0]


def test_serve_command_runs_a_real_server(handler):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.path.dirname(__file__)}
    code = ("import civilinstruct.llm.offline as o; o.OFFLINE_HANDLERS['codegen']='test_server_offline:fake_codegen';"
            "from civilinstruct.cli.app import main; import sys; sys.argv=['civilinstruct','serve','--port',"
            f"'{port}']; main()")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions",
                               json={"messages": [{"role": "user", "content": "abc"}]}, timeout=5)
                break
            except httpx.ConnectError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.status_code == 200
        assert r.json()["choices"][0]["message"]["content"] == fake_codegen("abc", 0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_hf_without_model_is_one_line():
    result = CliRunner().invoke(cli_app, ["serve", "--backend", "hf", "--model", "/no/such/model"])
    assert result.exit_code == 1
    assert "no Hugging Face model at /no/such/model" in result.output
    result = CliRunner().invoke(cli_app, ["serve", "--backend", "hf"])
    assert result.exit_code == 1 and "--model" in result.output
