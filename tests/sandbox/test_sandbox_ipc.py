"""Issue 20: SysV IPC made by one program is gone before the next program of the same worker runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civilinstruct.sandbox import Sandbox, isolation

pytestmark = pytest.mark.skipif(not (isolation.probe().namespaces or isolation.probe().uid_drop),
                                reason="weak isolation without a uid per program shares the host's IPC namespace")

MAKE = """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shm = libc.shmget(0x5EC2E7, 4096, 0o1000 | 0o666)
assert shm >= 0, ctypes.get_errno()
addr = libc.shmat(shm, None, 0)
ctypes.memmove(addr, b"secret-of-the-first-program", 27)
sem = libc.semget(0x5EC2E8, 1, 0o1000 | 0o666)
msg = libc.msgget(0x5EC2E9, 0o1000 | 0o666)
assert sem >= 0 and msg >= 0
print("made", shm, sem, msg)
"""

LOOK = """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
found = [libc.shmget(0x5EC2E7, 0, 0o666), libc.semget(0x5EC2E8, 0, 0o666), libc.msgget(0x5EC2E9, 0, 0o666)]
listed = [len(open(f"/proc/sysvipc/{kind}").read().splitlines()) - 1 for kind in ("shm", "sem", "msg")]
print("found", found, "listed", listed)
if found[0] >= 0:
    print(ctypes.string_at(libc.shmat(found[0], None, 0), 27))
"""


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(timeout=20, workers=1, allow_weak_isolation=True) as sandbox:
        yield sandbox


def test_a_program_sees_nothing_of_the_previous_programs_sysv_ipc(box: Sandbox) -> None:
    first = box.run(MAKE)
    assert first.status == "ok" and first.stdout.startswith("made"), first.stderr
    second = box.run(LOOK)
    assert second.status == "ok", second.stderr
    assert second.stdout.strip() == "found [-1, -1, -1] listed [0, 0, 0]"


def test_batches_are_cleaned_between_every_two_programs(box: Sandbox) -> None:
    results = list(box.run_many([MAKE, LOOK, MAKE, LOOK], workers=1))
    assert [r.stdout.split()[0] for r in results] == ["made", "found", "made", "found"]
    assert all(r.stdout.strip() == "found [-1, -1, -1] listed [0, 0, 0]" for r in results[1::2])
