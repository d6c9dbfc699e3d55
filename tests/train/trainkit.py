"""Test data for the trainer: a handful of real samples written through the real store, and real programs.

The programs are genuine OpenSeesPy frames; the expert ground truth is the period their own modal analysis
prints when run here, so the reward has something true to compare against.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from civilinstruct.store import Lineage, Message, Sample, Store, make_id

FRAME = '''import openseespy.opensees as ops
ops.wipe()
ops.model("basic", "-ndm", 2, "-ndf", 3)
H = {h}
L = {span}
for i in range({stories} + 1):
    ops.node(2 * i + 1, 0.0, i * H)
    ops.node(2 * i + 2, L, i * H)
    if i > 0:
        ops.mass(2 * i + 1, {mass}, {mass}, 0.0)
        ops.mass(2 * i + 2, {mass}, {mass}, 0.0)
ops.fix(1, 1, 1, 1)
ops.fix(2, 1, 1, 1)
ops.geomTransf("Linear", 1)
E = 3.0e10
tag = 1
for i in range({stories}):
    ops.element("elasticBeamColumn", tag, 2 * i + 1, 2 * i + 3, 0.25, E, 0.0052, 1)
    ops.element("elasticBeamColumn", tag + 1, 2 * i + 2, 2 * i + 4, 0.25, E, 0.0052, 1)
    ops.element("elasticBeamColumn", tag + 2, 2 * i + 3, 2 * i + 4, 0.18, E, 0.0054, 1)
    tag += 3
lam = ops.eigen(1)
T1 = 2 * 3.141592653589793 / lam[0] ** 0.5
print(f"T1 = {{T1:.4f}} s")
print("Drift check: max drift 1/800 <= 1/550, OK, the design complies with the code")
'''


def frame_program(stories: int, h: float = 3.3, span: float = 6.0, mass: float = 40000.0) -> str:
    return FRAME.format(stories=stories, h=h, span=span, mass=mass)


def run_period(code: str) -> float:
    """The period the program prints when run by this interpreter (the same openseespy the sandbox uses)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return float(re.search(r"T1 = ([0-9.]+)", out.stdout).group(1))


def answer(code: str, thought: str) -> str:
    return f"<think>{thought}</think>\n<answer>\n```python\n{code}```\n</answer>"


def _sample(part: str, key: str, user: str, reply: str, **extra) -> Sample:
    messages = [Message(role="system", content="You write OpenSeesPy programs."),
                Message(role="user", content=user), Message(role="assistant", content=reply)]
    return Sample(id=make_id(part, key=key), part=part, messages=messages,
                  lineage=Lineage(pipeline=f"test-{part}", pipeline_version="v1", seed=0), **extra)


def build_data_dir(data: Path, *, expert_stories: tuple[int, ...] = (2, 3)) -> Path:
    """api_pairs, long_code, bug_cot (chats) and expert (chats with FE ground truth) through the real store."""
    store = Store(data)
    api = [("wipe", "ops.wipe()"), ("node", "ops.node(1, 0.0, 0.0)"), ("fix", "ops.fix(1, 1, 1, 1)"),
           ("eigen", "lam = ops.eigen(1)"), ("mass", "ops.mass(2, 1.0, 1.0, 0.0)"),
           ("geomTransf", 'ops.geomTransf("Linear", 1)')]
    with store.writer("api_pairs", "v1") as w:
        for name, call in api:
            w.add(_sample("api_pairs", name, f"Show how to call {name} in OpenSeesPy.",
                          f"```python\nimport openseespy.opensees as ops\n{call}\n```"))
    with store.writer("long_code", "v1") as w:
        for n in (1, 2, 3, 4):
            code = frame_program(n)
            w.add(_sample("long_code", f"frame{n}", f"Model a {n}-story RC frame and compute T1.",
                          answer(code, f"A {n}-story frame: nodes, masses, columns, beams, then eigen."), code=code))
    with store.writer("bug_cot", "v1") as w:
        code = frame_program(2)
        w.add(_sample("bug_cot", "typo", "Fix: NameError: name 'opss' is not defined",
                      answer(code, "The module alias is ops, not opss."), code=code))
    with store.writer("expert", "v1") as w:
        for n in expert_stories:
            code = frame_program(n)
            w.add(_sample("expert", f"expert{n}", f"Model a {n}-story RC office frame, story height 3.3 m, "
                          f"one 6 m bay, and print its fundamental period T1.", answer(code, "Frame."),
                          code=code, ground_truth=run_period(code)))
    return data


def corpus(data: Path) -> list[str]:
    """All message text of the data dir: what the test tokenizer is trained on."""
    store = Store(data)
    texts = []
    for part in ("api_pairs", "long_code", "bug_cot", "expert"):
        for sample in store.iter_samples(part):
            texts.extend(m.content for m in sample.messages)
    return texts


def weak_isolation() -> bool:
    """Let the reward sandbox run where bubblewrap cannot fully isolate (as the sandbox tests do)."""
    from civilinstruct.sandbox import isolation

    return not isolation.probe().full


def invoke_json(args: list[str]) -> dict[str, Any]:
    from typer.testing import CliRunner

    from civilinstruct.cli.app import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)
