"""The warm worker that runs inside the sandbox: import numpy + openseespy once, fork a fresh child per program.

This file is bound read-only into the bubblewrap sandbox and run as a script, so it uses only the standard
library (the civilinstruct package itself is not visible in there). It also holds the wire format that the host
side (`worker.py`) imports: 4-byte big-endian length + UTF-8 JSON, on two inherited pipes. Programs never see
those pipes; their fds 0/1/2 are /dev/null and two capture pipes.

Per program the child gets a private scratch dir as cwd, its own process group, PR_SET_PDEATHSIG, rlimits (address
space, process count, file size, no core), a dropped uid/gid and no_new_privs. After every run the zygote kills
everything else the program left behind (in the pid namespace: `kill(-1)`; weakly isolated: by uid or by
descendant walk) and, once the answer is sent, removes the scratch dir.

When the host says another program follows (`more`), the zygote forks that program's child right after answering,
while the host reads the answer: the child does the set-up that needs no request (process group, fds, scratch dir
as cwd) and waits for its request; the rlimits, uid drop and no_new_privs come after it, exactly as in a child forked
on demand. It is the only process besides the zygote while it waits, and the next request uses it (or a `drop`
request, which the host sends at the end of `run_many`, kills it).
"""

from __future__ import annotations

import gc
import json
import linecache
import os
import resource as _resource
import struct
import sys
import traceback
import types
from typing import Any

PROGRAM_NAME = "<program>"
_HEADER = struct.Struct(">I")
_MAX_MSG = 256 * 1024 * 1024
_MAX_REPORT = 1 << 20  # what a child may say about how it ended (it could try to say more)
_NOFILE = _resource.getrlimit(_resource.RLIMIT_NOFILE)[1]
_MAX_FD = _NOFILE if 3 < _NOFILE < (1 << 31) else 1 << 20  # no fd number reaches the hard limit


