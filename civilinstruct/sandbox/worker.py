"""Host side of one zygote: start it (in bubblewrap, or weakly isolated), send it programs, restart it if it dies."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from civilinstruct.errors import CivilError
from civilinstruct.sandbox import cgroup, isolation
from civilinstruct.sandbox.cgroup import MemoryCgroup
from civilinstruct.sandbox.wire import read_msg, write_msg

# PR_SET_PDEATHSIG (bwrap --die-with-parent) follows the *thread* that forked: every zygote is started from
# this one long-lived thread, so a zygote never dies because a short-lived pool thread ended.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="civilinstruct-zygote-spawner")
_UID_BASE = 0x4000_0000  # sandbox uids: unused on any normal system, one per zygote (see `uid_for_new_zygote`)
_uid_lock = threading.Lock()
_uid_next = 0


def uid_for_new_zygote() -> int:
    """A uid no other process on the machine uses: the process cap and kill-by-uid then touch only one program.

    RLIMIT_NPROC counts processes per real uid machine-wide; with one shared uid (nobody) a fork bomb in one
    sandbox would starve programs of every other sandbox on the machine until it is killed.
    """
    global _uid_next
    with _uid_lock:
        _uid_next += 1
        return _UID_BASE + (os.getpid() % 0x10_0000) * 64 + (_uid_next % 64)


@dataclass(frozen=True)
class Limits:
    """Per-program limits, sent with every request."""

    timeout: float = 60.0
    memory_mb: int = 2048
    max_output: int = 1 << 20
    nproc: int = 64
    fsize: int = 256 << 20
    probe: bool = True  # read the model each program builds (False: the probe-overhead benchmark's baseline)
    memory_watch: bool = True  # sum the whole tree's memory (False: the memory-watch benchmark's baseline only)


class Zygote:
    """One warm interpreter in its own sandbox. Not thread-safe: the pool gives each to one thread at a time."""

    def __init__(self, namespaced: bool, drop_uid: bool, memory_mb: int = 2048) -> None:
        self.namespaced, self.drop_uid, self.memory_mb = namespaced, drop_uid, memory_mb
        self.cgroup: MemoryCgroup | None = None
        self._oom_seen: int | None = None  # the cgroup's OOM kill count after the last run
        self.may_have_prepared = False  # the last run said another would follow (the zygote forked ahead)
        self.uid: int | None = uid_for_new_zygote() if drop_uid else None
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._scratch_root: str | None = None
        self._stderr: Any = None
        self.restarts = 0
        self.start()

    # -- lifecycle
    def start(self) -> None:
        _SPAWNER.submit(self._spawn).result()

    def _spawn(self) -> None:
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        self._stderr = tempfile.TemporaryFile()
        env = dict(isolation.SANDBOX_ENV)  # nothing of the caller's environment reaches bwrap or python
        if self.namespaced:
            scratch_bytes = min(isolation.SCRATCH_TMPFS_BYTES, self.memory_mb << 20)
            argv = isolation.bwrap_command(scratch_bytes=scratch_bytes) + [sys.executable, "-I",
                                                                          isolation.ZYGOTE_IN_SANDBOX]
            scratch_root = isolation.SCRATCH_ROOT
        else:
            self._scratch_root = tempfile.mkdtemp(prefix="civilinstruct-sandbox-")
            os.chmod(self._scratch_root, 0o711)
            argv = [sys.executable, "-I", str(isolation.ZYGOTE_SOURCE)]
            scratch_root = self._scratch_root
        argv += [str(req_r), str(resp_w), scratch_root, "own-ipc" if self.namespaced else "host-ipc"]
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=self._stderr, pass_fds=(req_r, resp_w), env=env,
                                         start_new_session=not self.namespaced)
        finally:
            os.close(req_r)
            os.close(resp_w)
        self.req_fd, self.resp_fd = req_w, resp_r
        info = self._receive(120.0)
        if not info or not info.get("ready"):
            detail = self._stderr_tail()
            self.close()
            raise CivilError(f"the sandbox worker did not start: {detail or 'no output'}")
        self.info = info
        self._join_cgroup()

    def _join_cgroup(self) -> None:
        """Put the zygote's process tree in its own memory cgroup (bonus); programs are the OOM killer's first pick."""
        if cgroup.available() is None or self.proc is None:
            return
        import psutil

        limit = int(self.info.get("rss", 0)) + (self.memory_mb + 64) * (1 << 20)
        try:
            self.cgroup = MemoryCgroup(str(self.proc.pid), limit)
            root = psutil.Process(self.proc.pid)
            for proc in [root, *root.children(recursive=True)]:
                self.cgroup.add(proc.pid)
        except (OSError, psutil.Error):
            if self.cgroup is not None:
                self.cgroup.remove()
            self.cgroup = None

    def close(self) -> None:
        """Stop the zygote (its namespace and everything in it goes with it)."""
        proc, self.proc = self.proc, None
        for fd_name in ("req_fd", "resp_fd"):
            fd = getattr(self, fd_name, None)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, fd_name, None)
        if proc is not None:
            if proc.poll() is None:
                try:
                    proc.wait(timeout=2.0)  # EOF on its request pipe makes it exit by itself
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        self._oom_seen = None
        if self._scratch_root:
            import shutil

            shutil.rmtree(self._scratch_root, ignore_errors=True)
            self._scratch_root = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def restart(self) -> None:
        self.restarts += 1
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self.close()
        self.start()

    # -- one program
    def run(self, code: str, limits: Limits, more: bool = False) -> dict[str, Any]:
        """Send one program; the zygote's raw report, or a `crashed` report when the zygote itself died.

        `more`: another program will follow on this zygote, so it may fork that one's child right after answering
        (the child waits for its request without running anything; it is used or killed at the next request).
        """
        if self.proc is None or self.proc.poll() is not None:
            self.restart()
        request = {"code": code, "timeout": limits.timeout, "max_output": limits.max_output, "uid": self.uid,
                   "limits": {"memory": limits.memory_mb * (1 << 20), "nproc": limits.nproc,
                                          "fsize": limits.fsize}, "more": more, "probe": limits.probe,
                   "memory_watch": limits.memory_watch}
        if self.cgroup is not None and self._oom_seen is None:
            self._oom_seen = self.cgroup.oom_kills()
        oom_before = self._oom_seen or 0  # read after the previous run: nothing of ours runs in between
        self.may_have_prepared = more
        try:
            write_msg(self.req_fd, request)
            raw = self._receive(limits.timeout + 30.0)
        except (BrokenPipeError, OSError, ValueError):
            raw = None
        if raw is not None and self.cgroup is not None:
            self._oom_seen = self.cgroup.oom_kills()
            raw["oom_killed"] = self._oom_seen > oom_before
        else:
            self._oom_seen = None
        if raw is None:
            detail = self._stderr_tail()
            self.restart()
            return {"wait_status": None, "exception_type": "SandboxWorkerDied",
                    "exception_message": f"the sandbox worker died and was restarted: {detail or 'no output'}",
                    "stdout": "", "stderr": "", "wall_s": 0.0, "worker_died": True}
        return raw

    def drop_prepared(self) -> None:
        """Have the zygote kill the child it forked ahead (after a `more` run), so only the zygote is left."""
        if not self.may_have_prepared:
            return
        self.may_have_prepared = False
        if self.proc is None or self.proc.poll() is not None:
            return  # gone with its zygote; the next run restarts it
        try:
            write_msg(self.req_fd, {"drop": True})
            answer = self._receive(30.0)
        except (OSError, ValueError):
            answer = None
        if not answer or not answer.get("dropped"):
            self.restart()

    def _receive(self, timeout: float) -> Any | None:
        poller = select.poll()  # not select(): a busy caller may hold fds above 1024
        poller.register(self.resp_fd, select.POLLIN)
        if not poller.poll(timeout * 1000):
            return None
        return read_msg(self.resp_fd)

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        lines = [ln for ln in lines if "hwloc" not in ln]
        return lines[-1] if lines else ""

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def resident(self) -> int:
        """How many processes live under `pid` between programs: bwrap's own and the supervisor (when namespaced:
        `pid` is the outer bwrap; weakly isolated `pid` is the supervisor itself), plus its forkers."""
        return len(self.info.get("forker_pids", [])) + (2 if self.namespaced else 0)

