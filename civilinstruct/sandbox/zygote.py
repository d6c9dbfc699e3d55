"""The warm worker that runs inside the sandbox: import numpy + openseespy once, fork a fresh child per program.

This file (the supervisor) is bound read-only into the bubblewrap sandbox and run as a script, with the modules it
loads from its own directory: `wire` (the format it and the host speak: 4-byte big-endian length + UTF-8 JSON, on
two inherited pipes), `forker` (the forkers and the child), `probe` (what the child reports about the model the
program built), `sweep` (what is left of a program after its run: processes, SysV IPC) and `memwatch` (the memory
cap of a program's whole process tree, held without a cgroup). All use only the
standard library (the civilinstruct package is not visible in there). Programs never see the host's pipes; their
fds 0/1/2 are /dev/null and two capture pipes, plus the write end of the report pipe the probe uses.

Two processes, so that the big one does as little as possible between forks:
- the *supervisor* (the process bubblewrap starts; only the standard library) talks to the host, makes the scratch
  dir, sends each program to its child, reads the child's output, enforces the time limit, reaps and sweeps;
- the *forker* (its child, the warm interpreter with numpy + openseespy) only forks: one byte in, one pid out.
Every page a process writes after a fork is a copy-on-write fault (~5-10 us on this kind of VM); a zygote that
did the supervising itself paid ~250 of them per program, more than the fork. The forker's children are made
with CLONE_PARENT, so they are the supervisor's children: it waits for them and gets their status, their orphans
come back to it (it is a subreaper), and PR_SET_PDEATHSIG ties them to it.

Per program the child gets a private scratch dir as cwd, its own process group, PR_SET_PDEATHSIG, rlimits (address
space, process count, file size, no core), a dropped uid/gid and no_new_privs. After every run the supervisor kills
everything the program left behind (by uid, or by a walk of its descendants) and, once the answer is sent, removes
the scratch dir.

Children are forked ahead: right after answering (while the host reads the answer), the supervisor has the next
child forked. It does the set-up that needs no request (process group, fds, scratch dir as cwd) and waits for its
request on a pipe; the rlimits, uid drop and no_new_privs come after it. It is the only child while it waits; the
next request uses it (or a `drop` request, which the host sends at the end of `run_many`, kills it).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_MAX_REPORT = 4 << 20  # what a child may say (the probe's frames; it could try to say more)


def _load_sibling(name: str) -> Any:
    """A module that lies next to this file (in the sandbox the civilinstruct package is not importable)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location(f"_civilinstruct_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


if __package__:
    from civilinstruct.sandbox import forker as fk
    from civilinstruct.sandbox import memwatch, probe, sweep
    from civilinstruct.sandbox.wire import read_body, read_exact, read_msg, write_body, write_msg
else:  # inside the sandbox the package is not importable: the modules next to this file, in dependency order
    _wire = _load_sibling("wire")
    probe = _load_sibling("probe")
    sweep = _load_sibling("sweep")
    memwatch = _load_sibling("memwatch")
    fk = _load_sibling("forker")
    read_body, read_exact, read_msg, write_body, write_msg = (
        _wire.read_body, _wire.read_exact, _wire.read_msg, _wire.write_body, _wire.write_msg)


# ---------------------------------------------------------------------------------------------------- the supervisor
class Forker:
    """The supervisor's handle on one forker: its pid and its command pipes (a byte in, a pid out)."""

    def __init__(self, pid: int, cmd_w: int, pid_r: int, info: dict) -> None:
        self.pid, self.cmd_w, self.pid_r, self.info = pid, cmd_w, pid_r, info

    def fork(self) -> int:
        """A new child, waiting for its request; raises OSError (ForkerDied when the forker is gone)."""
        os.write(self.cmd_w, b"f")
        answer = read_exact(self.pid_r, fk.PID_FORMAT.size)
        if answer is None:
            raise sweep.ForkerDied("a forker is gone")
        (pid,) = fk.PID_FORMAT.unpack(answer)
        if pid < 0:
            raise OSError(-pid, f"fork: {os.strerror(-pid)}")
        return pid


class Zygote:
    """The supervisor: serves run requests one at a time, in order; the forkers make the children."""

    def __init__(self, req_fd: int, resp_fd: int, scratch_root: str, own_ipc: bool = False) -> None:
        self.req_fd, self.resp_fd = req_fd, resp_fd
        self.scratch_root = scratch_root
        self.scratch = fk.usual_scratch(scratch_root)
        self.libc = fk.load_libc()
        self.libc.prctl(fk.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a program come back to us to be reaped
        self.stale = 0
        self._scratch_made = False
        self._prepared: tuple[int | None, int, int] | None = None  # (uid, forker, pid) of the child forked ahead
        self.key = b""  # the running child's probe key
        self.own_ipc = own_ipc  # bwrap gave us an IPC namespace of our own: every SysV object in it is a program's
        self.ipc_before: frozenset[tuple[str, int]] = frozenset()
        self._start_forkers()

    def _start_forkers(self) -> None:
        """The persistent pipes every child inherits, then one forker per preload (they import side by side)."""
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        rep_r, rep_w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        self.out_r, self.err_r, self.rep_r = out_r, err_r, rep_r
        self.ctl_r, self.ctl_w = ctl_r, ctl_w  # (ctl_r too: to drain a request that a dead child never read)
        child_fds = fk.ChildFds(out_w, err_w, rep_w, ctl_r)
        started: list[tuple[int, int, int]] = []
        for preload in fk.PRELOADS:
            cmd_r, cmd_w = os.pipe()
            pid_r, pid_w = os.pipe()
            pid = os.fork()  # (a small process still: what the forker preloads, it imports after this)
            if pid == 0:
                try:
                    mine = {cmd_r, pid_w, out_w, err_w, rep_w, ctl_r}
                    for fd in [self.req_fd, self.resp_fd, out_r, err_r, rep_r, ctl_w, cmd_w, pid_r,
                               *(fd for _, w, r in started for fd in (w, r))]:
                        if fd not in mine:
                            os.close(fd)
                    fk.forker_main(cmd_r, pid_w, self.scratch, child_fds, preload)
                finally:
                    os._exit(1)
            os.close(cmd_r)
            os.close(pid_w)
            started.append((pid, cmd_w, pid_r))
        for fd in (out_w, err_w, rep_w):
            os.close(fd)
        for fd in (out_r, err_r, rep_r):  # (not ctl_r: a child reads its request from the same open pipe)
            os.set_blocking(fd, False)
        self.forkers: list[Forker] = []
        for pid, cmd_w, pid_r in started:
            info = read_msg(pid_r)
            if info is None:
                raise RuntimeError("a forker died while starting")
            self.forkers.append(Forker(pid, cmd_w, pid_r, info))
        self.forker_pids = {f.pid for f in self.forkers}
        # (each forker's PSS now, with no child yet: what of a running program's sum is not the program's)
        self.memory = memwatch.MemoryWatch(self.scratch_root, self.scratch, self.own_ipc,
                                           [memwatch.proportional(f.pid) for f in self.forkers])

    @property
    def info(self) -> dict:
        """What the host needs: whether openseespy loaded, and the memory the forkers hold."""
        infos = [f.info for f in self.forkers]
        errors = [i["import_error"] for i in infos if i.get("import_error")]
        return {"opensees": all(i.get("opensees") for i in infos), **({"import_error": errors[0]} if errors else {}),
                "rss": sum(int(i.get("rss", 0)) for i in infos), "vm_size": max(int(i.get("vm_size", 0)) for i in infos),
                "forker_pids": sorted(self.forker_pids)}

    def serve(self) -> None:
        try:
            while True:
                body = read_body(self.req_fd)
                if body is None:
                    return
                req = json.loads(body)
                if req.get("drop"):  # the host has no more programs for now: nothing may stay behind
                    self.drop_prepared()
                    write_msg(self.resp_fd, {"dropped": True})
                    continue
                result = self.run(req, body)
                write_msg(self.resp_fd, result)
                self.finish()  # after the answer, before the next request is even read: off the caller's wait
                if req.get("more"):  # the host has another program for us: fork its child while it reads this answer
                    try:  # (from the forker this one needed: programs of a batch tend to be alike)
                        self.prepare(req.get("uid"), fk.pick_forker(req["code"]))
                    except OSError:
                        self.drop_prepared()  # the run forks on demand and reports what goes wrong then
        finally:
            self.drop_prepared()

    def finish(self) -> None:
        """Remove the last run's scratch dir (its processes are all dead already); before the next run starts."""
        import shutil

        if not self._scratch_made:
            return
        self._scratch_made = False
        try:
            os.rmdir(self.scratch)  # the usual case: the program left no files
        except FileNotFoundError:
            pass
        except OSError:
            shutil.rmtree(self.scratch, ignore_errors=True)
            if os.path.lexists(self.scratch):  # could not be emptied: out of the way, so the path stays usable
                self.stale += 1
                try:
                    os.rename(self.scratch, os.path.join(self.scratch_root, f"stale-{self.stale}"))
                except OSError:
                    pass

    # -- children
    def prepare(self, uid: int | None, forker: int) -> None:
        """Have the next child forked (it waits, as root, with no program, for its request); raises OSError."""
        self.drop_prepared()
        self.finish()
        os.mkdir(self.scratch, 0o700)
        self._scratch_made = True
        if uid is not None:
            os.chown(self.scratch, uid, uid)
        self._prepared = (uid, forker, self.forkers[forker].fork())

    def drop_prepared(self) -> None:
        """Kill and reap a child forked ahead that will not be used; clear what it may have left in the pipes."""
        import signal

        prep, self._prepared = self._prepared, None
        if prep is None:
            return
        try:
            os.kill(prep[2], signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(prep[2], 0)
        except ChildProcessError:
            pass
        self._discard_pipes()
        self.finish()

    def _discard_pipes(self) -> None:
        """Empty the pipes while no child is there (ctl_r is blocking, shared with the children: poll first)."""
        import select

        for fd in (self.out_r, self.err_r, self.rep_r):
            while True:
                try:
                    if not os.read(fd, 1 << 16):
                        break
                except BlockingIOError:
                    break
        poller = select.poll()
        poller.register(self.ctl_r, select.POLLIN)
        while poller.poll(0):
            os.read(self.ctl_r, 1 << 16)

    def _start(self, req: dict, body: bytes) -> tuple[int, int, float]:
        """Send the request to the child forked ahead (if it matches and lives) or to a new one; raises OSError."""
        import time

        wanted = (req.get("uid"), fk.pick_forker(req["code"]))
        prep = self._prepared
        if prep is not None and (prep[:2] != wanted or os.waitpid(prep[2], os.WNOHANG)[0] != 0):
            self.drop_prepared()  # forked for another uid or from the other forker, or died waiting
            prep = None
        if prep is None:
            self.prepare(*wanted)
            prep = self._prepared
        assert prep is not None
        self._prepared = None
        start = time.monotonic()
        self.key = os.urandom(probe.KEY_BYTES)  # the child's probe signs its frames with it
        self.ipc_before = sweep.ipc_snapshot(self.own_ipc)
        write_body(self.ctl_w, body)  # (the pipe has other readers: a child that died now just reads nothing)
        os.write(self.ctl_w, self.key)
        return prep[2], prep[1], start

    # -- one program
    def run(self, req: dict, body: bytes) -> dict:
        import select
        import signal
        import time

        try:
            pid, forker, start = self._start(req, body)
        except OSError as exc:  # (ForkerDied is not one: it ends the supervisor)  # no program ran: say why instead of dying
            return {"wait_status": None, "worker_died": True, "exception_type": "SandboxError",
                    "exception_message": f"could not start the program: {exc!r}", "wall_s": 0.0}

        out_r, err_r, rep_r = self.out_r, self.err_r, self.rep_r
        cap, flood = int(req["max_output"]), int(req["max_output"]) * int(req.get("flood_factor", 16))
        bufs = {out_r: bytearray(), err_r: bytearray(), rep_r: bytearray()}
        seen = {out_r: 0, err_r: 0, rep_r: 0}
        pidfd = os.pidfd_open(pid)
        sel = select.poll()
        for fd in (out_r, err_r, rep_r, pidfd):
            sel.register(fd, select.POLLIN)
        deadline = start + float(req["timeout"])
        memory_cap = int(req["limits"].get("memory") or 0) if req.get("memory_watch", True) else 0  # (memwatch.py)
        next_check = start + self.memory.begin() if memory_cap else float("inf")
        wait_status: int | None = None
        timed_out = flooded = False
        memory_held: int | None = None

        def drain(fd: int) -> bool:
            """Read what is there now; False when nothing was."""
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return False
            seen[fd] += len(chunk)
            room = (cap if fd != rep_r else _MAX_REPORT) - len(bufs[fd])
            if room > 0:
                bufs[fd] += chunk[:room]
            return bool(chunk)

        while wait_status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            wait_ms = min(left, next_check - time.monotonic(), 1.0) * 1000
            for fd, _ in sel.poll(max(1, int(wait_ms) + 1)):
                if fd == pidfd:
                    _, wait_status = os.waitpid(pid, 0)
                else:
                    drain(fd)
            if seen[out_r] + seen[err_r] > flood:
                flooded = True
                break
            if wait_status is None and time.monotonic() >= next_check:
                memory_held = self.memory.over(memory_cap, sweep.children() - self.forker_pids,
                                               self.forkers[forker].pid, forker, self.ipc_before)
                next_check = time.monotonic() + self.memory.next_interval(memory_cap)
                if memory_held is not None:
                    break
        os.close(pidfd)
        if wait_status is None:  # timeout, output flood or memory: the program is killed with all it started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, wait_status = os.waitpid(pid, 0)
        wall = time.monotonic() - start
        self.sweep(req.get("uid"))
        # Everything that could write is dead now: what it wrote is in the pipes (the forker holds their write
        # ends, so there is no end of stream to wait for: read until they are empty).
        for fd in (out_r, err_r, rep_r):
            while drain(fd):
                pass
        self._discard_pipes()  # (a request a dead child never read; output beyond what was kept)

        frames, tampered = probe.read_frames(bytes(bufs[rep_r]), self.key)
        report = probe.merge(frames)
        if tampered:
            report["channel_tampered"] = True
        return {
            "wait_status": wait_status, "timed_out": timed_out, "flooded": flooded, "wall_s": wall,
            **({"memory_held": memory_held, "memory_cap": memory_cap} if memory_held is not None else {}),
            "stdout": bufs[out_r].decode("utf-8", "replace"), "stderr": bufs[err_r].decode("utf-8", "replace"),
            "stdout_truncated": seen[out_r] > cap, "stderr_truncated": seen[err_r] > cap,
            "stdout_bytes": seen[out_r], "stderr_bytes": seen[err_r], **report,
        }

    # -- cleanup
    def sweep(self, uid: int | None) -> None:
        """Kill and reap everything the program left, then remove the SysV IPC objects it made (see sweep.py)."""
        sweep.sweep(uid, self.forker_pids)
        sweep.clean_ipc(uid, self.own_ipc, self.ipc_before)


def main(argv: list[str]) -> int:
    req_fd, resp_fd = int(argv[1]), int(argv[2])
    scratch_root = argv[3]
    own_ipc = argv[4:5] == ["own-ipc"]  # the host started us in bubblewrap, with --unshare-ipc
    import signal

    # Default dispositions here, inherited by the forker and every child (which then need not touch its signal
    # table): SIGPIPE would be ignored and SIGINT a KeyboardInterrupt; the zygote has its own session, no terminal.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    import select  # noqa: F401
    import shutil  # noqa: F401
    import time  # noqa: F401

    try:
        zygote = Zygote(req_fd, resp_fd, scratch_root, own_ipc)
    except (OSError, RuntimeError) as exc:
        print(f"the sandbox worker could not start its forker: {exc!r}", file=sys.stderr)
        return 1
    info = {**zygote.info, "ready": True, "pid": os.getpid(), "python": sys.version.split()[0]}
    write_msg(resp_fd, info)
    try:
        zygote.serve()
    except sweep.ForkerDied as exc:  # the host sees the pipe close and starts a new zygote
        print(f"the sandbox worker stopped: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
