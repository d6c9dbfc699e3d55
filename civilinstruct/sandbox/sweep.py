"""Inside the sandbox: after every program, nothing of it may stay: its processes, and its SysV IPC objects.

Standard library only (the zygote loads it from its own directory). Processes: whatever a program left is the
supervisor's descendant, and when its first process is gone, the roots of what is left are the supervisor's children
(it is their subreaper): so the usual case, nothing left, costs one read of its list of children. Otherwise
everything with the program's uid is killed (from a helper with that uid: the forkers run as root and are spared),
or without a uid, every descendant but the forkers.

SysV IPC (shared memory, semaphores, message queues) outlives the processes that made it: a segment made with
shmget by one program would be there for the next program of the same zygote. The zygote has its own IPC namespace
(bubblewrap's --unshare-ipc), so after each run every object in it goes (as the program's uid: only an owner or
CAP_SYS_ADMIN may remove one). Weakly isolated, with a uid per program, the objects of that uid made during the run
go; without either, the host's IPC namespace is shared and nothing is touched (one of weak isolation's gaps).
"""

from __future__ import annotations

import os
import signal
import time

IPC_KINDS = ("shm", "sem", "msg")
_IPC_RMID = 0


class ForkerDied(RuntimeError):
    """The forker is gone: the supervisor exits and the host starts a new zygote."""


def sweep(uid: int | None, forker_pids: set[int]) -> None:
    """Kill and reap everything the program left (daemons, fork bombs, SIGTERM-ignorers)."""
    for _ in range(1000):
        reap(forker_pids)
        if not children() - forker_pids:
            return
        if uid is not None:
            kill_uid(uid)
        else:
            kill_descendants(forker_pids)
        time.sleep(0.001)  # (SIGKILLed processes die asynchronously; the next round reaps them)


def reap(forker_pids: set[int]) -> None:
    while True:
        try:
            child, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if child == 0:
            return
        if child in forker_pids:
            raise ForkerDied("a forker died")


def children() -> set[int]:
    """Our children (alive or not yet reaped), from the kernel's list; a /proc walk where it has none."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children", "rb") as fh:
            return {int(pid) for pid in fh.read().split()}
    except OSError:
        return {pid for pid, ppid in parents().items() if ppid == me}


def as_uid(uid: int, action: object) -> None:
    """Run `action()` in a helper process with the program's uid (so that only what is the program's is touched)."""
    helper = os.fork()
    if helper == 0:
        code = 0
        try:
            os.setgid(uid)
            os.setuid(uid)
            action()  # type: ignore[operator]
        except BaseException:
            code = 1
        os._exit(code)
    os.waitpid(helper, 0)


def kill_uid(uid: int) -> None:
    """kill(-1) as the program's uid: every process of that uid, nothing else."""
    def kill_all() -> None:
        try:
            for _ in range(1000):
                os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass

    as_uid(uid, kill_all)


def kill_descendants(forker_pids: set[int]) -> None:
    for pid in descendants(os.getpid()):
        if pid not in forker_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def parents() -> dict[int, int]:
    """pid -> parent pid of every live process we can see."""
    found: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if fields[0] != b"Z":
            found[int(name)] = int(fields[1])
    return found


def descendants(root: int) -> list[int]:
    tree = parents()
    found, frontier = [], {root}
    while frontier:
        nxt = {pid for pid, ppid in tree.items() if ppid in frontier}
        found.extend(nxt)
        frontier = nxt
    return found


# ---------------------------------------------------------------------------------------------------- SysV IPC
def ipc_objects() -> list[tuple[str, int, int]]:
    """(kind, id, creator uid) of every SysV IPC object in our IPC namespace, from /proc/sysvipc."""
    found = []
    for kind in IPC_KINDS:
        try:
            with open(f"/proc/sysvipc/{kind}", "rb") as fh:
                lines = fh.read().split(b"\n")
        except OSError:
            continue
        header = lines[0].split()
        if len(lines) < 2 or b"cuid" not in header:
            continue
        cuid = header.index(b"cuid")
        for line in lines[1:]:
            cols = line.split()
            if len(cols) > cuid:
                found.append((kind, int(cols[1]), int(cols[cuid])))
    return found


def ipc_snapshot(own_ipc: bool) -> frozenset[tuple[str, int]]:
    """What exists before a run (weak isolation only: in our own namespace nothing that exists is someone else's)."""
    return frozenset() if own_ipc else frozenset((kind, ident) for kind, ident, _ in ipc_objects())


def clean_ipc(uid: int | None, own_ipc: bool, before: frozenset[tuple[str, int]]) -> None:
    """Remove the SysV IPC objects the program made (cheap when there are none: three small /proc reads)."""
    if not own_ipc and uid is None:
        return
    objects = [(kind, ident) for kind, ident, cuid in ipc_objects()
               if (kind, ident) not in before and (uid is None or cuid == uid)]
    if not objects:
        return
    if uid is None or os.geteuid() == uid:
        remove_ipc(objects)
    else:
        as_uid(uid, lambda: remove_ipc(objects))


def remove_ipc(objects: list[tuple[str, int]]) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for kind, ident in objects:
        if kind == "shm":
            libc.shmctl(ctypes.c_int(ident), ctypes.c_int(_IPC_RMID), ctypes.c_void_p(None))
        elif kind == "sem":
            libc.semctl(ctypes.c_int(ident), ctypes.c_int(0), ctypes.c_int(_IPC_RMID))
        else:
            libc.msgctl(ctypes.c_int(ident), ctypes.c_int(_IPC_RMID), ctypes.c_void_p(None))
