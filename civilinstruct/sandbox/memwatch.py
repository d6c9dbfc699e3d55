"""Inside the sandbox: the memory cap of a program's whole process tree, held without a cgroup.

Why a watchdog: rlimits cap each process on its own (RLIMIT_AS) and the number of processes (RLIMIT_NPROC, with a
uid per program), so without the memory cgroup a program that forks N children may hold N times its cap. Making
(processes x address space) fit the cap is not workable: a child starts with its forker's address space (~200 MB
of mappings for openseespy, more with numpy) before it allocates anything. So the supervisor sums what the program
holds, while it runs (every 10-100 ms, more often the nearer
it is to the cap), and kills it (status `oom`) once the sum passes the cap:

- every process of the program (the supervisor's descendants but the forkers: it is their subreaper, so orphans
  and double-forked daemons stay in its tree, whatever process group or session they make);
- its files: namespaced, what the scratch tmpfs holds (/tmp is a tmpfs of its own there, sized to the cap); weakly
  isolated, the sizes of the files under its scratch dir (a directory on the host, perhaps on a tmpfs);
- SysV shared memory no process has attached (an attached segment is in its processes' PSS).

Cheap first: the resident sizes from /proc/<pid>/statm (world-readable) are an upper bound; only when that passes
the cap are the proportional sizes (PSS, /proc/<pid>/smaps_rollup, which needs CAP_SYS_PTRACE for another uid) read:
pages the program shares with its forker or among its own processes are then counted once. The cgroup, where
there is one, stays the hard stop; this is the bound everywhere else. Standard library only (see zygote.py).
"""

from __future__ import annotations

import os

# Checks come every MIN_INTERVAL_S while the program holds (by the cheap bound) more than half its cap, and spread
# out to MAX_INTERVAL_S while it holds less: a process faults memory in at a few GB/s per core, so the overshoot near
# the cap stays small, and a long program far below it costs ~0.1-0.2% of a core (benchmarks/memory_watch_overhead.py).
MIN_INTERVAL_S = 0.01
MAX_INTERVAL_S = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree(root_children: set[int]) -> list[int]:
    """Every descendant of the given processes (themselves included), from the kernel's lists of children."""
    found: list[int] = []
    frontier = list(root_children)
    seen: set[int] = set()
    while frontier:
        pid = frontier.pop()
        if pid in seen:
            continue
        seen.add(pid)
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:  # a child forked from another thread is listed under that thread
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                    frontier.extend(int(child) for child in fh.read().split())
            except OSError:
                pass
    return found


def resident(pid: int) -> int:
    """Resident bytes of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def proportional(pid: int) -> int | None:
    """PSS + swapped PSS of one process in bytes; 0 when it is gone; None when it may not be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            text = fh.read()
    except FileNotFoundError:
        return 0
    except ProcessLookupError:
        return 0
    except OSError:
        return None
    total = 0
    for line in text.split(b"\n"):
        if line.startswith((b"Pss:", b"SwapPss:")):
            total += int(line.split()[1]) * 1024
    return total


def unattached_shm(before: frozenset[tuple[str, int]]) -> int:
    """Resident bytes of SysV shared memory segments made during the run that no process has attached."""
    try:
        with open("/proc/sysvipc/shm", "rb") as fh:
            lines = fh.read().split(b"\n")
    except OSError:
        return 0
    header = lines[0].split()
    if b"nattch" not in header or b"rss" not in header:
        return 0
    shmid, nattch, rss = header.index(b"shmid"), header.index(b"nattch"), header.index(b"rss")
    total = 0
    for line in lines[1:]:
        cols = line.split()
        if len(cols) > rss and int(cols[nattch]) == 0 and ("shm", int(cols[shmid])) not in before:
            total += int(cols[rss])
    return total


def files_in(path: str, most: int = 20_000) -> int:
    """Bytes allocated to the files under `path` (the first `most` entries: a lower bound beyond them)."""
    total, seen, stack = 0, 0, [path]
    while stack and seen < most:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                seen += 1
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                total += st.st_blocks * 512
    return total


def tmpfs_used(path: str) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return 0
    return (st.f_blocks - st.f_bfree) * st.f_frsize


class MemoryWatch:
    """One zygote's watch: `total(...)` says what a running program holds when that may pass the cap, else None."""

    def __init__(self, scratch_root: str, scratch: str, own_tmpfs: bool, forker_pss: list[int | None]) -> None:
        self.scratch_root, self.scratch, self.own_tmpfs = scratch_root, scratch, own_tmpfs
        self.forker_pss = forker_pss  # each forker's PSS at rest (before any child): what is not the program's
        self.files_at_rest = tmpfs_used(scratch_root) if own_tmpfs else 0
        self.interval = MIN_INTERVAL_S
        self.last_bound = 0

    def begin(self) -> float:
        """A new program: the first check comes soon. Returns the seconds until it."""
        self.interval, self.last_bound = MIN_INTERVAL_S, 0
        return self.interval

    def next_interval(self, cap: int) -> float:
        """Seconds until the next check: the shortest near the cap, growing while far below it."""
        if self.last_bound * 2 > cap:
            self.interval = MIN_INTERVAL_S
        else:
            self.interval = min(MAX_INTERVAL_S, self.interval * 2)
        return self.interval

    def over(self, cap: int, program: set[int], forker_pid: int, forker_index: int,
             ipc_before: frozenset[tuple[str, int]]) -> int | None:
        """The bytes the program holds when more than `cap`, else None. `program`: the supervisor's children that
        are the program's (the first process and the orphans it left)."""
        pids = tree(program)
        extra = unattached_shm(ipc_before)
        if self.own_tmpfs:
            extra += max(0, tmpfs_used(self.scratch_root) - self.files_at_rest)
        else:  # weakly isolated the scratch dirs live on the host's file system, whatever it is: they count all the same
            extra += files_in(self.scratch)
        bound = extra + sum(resident(pid) for pid in pids)
        self.last_bound = bound
        if bound <= cap:
            return None
        exact = self._proportional(pids, forker_pid, forker_index)
        total = bound if exact is None else extra + exact
        return total if total > cap else None

    def _proportional(self, pids: list[int], forker_pid: int, forker_index: int) -> int | None:
        """The program's processes' PSS, with what its forker gave up by sharing pages with them added back."""
        rest = self.forker_pss[forker_index] if forker_index < len(self.forker_pss) else None
        now = proportional(forker_pid)
        if rest is None or now is None:
            return None
        total = now - rest
        for pid in pids:
            pss = proportional(pid)
            if pss is None:
                return None
            total += pss
        return max(0, total)