# ---------------------------------------------------------------------------------------------------- wire format
def write_msg(fd: int, obj: Any) -> None:
    """Send one JSON message (length-prefixed) on a pipe."""
    write_body(fd, json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_body(fd: int) -> bytes | None:
    """Receive one message's JSON body, undecoded; None at end of stream."""
    head = _read_exact(fd, _HEADER.size)
    if head is None:
        return None
    (size,) = _HEADER.unpack(head)
    if size > _MAX_MSG:
        raise ValueError(f"message of {size} bytes is over the limit")
    return _read_exact(fd, size)


def write_body(fd: int, body: bytes) -> None:
    """Send a JSON body as received (the zygote forwards a request to its child without encoding it again)."""
    view = memoryview(_HEADER.pack(len(body)) + body)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_msg(fd: int) -> Any | None:
    """Receive one JSON message; None at end of stream."""
    body = read_body(fd)
    return None if body is None else json.loads(body.decode("utf-8"))


# ---------------------------------------------------------------------------------------------------- the child
def _libc() -> Any:
    import ctypes
    import ctypes.util

    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38


def _innermost_program_line(tb: Any) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == PROGRAM_NAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _child(req: dict | None, scratch: str, out_w: int, err_w: int, rep_w: int, ctl_r: int, libc: Any) -> None:
    """Runs in the forked child; never returns.

    Forked ahead of its request (`req` None), it does the set-up that does not depend on the request, then waits for
    the request on `ctl_r`; the rlimits, uid drop and everything after come only then, as for a child forked on
    demand. Nothing of the program runs before all of it is in place.

    Every page this code touches is a copy-on-write fault (~5 us here), so it does as little as it can in Python:
    signal dispositions come from the zygote (`_default_signals`), fds are closed by ranges (close_range), files
    are written with os calls, the environment is the zygote's (the sandbox environment, HOME and TMPDIR naming
    the scratch dir, which has the same path in every run), and only a program that names `random` is reseeded.
    """
    status = 1
    try:
        # Its own process group, not its own session: the zygote's session (bwrap --new-session, or
        # start_new_session when weak) already has no terminal, and a new session costs a scheduler autogroup.
        os.setpgid(0, 0)
        libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # SIGKILL
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        keep = sorted(fd for fd in (rep_w, ctl_r) if fd > 2)
        low = 3
        for fd in keep:  # everything else the zygote had open goes: what is open, not 65k close() calls
            if fd > low:
                os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, _MAX_FD)
        os.chdir(scratch)
        try:  # in a cgroup at its limit, the OOM killer takes a program, never the zygote
            adj = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            try:
                os.write(adj, b"1000")
            finally:
                os.close(adj)
        except OSError:
            pass
        if req is None:  # forked ahead: the request comes now (end of stream: the zygote dropped this child)
            req = read_msg(ctl_r)
            if req is None:
                os._exit(0)
        if ctl_r >= 0:
            os.close(ctl_r)
        limits = req["limits"]
        setrlimit = _resource.setrlimit
        setrlimit(_resource.RLIMIT_CORE, (0, 0))
        setrlimit(_resource.RLIMIT_FSIZE, (limits["fsize"], limits["fsize"]))
        if limits.get("address_space"):
            setrlimit(_resource.RLIMIT_AS, (limits["address_space"], limits["address_space"]))
        uid = req.get("uid")
        if uid is not None:
            setrlimit(_resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        if os.environ.get("HOME") != scratch:  # (the zygote's environment names its usual scratch dir already)
            os.environ["HOME"] = os.environ["TMPDIR"] = scratch
        code = req["code"]
        if "random" in code:  # only a program that names it can use it: the others skip the reseeding's faults
            reseed_random()
        status = _execute(code, rep_w)
    except BaseException as exc:  # the set-up itself failed: say so, do not run the program
        try:
            write_msg(rep_w, {"exception_type": "SandboxSetupError", "exception_message": repr(exc)})
        except BaseException:
            pass
        status = 70
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        try:
            libc.fflush(None)
        except BaseException:
            pass
        os._exit(status)


def _execute(code: str, rep_w: int) -> int:
    """Compile and exec the program as `__main__`; report how it ended; return the exit status."""
    sys.argv = [PROGRAM_NAME]
    linecache.cache[PROGRAM_NAME] = (len(code), None, code.splitlines(True), PROGRAM_NAME)
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    report: dict[str, Any] = {}
    status = 0
    try:
        program = compile(code, PROGRAM_NAME, "exec", dont_inherit=True)
        exec(program, main.__dict__)
    except SystemExit as exc:
        if exc.code is None or exc.code == 0:
            status = 0
        elif isinstance(exc.code, int):
            status = exc.code & 0xFF
        else:
            print(exc.code, file=sys.stderr)
            status = 1
        if status:
            report = {"exception_type": "SystemExit", "exception_message": str(exc.code),
                      "error_line": _innermost_program_line(exc.__traceback__)}
    except BaseException as exc:
        if isinstance(exc, MemoryError):
            main.__dict__.clear()  # give the memory back before formatting anything
            gc.collect()
        line = exc.lineno if isinstance(exc, SyntaxError) and exc.filename == PROGRAM_NAME else None
        report = {"exception_type": type(exc).__name__, "exception_message": str(exc)[:4000],
                  "error_line": line or _innermost_program_line(exc.__traceback__)}
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != PROGRAM_NAME:
            tb = tb.tb_next  # the traceback starts in the program, as if it had been run as a script
        try:
            traceback.print_exception(type(exc), exc, tb)
        except BaseException:
            pass
        status = 1
    write_msg(rep_w, report)
    return status


# ---------------------------------------------------------------------------------------------------- the zygote
def reseed_random() -> None:
    """Fresh entropy for `random` and numpy's global random state, as a fresh interpreter has, in the child: every
    program that uses them gets its own seed. (`fast_fork` skips CPython's after-fork hooks, `random`'s among them.)
    """
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:  # 256 bits of OS entropy, as seed() would draw, without its ~0.25 ms of SeedSequence hashing
            numpy.random.seed(numpy.frombuffer(os.urandom(32), dtype=numpy.uint32))
        except Exception:
            pass


def usual_scratch(scratch_root: str) -> str:
    """The scratch dir of every run: one at a time per zygote (the last is removed before the next is made), so
    one path, which the zygote's HOME and TMPDIR name once for all its children."""
    return os.path.join(scratch_root, "run")


def fast_fork() -> Any:
    """`fork()` straight from libc, with the GIL held: the child skips CPython's after-fork hooks.

    Why: in a child of this large interpreter those hooks (thread-state and lock re-initialisation, `threading`'s
    and `random`'s handlers) write to ~180 pages that fork just shared, each a copy-on-write fault: ~1 ms of CPU per
    program, a tenth of a tiny program's whole cost. They only matter for other threads and held locks, and the
    zygote has neither: it is single-threaded and forks only from its request loop (never while importing).
    `random` is reseeded by `reseed_random` in the child instead. libc's own fork handlers still run.
    """
    import ctypes

    libc_fork = ctypes.PyDLL(None, use_errno=True).fork  # PyDLL: the GIL stays held across the call
    libc_fork.restype, libc_fork.argtypes = ctypes.c_int, []

    def fork() -> int:
        pid = libc_fork()
        if pid < 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return pid

    return fork


class Zygote:
    """One warm interpreter: serves run requests one at a time, in order."""

    def __init__(self, req_fd: int, resp_fd: int, scratch_root: str, namespaced: bool) -> None:
        self.req_fd, self.resp_fd = req_fd, resp_fd
        self.scratch_root, self.namespaced = scratch_root, namespaced
        self.libc = _libc()
        self.fork = fast_fork()
        self.counter = 0
        self._last_scratch: str | None = None
        self._prepared: tuple[Any, ...] | None = None  # (uid, pid, scratch, out_r, err_r, rep_r, ctl_w)
        self.libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a program come back to us to be reaped

    def serve(self) -> None:
        try:
            while True:
                body = read_body(self.req_fd)
                if body is None:
                    return
                req = json.loads(body)
                req["_body"] = body  # forwarded as is to a child forked ahead
                if req.get("drop"):  # the host has no more programs for now: nothing may stay behind
                    self.drop_prepared()
                    write_msg(self.resp_fd, {"dropped": True})
                    continue
                result = self.run(req)
                write_msg(self.resp_fd, result)
                self.finish()  # after the answer, before the next request is even read: off the caller's wait
                if req.get("more"):  # the host has another program for us: fork its child while it reads this answer
                    self.prepare(req.get("uid"))
        finally:
            self.drop_prepared()

    def finish(self) -> None:
        """Remove the last run's scratch dir (its processes are all dead already); before the next run starts."""
        import shutil

        scratch, self._last_scratch = self._last_scratch, None
        if scratch is not None:
            try:
                os.rmdir(scratch)  # the usual case: the program left no files
            except OSError:
                shutil.rmtree(scratch, ignore_errors=True)

    # -- children
    def _fork(self, req: dict | None, uid: int | None) -> tuple[int, str, int, int, int, int]:
        """A new child with a fresh scratch dir: (pid, scratch, out_r, err_r, rep_r, ctl_w); raises OSError."""
        import shutil

        scratch = usual_scratch(self.scratch_root)
        fds: list[int] = []
        try:
            try:
                os.mkdir(scratch, 0o700)
            except FileExistsError:  # the last one could not be removed: a new name (the child then sets HOME)
                self.counter += 1
                scratch = os.path.join(self.scratch_root, f"run-{self.counter}")
                os.mkdir(scratch, 0o700)
            if uid is not None:
                os.chown(scratch, uid, uid)
            for _ in range(3 if req is not None else 4):
                fds.extend(os.pipe())
            pid = self.fork()
        except OSError:
            for fd in fds:
                os.close(fd)
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        out_r, out_w, err_r, err_w, rep_r, rep_w = fds[:6]
        ctl_r, ctl_w = fds[6:] or (-1, -1)
        if pid == 0:
            os.close(out_r), os.close(err_r), os.close(rep_r)
            if ctl_w >= 0:
                os.close(ctl_w)
            os.close(self.req_fd), os.close(self.resp_fd)
            _child(req, scratch, out_w, err_w, rep_w, ctl_r, self.libc)
        for fd in (out_w, err_w, rep_w, ctl_r):
            if fd >= 0:
                os.close(fd)
        return pid, scratch, out_r, err_r, rep_r, ctl_w

    def prepare(self, uid: int | None) -> None:
        """Fork the next program's child ahead of its request (it waits, as root, with no program, for the request)."""
        self.drop_prepared()
        try:
            self._prepared = (uid, *self._fork(None, uid))
        except OSError:
            self._prepared = None  # the run forks on demand and reports what goes wrong then

    def drop_prepared(self) -> None:
        """Kill and reap a child forked ahead that will not be used; remove its scratch dir."""
        import shutil
        import signal

        prep, self._prepared = self._prepared, None
        if prep is None:
            return
        _, pid, scratch, out_r, err_r, rep_r, ctl_w = prep
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        for fd in (out_r, err_r, rep_r, ctl_w):
            if fd >= 0:
                os.close(fd)
        shutil.rmtree(scratch, ignore_errors=True)

    def _start(self, req: dict) -> tuple[int, str, int, int, int, float]:
        """The child that runs `req`: the one forked ahead if it matches, else a new one; raises OSError."""
        import signal
        import time

        prep, self._prepared = self._prepared, None
        if prep is not None and prep[0] == req.get("uid"):
            _, pid, scratch, out_r, err_r, rep_r, ctl_w = prep
            start = time.monotonic()
            old = signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a dead child must not take the zygote with it
            try:
                write_body(ctl_w, req["_body"])
                sent = True
            except OSError:
                sent = False
            finally:
                signal.signal(signal.SIGPIPE, old)
                os.close(ctl_w)
            if sent:
                return pid, scratch, out_r, err_r, rep_r, start
            prep = (*prep[:6], -1)  # it died waiting: drop it and fork a new one
        if prep is not None:  # forked for another uid, or dead
            self._prepared = prep
            self.drop_prepared()
        start = time.monotonic()
        pid, scratch, out_r, err_r, rep_r, _ = self._fork(req, req.get("uid"))
        return pid, scratch, out_r, err_r, rep_r, start

    # -- one program
    def run(self, req: dict) -> dict:
        import select
        import signal
        import time

        self.finish()  # (serve() already did, right after the previous answer)
        try:
            pid, scratch, out_r, err_r, rep_r, start = self._start(req)
        except OSError as exc:  # no program ran: say why instead of dying
            return {"wait_status": None, "worker_died": True, "exception_type": "SandboxError",
                    "exception_message": f"could not start the program: {exc!r}", "wall_s": 0.0}

        cap, flood = int(req["max_output"]), int(req["max_output"]) * int(req.get("flood_factor", 16))
        bufs = {out_r: bytearray(), err_r: bytearray(), rep_r: bytearray()}
        seen = {out_r: 0, err_r: 0, rep_r: 0}
        pidfd = os.pidfd_open(pid)
        sel = select.poll()  # (plain poll: less for the zygote to touch per run than a selectors object)
        for fd in (out_r, err_r, rep_r, pidfd):
            os.set_blocking(fd, False)
            sel.register(fd, select.POLLIN)
        open_fds = {out_r, err_r, rep_r}
        deadline = start + float(req["timeout"])
        wait_status: int | None = None
        timed_out = flooded = False

        def drain(fd: int) -> None:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                sel.unregister(fd)
                open_fds.discard(fd)
                return
            seen[fd] += len(chunk)
            room = (cap if fd != rep_r else _MAX_REPORT) - len(bufs[fd])
            if room > 0:
                bufs[fd] += chunk[:room]

        while wait_status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            for fd, _ in sel.poll(max(1, min(int(left * 1000) + 1, 1000))):
                if fd == pidfd:
                    _, wait_status = os.waitpid(pid, 0)
                    sel.unregister(pidfd)
                else:
                    drain(fd)
            if seen[out_r] + seen[err_r] > flood:
                flooded = True
                break
        if wait_status is None:  # timeout or output flood: the program is killed with everything it started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, wait_status = os.waitpid(pid, 0)
        wall = time.monotonic() - start
        self.sweep(req.get("uid"), pid)
        # Everything that could write is dead now: read what is left, with a short bound in case.
        end = time.monotonic() + 2.0
        while open_fds and time.monotonic() < end:
            for fd, _ in sel.poll(200):
                if fd != pidfd:
                    drain(fd)
        for fd in (out_r, err_r, rep_r, pidfd):
            os.close(fd)
        self._last_scratch = scratch  # removed by finish(): after the answer is sent, before the next run

        report: dict[str, Any] = {}
        if bufs[rep_r]:
            try:
                report = read_report(bytes(bufs[rep_r]))
            except ValueError:
                report = {}
        return {
            "wait_status": wait_status, "timed_out": timed_out, "flooded": flooded, "wall_s": wall,
            "stdout": bufs[out_r].decode("utf-8", "replace"), "stderr": bufs[err_r].decode("utf-8", "replace"),
            "stdout_truncated": seen[out_r] > cap, "stderr_truncated": seen[err_r] > cap,
            "stdout_bytes": seen[out_r], "stderr_bytes": seen[err_r], **report,
        }

    # -- cleanup
    def sweep(self, uid: int | None, pid: int) -> None:
        """Kill and reap everything the program left (daemons, fork bombs, SIGTERM-ignorers)."""
        import signal
        import time

        for _ in range(1000):
            alive = False
            if self.namespaced:
                try:
                    os.kill(-1, signal.SIGKILL)  # in our pid namespace: all but its init and ourselves
                    alive = True
                except ProcessLookupError:
                    pass
            else:
                alive = self._kill_weak(uid, pid)
            reaped = self._reap()
            if not alive and not reaped:
                return
            if alive and not reaped:
                time.sleep(0.001)

    def _reap(self) -> bool:
        reaped = False
        while True:
            try:
                child, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return reaped
            if child == 0:
                return reaped
            reaped = True

    def _kill_weak(self, uid: int | None, pid: int) -> bool:
        """Without a pid namespace: kill by the dropped uid (as that uid), else the program's descendants."""
        import signal

        if uid is not None:
            helper = os.fork()
            if helper == 0:
                code = 0
                try:
                    os.setgid(uid)
                    os.setuid(uid)
                    for _ in range(1000):
                        os.kill(-1, signal.SIGKILL)  # as the sandbox uid: every process of that uid but us
                except ProcessLookupError:
                    code = 0
                except BaseException:
                    code = 1
                os._exit(code)
            os.waitpid(helper, 0)
        found = False
        for child in _descendants(os.getpid()):
            try:
                os.kill(child, signal.SIGKILL)
                found = True
            except ProcessLookupError:
                pass
        return found


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
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
            parents[int(name)] = int(fields[1])
    found, frontier = [], {root}
    while frontier:
        nxt = {pid for pid, ppid in parents.items() if ppid in frontier}
        found.extend(nxt)
        frontier = nxt
    return found


def read_report(data: bytes) -> dict:
    """Decode the child's one report message."""
    if len(data) < _HEADER.size:
        raise ValueError("short report")
    (size,) = _HEADER.unpack(data[:_HEADER.size])
    body = data[_HEADER.size:_HEADER.size + size]
    if len(body) != size:
        raise ValueError("short report")
    return json.loads(body.decode("utf-8"))


def _status_bytes(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str]) -> int:
    req_fd, resp_fd = int(argv[1]), int(argv[2])
    scratch_root, namespaced = argv[3], argv[4] == "ns"
    import signal

    os.environ["HOME"] = os.environ["TMPDIR"] = usual_scratch(scratch_root)
    # Default dispositions here, inherited by every child (which then need not touch its signal table):
    # SIGPIPE would be ignored and SIGINT a KeyboardInterrupt; the zygote is in its own session, no terminal's.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    # What the child needs after it dropped its uid, imported while we can still read everything.
    import ctypes.util  # noqa: F401
    import select  # noqa: F401
    import shutil  # noqa: F401
    import time  # noqa: F401

    info: dict[str, Any] = {"ready": True, "pid": os.getpid(), "python": sys.version.split()[0]}
    try:  # the start-up every program would otherwise pay
        import numpy
        import numpy.linalg  # noqa: F401  (numpy loads these lazily: once here, not once per program)
        import numpy.random  # noqa: F401
        import openseespy.opensees as ops

        ops.wipe()
        info["opensees"] = True
    except Exception as exc:  # programs still run; the import error shows up in theirs
        info["opensees"] = False
        info["import_error"] = repr(exc)
    gc.collect()
    gc.freeze()  # a forked child's collector then leaves the shared pages alone (fewer copy-on-write faults)
    info["vm_size"], info["rss"] = _status_bytes("VmSize"), _status_bytes("VmRSS")
    write_msg(resp_fd, info)
    Zygote(req_fd, resp_fd, scratch_root, namespaced).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
