"""Bad input: a program that tries to obtain a `verified` period without its own eigen solution never gets one."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator

import pytest

from civilinstruct.sandbox import Sandbox
from civilinstruct.sandbox.probe import KEY_BYTES, merge, read_frames
from civilinstruct.sandbox.probe_model import reaches_into_interpreter, summarise

from probe_programs import portal  # (tests/sandbox is on the path: pytest's rootdir-relative import)

LAMBDA_FOR_1S = 4 * math.pi ** 2  # T = 2 pi / sqrt(lambda) = 1.0 s
MODEL = portal("import openseespy.opensees as ops").split("lam = ops.eigen(2)")[0]


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(timeout=20, memory_mb=512, workers=1, allow_weak_isolation=True) as sandbox:
        yield sandbox


def frame(payload: dict, key: bytes) -> bytes:
    body = json.dumps(payload).encode()
    return struct.pack(">I", len(key) + len(body)) + key + body


FAKE_EIGEN = {"k": "eigen", "ok": True, "line": 3, "lambdas": [LAMBDA_FOR_1S],
              "model": {"nodes": 6, "elements": 6, "ndm": 2, "coords": [[0, 0], [0, 3]], "pairs": [[0, 1]]}}

SPOOFS = {
    "redefined in its namespace": portal("from openseespy.opensees import *", "").split("lam = eigen(2)")[0] +
    f"def eigen(n):\n    return [{LAMBDA_FOR_1S!r}] * n\nlam = eigen(2)\n",
    "deleted, then replaced": MODEL + f"del ops.eigen\nops.eigen = lambda n: [{LAMBDA_FOR_1S!r}] * n\n"
    "lam = ops.eigen(2)\n",
    "monkeypatched in both modules": MODEL + "import openseespylinux.opensees as raw\n"
    f"raw.eigen = ops.eigen = lambda *a: [{LAMBDA_FOR_1S!r}]\nlam = ops.eigen(2)\n",
    "a fake period table": MODEL + "lam = [39.4784]\nprint('Period  OpenSees  SAP2000')\nprint('1  1.0000  1.0000')\n",
    "fake probe JSON on stdout and stderr": MODEL + "import json, sys\n"
    f"msg = json.dumps({{'probe': {{'eigen_calls': 1, 'eigen_periods_s': [1.0]}}, 'reached_end': True, "
    f"'k': 'eigen', 'ok': True, 'lambdas': [{LAMBDA_FOR_1S!r}]}})\nprint(msg)\nprint(msg, file=sys.stderr)\n"
    "lam = [39.4784]\n",
    "forged frames on every fd": MODEL + "import os, json, struct\n"
    f"body = json.dumps({FAKE_EIGEN!r}).encode()\n"
    "for key in (bytes(32), b'k' * 32, os.urandom(32)):\n"
    "    for fd in range(3, 64):\n"
    "        try:\n            os.write(fd, struct.pack('>I', len(key) + len(body)) + key + body)\n"
    "        except OSError:\n            pass\nlam = [39.4784]\n",
    "closes every inherited fd": MODEL + "import os\nos.closerange(3, 1024)\nlam = [39.4784]\n",
    "the real eigen's module patched under the wrapper": MODEL + "import openseespylinux.opensees as raw\n"
    f"raw.eigen = lambda *a: [{LAMBDA_FOR_1S!r}]\nlam = ops.eigen(2)\nlam = [39.4784]\n",
    "the recorder dug out of the wrapper's closure": MODEL +
    "cells = {c.cell_contents.__name__: c.cell_contents for c in ops.eigen.__closure__\n"
    "         if callable(c.cell_contents) and hasattr(c.cell_contents, '__name__')}\n"
    f"cells['send']({{'k': 'eigen', 'ok': True, 'line': 1, 'lambdas': [{LAMBDA_FOR_1S!r}], 'model': None}})\n"
    "lam = [39.4784]\n",
}


@pytest.mark.parametrize("name", list(SPOOFS))
def test_a_spoof_never_gets_a_verified_period(box: Sandbox, name: str) -> None:
    code = SPOOFS[name] + ("" if "T1 =" in SPOOFS[name] or "table" in name else
                           "print(f'T1 = {2 * 3.141592653589793 / lam[0] ** 0.5:.4f} s')\n")
    result = box.run(code)
    assert result.printed_period_s == pytest.approx(1.0, abs=1e-3), (result.stdout, result.stderr)
    assert result.period_check in ("unverified", "mismatch"), (result.period_check, result.stderr)
    if result.model is not None and result.model.eigen_periods_s:
        assert result.model.eigen_periods_s[0] != pytest.approx(1.0, abs=1e-3)  # only the real solution is kept


def test_the_real_model_is_read_even_when_the_program_replaces_the_queries(box: Sandbox) -> None:
    code = ("import openseespy.opensees as ops\nimport openseespylinux.opensees as raw\n"
            "raw.getNodeTags = ops.getNodeTags = lambda: list(range(1, 999))\n"
            "raw.nodeCoord = ops.nodeCoord = lambda tag: [0.0, 0.0]\n" + MODEL.split("\n", 1)[1] +
            "lam = ops.eigen(1)\n")
    result = box.run(code)
    assert result.model is not None and (result.model.nodes, result.model.stories) == (6, 2)


def test_a_verified_period_from_a_program_that_introspects_is_downgraded(box: Sandbox) -> None:
    honest = portal("import openseespy.opensees as ops")
    assert box.run(honest).period_check == "verified"
    result = box.run(honest + "import inspect\n")
    assert result.period_check == "unverified" and result.model.eigen_calls == 1
    assert result.model.eigen_periods_s == [] and result.period_s == result.printed_period_s


def test_reaches_into_interpreter_reads_names_and_strings_not_comments() -> None:
    assert reaches_into_interpreter("x = 1  # inspect the ctypes of this __closure__\n") is None
    assert reaches_into_interpreter("f = getattr(g, '__closure__')\n") == "__closure__"
    assert reaches_into_interpreter("import gc\nobjs = gc.get_objects()\n") == "get_objects"
    assert reaches_into_interpreter("open('/proc/self/mem', 'rb')\n") == "/proc/"


def test_frames_with_a_wrong_key_or_order_are_dropped_and_flagged() -> None:
    key = bytes(range(KEY_BYTES))
    good = frame({"k": "eigen", "ok": True, "line": 4, "lambdas": [LAMBDA_FOR_1S], "model": None}, key)
    end = frame({"k": "end", "report": {}, "model": None}, key)
    frames, tampered = read_frames(good + end, key)
    assert [f["k"] for f in frames] == ["eigen", "end"] and not tampered
    assert merge(frames)["reached_end"] and merge(frames)["probe"]["eigen_periods_s"] == [pytest.approx(1.0)]
    forged = frame(FAKE_EIGEN, bytes(KEY_BYTES)) + frame(FAKE_EIGEN, key[:-1] + b"x")
    frames, tampered = read_frames(forged + good + end, key)
    assert tampered and [f["k"] for f in frames] == ["eigen", "end"]
    assert read_frames(good[:4] + key + b"{not json", key) == ([], True)
    frames, tampered = read_frames(good + b"\x00\x00\x01", key)  # trailing garbage
    assert tampered and len(frames) == 1
    assert not merge([])["reached_end"] and summarise(merge([])["probe"]) is None
