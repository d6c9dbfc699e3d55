"""`serve --backend offline` answers every template, so each LLM pipeline runs end to end over real HTTP.

`build PART --backend openai --base-url http://127.0.0.1:PORT/v1` with the real `openai` client against a real
uvicorn server on loopback; programs run in the real sandbox. A few samples each, to stay quick.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.runner import serve_in_thread
from civilinstruct.store import Store
GENERATOR = "openai/civilinstruct-offline"


@pytest.fixture(scope="module")
def base():
    with serve_in_thread(create_app(OfflineGenerator())) as url:
        yield url


def build(base: str, data: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["build", *args, "--backend", "openai", "--base-url", base,
                                      "--model", "civilinstruct-offline", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["parts"][0]


@pytest.mark.slow  # two builds over HTTP
def test_long_code_then_bug_cot_over_http(base, tmp_path):
    data = tmp_path / "data"
    report = build(base, data, "long_code", "--n", "2")
    assert report["written"] == 2 and not report["dropped"]
    assert not any("rewrites changed the building" in n for n in report["notes"])  # rewrites answered and kept
    store = Store(data)
    samples = list(store.iter_samples("long_code"))
    assert {s.lineage.generator for s in samples} == {GENERATOR}
    assert all(s.execution.status == "ok" for s in samples)

    report = build(base, data, "bug_cot", "--n", "2")
    assert report["written"] == 2, report
    bugs = list(store.iter_samples("bug_cot"))
    assert {s.lineage.generator for s in bugs} == {GENERATOR}
    assert all(s.lineage.prompt_template == "bugfix" for s in bugs)


def test_api_pairs_over_http(base, tmp_path, write_docs):
    docs = write_docs(tmp_path / "docs", ["src/steel01.rst", "src/node.rst"])
    report = build(base, tmp_path / "data", "api_pairs", "--docs", str(docs), "--per-command", "2")
    assert report["written"] == 4 and not report["dropped"], report
    samples = list(Store(tmp_path / "data").iter_samples("api_pairs"))
    assert {s.lineage.generator for s in samples} == {GENERATOR}
    assert {json.loads(s.spec)["command"] for s in samples} == {"uniaxialMaterial('Steel01')", "node"}
    assert all(s.execution.status == "ok" for s in samples)


def test_every_template_is_answered_not_just_codegen(base):
    """Each template's system message routes to its own handler (a codegen answer would not parse as JSON)."""
    import openai

    from civilinstruct.llm.prompts import render

    client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
    building = "A 4-story RC frame, story height 3.3 m, 3 bays in X of 6 m, 2 bays in Y of 6 m, 0.10g, site class II."
    _, rewrite = render("rewrite", {"instruction": building})
    text = client.chat.completions.create(model="m", messages=rewrite).choices[0].message.content
    assert "4" in text and "<answer>" not in text
    program = "import openseespy.opensees as ops\nops.wipe()\nops.model('basic', '-ndm', 2, '-ndf', 3)\nprint(x)\n"
    _, bugfix = render("bugfix", {"program": program, "error_log": "NameError: name 'x' is not defined",
                                  "return_code": 1, "error_line": 4, "status": "error", "environment": "py"})
    answer = json.loads(client.chat.completions.create(model="m", messages=bugfix).choices[0].message.content)
    assert set(answer) >= {"problem", "root_cause", "fix", "prevention", "repaired_program"}
    assert "line 4" in json.dumps(answer) or "print(x)" in json.dumps(answer)
