"""`Sandbox`: results in order, a fresh OpenSees state and scratch dir per program, error lines, worker restarts."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import psutil
import pytest

from civilinstruct.errors import CivilError
from civilinstruct.sandbox import Sandbox, isolation, pool

full = isolation.probe().full
needs_full = pytest.mark.skipif(not full, reason=f"full isolation unavailable: {isolation.probe().describe_missing()}")


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(timeout=20.0, memory_mb=512, workers=2, allow_weak_isolation=not full) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def one() -> Iterator[Sandbox]:
    """One worker: consecutive programs surely run in the same zygote."""
    with Sandbox(timeout=20.0, memory_mb=512, workers=1, allow_weak_isolation=not full) as sandbox:
        yield sandbox


def test_run_many_yields_in_order_across_workers(box: Sandbox) -> None:
    codes = [f"import time\ntime.sleep({0.05 * (i % 3)})\nprint({i})\n" for i in range(12)]
    results = list(box.run_many(codes, workers=2, progress=True))
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(12)]
    assert all(r.status == "ok" for r in results)
    assert len(box.worker_pids) == 2


def test_each_program_gets_a_fresh_opensees_state_and_interpreter(one: Sandbox) -> None:
    first = ("import numpy, openseespy.opensees as ops\nops.model('basic', '-ndm', 2, '-ndf', 3)\n"
             "ops.node(1, 0.0, 0.0)\nops.node(2, 0.0, 3.0)\nnumpy.pi = 3\nprint(ops.getNodeTags())\n")
    second = ("import numpy, openseespy.opensees as ops\nprint(ops.getNodeTags(), numpy.pi > 3.1)\n"
              "ops.model('basic', '-ndm', 2, '-ndf', 3)\nops.node(1, 0.0, 0.0)\nprint(ops.getNodeTags())\n")
    a, b = list(one.run_many([first, second]))
    assert a.stdout == "[1, 2]\n"
    assert b.stdout == "[] True\n[1]\n", b.stderr


def test_scratch_dir_is_private_and_removed(one: Sandbox) -> None:
    write = "import os\nopen('left.txt', 'w').write('x')\nprint(os.getcwd(), sorted(os.listdir('.')))\n"
    look = "import os\nprint(os.getcwd(), sorted(os.listdir('.')), os.listdir('/tmp'))\n"
    a, b = list(one.run_many([write, look]))
    # (the same path each run, one run at a time per worker; what matters is that the next run finds it empty)
    assert a.stdout.split()[0] == b.stdout.split()[0] != "/tmp"
    assert "['left.txt']" in a.stdout
    assert "[] " in b.stdout and "left.txt" not in b.stdout


@pytest.mark.parametrize(("code", "etype", "line"), [
    ("x = 1\ny = 2\nprint('unterminated)\nz = 3\n", "SyntaxError", 3),
    ("def f(a):\n    return a / 0\n\n\nprint(f(1))\n", "ZeroDivisionError", 2),
    ("import openseespy.opensees as ops\nops.wipe()\nops.model('basic', '-ndm', 2, '-ndf', 3)\n"
     "ops.node(1, 0.0, 0.0)\nops.geomTransf('Linear', 1)\n"
     "ops.element('elasticBeamColumn', 1, 1, 2, 0.1, 3e10, 1e-3, 1)\n", "OpenSeesError", 6),
    ("import json\nimport nonexistent_module_xyz\n", "ModuleNotFoundError", 2),
    ("values = [1, 2]\n" * 3 + "values[5]\n", "IndexError", 4),
])
def test_error_line_is_the_innermost_line_of_the_program(box: Sandbox, code: str, etype: str, line: int) -> None:
    result = box.run(code)
    assert result.status == "error"
    assert result.exception_type == etype
    assert result.error_line == line
    assert result.total_lines == len(code.splitlines())
    assert 'File "<program>"' in result.stderr
    assert "zygote" not in result.stderr  # the traceback starts in the program, as if run as a script


def test_stdout_and_stderr_are_separate(box: Sandbox) -> None:
    result = box.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nprint('T1 = 0.8 s')\n")
    assert (result.stdout, result.stderr) == ("out\nT1 = 0.8 s\n", "err\n")
    assert result.period_s == 0.8 and result.status == "ok" and result.exit_code == 0


def test_a_worker_killed_mid_run_gives_a_crashed_result_and_is_restarted() -> None:
    with Sandbox(timeout=20.0, workers=1, allow_weak_isolation=not full) as sandbox:
        victim = sandbox.worker_pids[0]
        timer = threading.Timer(0.5, os.kill, (victim, signal.SIGKILL))
        timer.start()
        result = sandbox.run("import time\ntime.sleep(10)\n")
        timer.join()
        assert result.status == "crashed"
        assert result.exception_type == "SandboxWorkerDied"
        assert not psutil.pid_exists(victim) or psutil.Process(victim).status() == psutil.STATUS_ZOMBIE
        uids = set(sandbox.uids)
        assert not [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real in uids]
        again = sandbox.run("print('back')\n")
        assert again.stdout == "back\n" and sandbox.worker_pids[0] != victim


def _weak(namespaces: bool = False) -> isolation.Isolation:
    readable = all(isolation._others_can_read(root) for root in isolation.python_roots())
    return isolation.Isolation(bwrap=None, namespaces=namespaces, uid_drop=os.geteuid() == 0 and readable,
                               problems=["bubblewrap (bwrap) is not installed: test"])


def test_refuses_without_full_isolation_and_names_what_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation, "probe", _weak)
    with pytest.raises(CivilError, match="bubblewrap .* not installed.*--allow-weak-isolation"):
        Sandbox(timeout=5.0)


def test_weak_isolation_runs_says_so_and_still_cleans_up(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(isolation, "probe", _weak)
    monkeypatch.setattr(pool, "_warned_weak", False)
    daemon = ("import os, time\nr, w = os.pipe()\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              "        os.write(w, b'1')\n        time.sleep(600)\n    os._exit(0)\nos.read(r, 1)\n"
              "print(os.environ.get('CIVIL_TEST_SECRET'))\n")
    monkeypatch.setenv("CIVIL_TEST_SECRET", "leak")
    with Sandbox(timeout=5.0, workers=1, allow_weak_isolation=True) as sandbox:
        assert sandbox.weak
        result = sandbox.run(daemon)
        assert result.status == "ok" and result.stdout == "None\n"
        root = psutil.Process(sandbox.worker_pids[0])
        forkers = root.children(recursive=True)  # (weakly isolated, the worker is the supervisor: its forkers)
        assert len(forkers) == sandbox.resident_processes[root.pid] == 2
        assert all(p.cmdline() == root.cmdline() for p in forkers)
        if sandbox.uids:
            assert not [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real in sandbox.uids]
    assert "WEAK ISOLATION" in capsys.readouterr().err


def _only_zygotes_left(sandbox: Sandbox) -> None:
    for pid, resident in sandbox.resident_processes.items():
        tree = psutil.Process(pid).children(recursive=True)
        assert len(tree) <= resident, [p.name() for p in tree]
    if sandbox.uids:
        assert not [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real in sandbox.uids]


PROBE = ("import os, resource, numpy\nprint(os.getuid(), os.getgid(), os.getpgrp() == os.getpid(), "
         "[resource.getrlimit(r) for r in (resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE, resource.RLIMIT_AS, "
         "resource.RLIMIT_CORE)], sorted(os.listdir('/proc/self/fd')), os.getcwd() == os.environ['HOME'])\n"
         "print(numpy.random.randint(1 << 62))\n")


def test_children_forked_ahead_get_the_same_set_up_and_nothing_stays_behind(one: Sandbox) -> None:
    alone = one.run(PROBE)
    many = list(one.run_many([PROBE] * 6))
    assert alone.status == "ok" and all(r.status == "ok" for r in many), [r.stderr for r in many]
    assert {r.stdout.splitlines()[0] for r in many} == {alone.stdout.splitlines()[0]}  # uid, rlimits, fds, cwd
    seeds = [r.stdout.splitlines()[1] for r in [alone, *many]]
    assert len(set(seeds)) == len(seeds)  # every child starts from its own numpy seed
    _only_zygotes_left(one)


def test_an_abandoned_run_many_leaves_only_the_zygotes(box: Sandbox) -> None:
    results = box.run_many(["print(1)\n"] * 10, workers=2)
    assert next(results).stdout == "1\n"
    results.close()
    _only_zygotes_left(box)
    assert box.run("print(2)\n").stdout == "2\n"
    _only_zygotes_left(box)


def test_programs_run_warm_with_or_without_numpy_in_any_mix(one: Sandbox) -> None:
    # Programs that name numpy run where it is imported already; the others where it is not (a smaller process
    # to fork); one that reaches numpy without naming it still works. Mixed in one batch, in order.
    loaded = "import sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'num' + 'py')[:1])\n"
    uses = "import numpy as np\n" + loaded
    hidden = "import importlib\nnp = importlib.import_module('num' + 'py')\nprint(int(np.arange(4).sum()))\n"
    codes = [loaded, uses, uses, loaded, hidden, loaded, uses]
    results = list(one.run_many(codes))
    assert [r.status for r in results] == ["ok"] * len(codes), [r.stderr for r in results]
    assert [r.stdout for r in results] == ["[]\n", "['numpy']\n", "['numpy']\n", "[]\n", "6\n", "[]\n", "['numpy']\n"]
    _only_zygotes_left(one)


def test_random_state_differs_between_children(one: Sandbox) -> None:
    code = "import random\nimport numpy as np\nprint(random.random(), np.random.rand())\n"
    outputs = [r.stdout for r in one.run_many([code] * 4)]
    assert len(set(outputs)) == 4, outputs
