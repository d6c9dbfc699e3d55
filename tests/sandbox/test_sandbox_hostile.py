"""One hostile program of each kind: contained, reported with the right status, and nothing of it left behind."""

from __future__ import annotations

import os
import secrets
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from civilinstruct.sandbox import RunResult, Sandbox
from civilinstruct.sandbox import isolation

pytestmark = pytest.mark.skipif(not isolation.probe().full,
                                reason=f"full isolation unavailable here: {isolation.probe().describe_missing()}")

SECRET = "sk-test-" + secrets.token_hex(8)
CAP = 64 * 1024


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    saved = {k: os.environ.get(k) for k in ("OPENAI_API_KEY", "HF_TOKEN")}
    os.environ["OPENAI_API_KEY"] = SECRET
    os.environ["HF_TOKEN"] = SECRET
    try:
        with Sandbox(timeout=2.0, memory_mb=256, workers=1, max_output=CAP, max_procs=32) as sandbox:
            yield sandbox
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def leftovers(box: Sandbox) -> list[str]:
    """Processes of the programs still alive: any with a sandbox uid, or anything beyond bwrap + zygote."""
    found = []
    for proc in psutil.process_iter(["pid", "uids", "name", "status"]):
        uids = proc.info["uids"]
        if uids and uids.real in box.uids and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(f"{proc.info['pid']} {proc.info['name']}")
    for pid, resident in box.resident_processes.items():
        tree = psutil.Process(pid).children(recursive=True)  # (in creation order: the resident ones first)
        extra = [p for p in tree if p.name() not in ("bwrap", "python", "python3", "python3.11")]
        if len(tree) > resident or extra:
            found += [f"{p.pid} {p.name()} (under the worker)" for p in tree[resident:] + extra]
    return found


def run(box: Sandbox, code: str) -> RunResult:
    result = box.run(code)
    assert leftovers(box) == [], f"left running after {result.status}"
    return result


@pytest.mark.slow
def test_infinite_loop_times_out(box: Sandbox) -> None:
    result = run(box, "while True:\n    pass\n")
    assert result.status == "timeout"
    assert 2.0 <= result.wall_s < 4.0


def test_memory_bomb_is_oom(box: Sandbox) -> None:
    result = run(box, "blocks = []\nwhile True:\n    blocks.append(bytearray(20_000_000))\n")
    assert result.status == "oom"
    assert result.exception_type == "MemoryError"
    assert result.error_line == 3


@pytest.mark.slow
def test_fork_bomb_is_capped_and_swept(box: Sandbox) -> None:
    code = ("import os\ncount = 0\nwhile True:\n    try:\n        os.fork()\n        count += 1\n"
            "    except OSError:\n        pass\n")
    result = run(box, code)
    assert result.status == "timeout"


def test_no_byte_reaches_a_loopback_listener(box: Sandbox) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    try:
        code = (f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
                "s.sendall(b'stolen')\n")
        result = run(box, code)
        assert result.status == "error"
        assert result.exception_type in {"ConnectionRefusedError", "OSError", "TimeoutError"}
        assert result.error_line == 2
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


def test_write_outside_scratch_is_denied(box: Sandbox, tmp_path: Path) -> None:
    name = f"civilinstruct-escape-{secrets.token_hex(6)}"
    targets = [f"/tmp/{name}", str(tmp_path / name), f"{os.path.realpath(sys.prefix)}/{name}", f"/{name}"]
    code = ("import json\nresults = {}\n"
            f"for path in {targets!r}:\n"
            "    try:\n        open(path, 'w').write('x')\n        results[path] = 'written'\n"
            "    except OSError as exc:\n        results[path] = type(exc).__name__\n"
            "open('inside-scratch.txt', 'w').write('fine')\nprint(json.dumps(results))\n")
    result = run(box, code)
    assert result.status == "ok", result.stderr
    assert "written" not in result.stdout
    for target in targets:
        assert not os.path.exists(target)


def test_secrets_in_the_callers_environment_do_not_reach_the_program(box: Sandbox) -> None:
    code = ("import os\nprint(dict(os.environ))\n"
            "for pid in ('1', '2', 'self'):\n"
            "    try:\n        print(open(f'/proc/{pid}/environ', 'rb').read())\n"
            "    except OSError as exc:\n        print(pid, type(exc).__name__)\n")
    result = run(box, code)
    assert result.status == "ok", result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "OPENAI_API_KEY" not in result.stdout and "HF_TOKEN" not in result.stdout
    assert "1 PermissionError" in result.stdout


def test_output_flood_is_capped(box: Sandbox) -> None:
    result = run(box, "import sys\nwhile True:\n    print('x' * 10_000)\n    sys.stderr.write('y' * 1000)\n")
    assert result.status == "killed"
    assert result.stdout_truncated and result.stderr_truncated
    assert 0 < len(result.stdout.encode()) <= CAP
    assert len(result.stderr.encode()) <= CAP


@pytest.mark.slow
def test_sigterm_ignoring_loop_is_killed(box: Sandbox) -> None:
    code = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n"
    assert run(box, code).status == "timeout"


def test_daemon_that_outlives_its_parent_is_killed(box: Sandbox) -> None:
    code = ("import os, sys, time\nr, w = os.pipe()\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        print('daemon-alive', os.getpid(), flush=True)\n        os.write(w, b'1')\n"
            "        time.sleep(600)\n    os._exit(0)\n"
            "os.read(r, 1)\nprint('parent exits')\n")
    result = run(box, code)
    assert result.status == "ok", result.stderr
    assert "daemon-alive" in result.stdout and "parent exits" in result.stdout
    assert result.wall_s < 2.0


def test_segfault_is_a_crash_result(box: Sandbox) -> None:
    result = run(box, "import ctypes\nctypes.string_at(0)\n")
    assert result.status == "crashed"
    assert result.exit_code == -11
    assert box.run("print('still here')").stdout == "still here\n"


def test_sys_exit_3_is_an_error_with_its_code(box: Sandbox) -> None:
    result = run(box, "import sys\nprint('bye')\nsys.exit(3)\n")
    assert (result.status, result.exit_code, result.error_line) == ("error", 3, 3)
    assert result.stdout == "bye\n"
