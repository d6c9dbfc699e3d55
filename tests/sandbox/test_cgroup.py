"""sandbox.cgroup: a memory cgroup per worker caps the sum of a process tree. On a machine where a memory cgroup
can be made, a real child allocating past the cap is OOM-killed and counted; elsewhere making one is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from civilinstruct.sandbox import cgroup

LIMIT = 64 << 20
# waits for a line, then writes 256 MiB (bytes are touched, unlike a zeroed bytearray's untouched pages)
_HOG = "import sys; sys.stdin.readline(); block = b'x' * (256 << 20); print(len(block))"


def test_a_child_over_the_cap_is_oom_killed_and_counted() -> None:
    """Guards the cap and the count doctor and the sandbox read: 256 MiB in a 64 MiB cgroup is killed by the
    kernel (SIGKILL), `oom_kills` sees it, and `remove` leaves no directory behind."""
    if cgroup.available() is None:
        with pytest.raises(OSError, match="no writable memory cgroup"):
            cgroup.MemoryCgroup("test", LIMIT)
        return
    group = cgroup.MemoryCgroup(f"test{os.getpid()}", LIMIT)
    assert group.path.name.startswith(f"civilinstruct-{os.getpid()}-")
    limit_file = "memory.limit_in_bytes" if group.version == "v1" else "memory.max"
    assert int((group.path / limit_file).read_text()) == LIMIT
    child = subprocess.Popen([sys.executable, "-c", _HOG], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        group.add(child.pid)
        out, _ = child.communicate("go\n", timeout=60)
        assert child.returncode == -signal.SIGKILL, out
        assert group.oom_kills() >= 1
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        group.remove()
    assert not group.path.exists()

