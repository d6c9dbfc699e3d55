"""A memory cgroup per worker (the bonus protection): caps a program's whole process tree, not each process.

rlimits cap every process on its own, so 64 processes of a fork-and-allocate program could each take the cap.
A cgroup holding the zygote (its children inherit it) caps their sum. cgroup v1 (`memory` controller) and v2
(`memory` in the parent's subtree_control) are both handled; where neither is writable the sandbox runs on rlimits
and `doctor` says so.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

_ROOT = Path("/sys/fs/cgroup")


def _own_dirs() -> list[tuple[str, Path]]:
    """Candidate parent dirs: (version, path of this process's memory cgroup)."""
    found: list[tuple[str, Path]] = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        hierarchy, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            found.append(("v1", _ROOT / "memory" / path.lstrip("/")))
        elif hierarchy == "0" and controllers == "":
            for base in (_ROOT, _ROOT / "unified"):
                if (base / "cgroup.controllers").exists():
                    found.append(("v2", base / path.lstrip("/")))
                    break
    return found


@functools.lru_cache(maxsize=1)
def _usable() -> tuple[str, Path] | None:
    for version, parent in _own_dirs():
        if version == "v1" and not (parent / "memory.limit_in_bytes").exists():
            continue
        if version == "v2":
            try:
                if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
                    continue
            except OSError:
                continue
        probe = parent / f"civilinstruct-probe-{os.getpid()}"
        try:
            probe.mkdir()
            probe.rmdir()
        except OSError:
            continue
        return version, parent
    return None


def available() -> str | None:
    """Where worker cgroups would be made ("v1 /sys/fs/cgroup/memory/..."), or None."""
    found = _usable()
    return f"{found[0]} {found[1]}" if found else None


def _remove_stale(parent: Path) -> None:
    """Drop empty cgroups left by sandboxes whose process died without closing (SIGKILL, power loss)."""
    for path in parent.glob("civilinstruct-*"):
        owner = path.name.split("-")[1]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            try:
                path.rmdir()
            except OSError:
                pass


_atexit_registered = False


def _register_atexit(parent: Path) -> None:
    """At exit, drop this process's cgroups that a close() could not (its last task was still exiting)."""
    import atexit

    global _atexit_registered
    _atexit_registered = True

    def sweep() -> None:
        for path in parent.glob(f"civilinstruct-{os.getpid()}-*"):
            try:
                path.rmdir()
            except OSError:
                pass

    atexit.register(sweep)


class MemoryCgroup:
    """One worker's cgroup: `add(pid)`, `oom_kills()`, `remove()`."""

    def __init__(self, name: str, limit_bytes: int) -> None:
        """A new cgroup `civilinstruct-<our pid>-<name>` under ours, limited to `limit_bytes`."""
        found = _usable()
        if found is None:
            raise OSError("no writable memory cgroup")
        self.version, parent = found
        _remove_stale(parent)
        if not _atexit_registered:
            _register_atexit(parent)
        self.path = parent / f"civilinstruct-{os.getpid()}-{name}"
        self.path.mkdir(exist_ok=True)
        if self.version == "v1":
            self._write("memory.limit_in_bytes", limit_bytes)
            if (self.path / "memory.memsw.limit_in_bytes").exists():
                try:
                    self._write("memory.memsw.limit_in_bytes", limit_bytes)
                except OSError:
                    pass
        else:
            self._write("memory.max", limit_bytes)
            if (self.path / "memory.swap.max").exists():
                self._write("memory.swap.max", 0)

    def _write(self, name: str, value: object) -> None:
        (self.path / name).write_text(f"{value}\n")

    def add(self, pid: int) -> None:
        self._write("cgroup.procs", pid)

    def oom_kills(self) -> int:
        """How many processes the kernel has OOM-killed in this cgroup so far."""
        name = "memory.oom_control" if self.version == "v1" else "memory.events"
        try:
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def remove(self) -> None:
        for _ in range(100):  # the last tasks may still be exiting
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)
