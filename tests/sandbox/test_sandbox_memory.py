"""Issue 20: a program's memory cap holds for its whole process tree without the cgroup (sandbox/memwatch.py), and
nothing of one program's memory is left for the next."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psutil
import pytest

from civilinstruct.sandbox import Sandbox, cgroup, isolation

CAP_MB = 256

FORK_AND_ALLOCATE = """import os, time
for i in range(6):
    if os.fork() == 0:
        block = b"x" * (100 << 20)  # each child well under its own address-space limit
        time.sleep(8)
        os._exit(0)
os.wait()
print("all six held their memory")
"""

# Grandchildren in sessions of their own, their parents gone: orphans, still the program's.
ORPHANS = """import os, time
for i in range(3):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            block = b"x" * (120 << 20)
            time.sleep(8)
        os._exit(0)
time.sleep(8)
print("the orphans held their memory")
"""

# 150 MB made once, then shared by four children that only read it: 150 MB, not 750.
SHARED_PAGES = """import os
block = b"x" * (150 << 20)
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        os._exit(0 if block[-1] == ord("x") else 1)
    kids.append(pid)
print(sum(os.waitpid(k, 0)[1] for k in kids))
"""

FILES = """import time
for i in range(8):
    open(f"file-{i}", "wb").write(b"x" * (48 << 20))
time.sleep(8)
print("the files stayed")
"""

SCRATCH_USE = "import os\nst = os.statvfs('/tmp')\nprint((st.f_blocks - st.f_bfree) * st.f_frsize)\n"


def _modes() -> list[str]:
    modes = ["weak"]
    if isolation.probe().namespaces:
        modes.append("namespaced")
    return modes


@pytest.fixture(scope="module", params=_modes())
def box(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox with no memory cgroup (as on a machine without one), bubblewrapped or weakly isolated."""
    patch = pytest.MonkeyPatch()
    patch.setattr(cgroup, "available", lambda: None)
    if request.param == "weak":
        weak = isolation.Isolation(bwrap=None, namespaces=False, uid_drop=isolation.probe().uid_drop,
                                   problems=["weak isolation forced by the test"])
        patch.setattr(isolation, "probe", lambda: weak)
    try:
        with Sandbox(timeout=20, memory_mb=CAP_MB, workers=1, allow_weak_isolation=True) as sandbox:
            assert all(z.cgroup is None for z in sandbox._zygotes)
            sandbox.mode = request.param  # type: ignore[attr-defined]
            yield sandbox
    finally:
        patch.undo()


def tree_rss(box: Sandbox) -> int:
    root = psutil.Process(box.worker_pids[0])
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])


@pytest.mark.parametrize("code", [FORK_AND_ALLOCATE, ORPHANS], ids=["children", "orphans-in-new-sessions"])
def test_a_tree_over_the_cap_is_stopped_as_oom(box: Sandbox, code: str) -> None:
    rest = tree_rss(box)
    result = box.run(code)
    assert result.status == "oom", (result.status, result.stdout, result.stderr[-300:])
    assert result.exception_type == "MemoryLimitExceeded"
    assert f"cap of {CAP_MB} MB" in (result.exception_message or "")
    assert result.wall_s < 5.0  # killed when it passed the cap, not at the time limit
    assert tree_rss(box) < rest + (32 << 20)  # nothing of it is held any more


def test_pages_shared_among_the_programs_processes_count_once(box: Sandbox) -> None:
    result = box.run(SHARED_PAGES)
    assert result.status == "ok", (result.status, result.exception_message)
    assert result.stdout.strip() == "0"


def test_files_in_the_scratch_dir_count_and_go(box: Sandbox) -> None:
    before = box.run(SCRATCH_USE)
    result = box.run(FILES)
    assert result.status == "oom", (result.status, result.stderr[-300:])
    assert "processes and files held" in (result.exception_message or "")
    assert box.run("import os\nprint(sorted(os.listdir('.')))\n").stdout.strip() == "[]"  # a fresh scratch dir
    if box.mode == "namespaced":  # type: ignore[attr-defined]  # (weakly isolated, /tmp is the host's own)
        after = box.run(SCRATCH_USE)
        assert int(after.stdout) <= int(before.stdout) + (1 << 20)


def test_the_next_program_starts_with_its_whole_cap(box: Sandbox) -> None:
    assert box.run(FORK_AND_ALLOCATE).status == "oom"
    fits = box.run("import os\nblock = b'x' * (200 << 20)\nprint(len(block) >> 20)\n")
    assert fits.status == "ok" and fits.stdout.strip() == "200", fits.stderr[-300:]


def test_the_watch_reads_a_live_tree_and_ignores_a_gone_process() -> None:
    import subprocess
    import sys

    from civilinstruct.sandbox.memwatch import proportional, resident, tree

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in tree({os.getpid()}) and resident(child.pid) > 0
        assert (proportional(child.pid) or 0) > 0
    finally:
        child.kill()
        child.wait()
    assert resident(child.pid) == 0 and proportional(child.pid) == 0
