"""The warm worker that runs inside the sandbox: import numpy + openseespy once, fork a fresh child per program.

This file is bound read-only into the bubblewrap sandbox and run as a script, so it uses only the standard
library (the civilinstruct package itself is not visible in there). It also holds the wire format that the host
side (`worker.py`) imports: 4-byte big-endian length + UTF-8 JSON, on two inherited pipes. Programs never see
those pipes; their fds 0/1/2 are /dev/null and two capture pipes.

Per program the child gets a private scratch dir as cwd, its own process group, PR_SET_PDEATHSIG, rlimits (address
space, process count, file size, no core), a dropped uid/gid and no_new_privs. After every run the zygote kills
everything else the program left behind (in the pid namespace: `kill(-1)`; weakly isolated: by uid or by
descendant walk) and removes the scratch dir.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import Any

PROGRAM_NAME = "<program>"
_HEADER = struct.Struct(">I")
_MAX_MSG = 256 * 1024 * 1024
_MAX_REPORT = 1 << 20  # what a child may say about how it ended (it could try to say more)


# ---------------------------------------------------------------------------------------------------- wire format
def write_msg(fd: int, obj: Any) -> None:
    """Send one JSON message (length-prefixed) on a pipe."""
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_msg(fd: int) -> Any | None:
    """Receive one JSON message; None at end of stream."""
    head = _read_exact(fd, _HEADER.size)
    if head is None:
        return None
    (size,) = _HEADER.unpack(head)
    if size > _MAX_MSG:
        raise ValueError(f"message of {size} bytes is over the limit")
    body = _read_exact(fd, size)
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


def _child(req: dict, scratch: str, out_w: int, err_w: int, rep_w: int, libc: Any) -> None:
    """Runs in the forked child; never returns."""
    import resource
    import signal

    status = 1
    try:
        # Its own process group, not its own session: the zygote's session (bwrap --new-session, or
        # start_new_session when weak) already has no terminal, and a new session costs a scheduler autogroup.
        os.setpgid(0, 0)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        for fd in [int(name) for name in os.listdir("/proc/self/fd")]:  # what is open, not 65k close() calls
            if fd > 2 and fd != rep_w:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.chdir(scratch)
        try:  # in a cgroup at its limit, the OOM killer takes a program, never the zygote
            with open("/proc/self/oom_score_adj", "w") as fh:
                fh.write("1000")
        except OSError:
            pass
        limits = req["limits"]
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["fsize"], limits["fsize"]))
        if limits.get("address_space"):
            resource.setrlimit(resource.RLIMIT_AS, (limits["address_space"], limits["address_space"]))
        uid = req.get("uid")
        if uid is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.environ.clear()
        os.environ.update(req["env"])
        os.environ["HOME"] = os.environ["TMPDIR"] = scratch
        status = _execute(req["code"], rep_w)
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
    import gc
    import linecache
    import traceback
    import types

    sys.argv = [PROGRAM_NAME]
    linecache.cache[PROGRAM_NAME] = (len(code), None, code.splitlines(True), PROGRAM_NAME)
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    try:
        import numpy

        numpy.random.seed()  # a fresh interpreter starts from fresh entropy, so does a forked child
    except Exception:
        pass
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
class Zygote:
    """One warm interpreter: serves run requests one at a time, in order."""

    def __init__(self, req_fd: int, resp_fd: int, scratch_root: str, namespaced: bool) -> None:
        self.req_fd, self.resp_fd = req_fd, resp_fd
        self.scratch_root, self.namespaced = scratch_root, namespaced
        self.libc = _libc()
        self.counter = 0
        self.libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a program come back to us to be reaped

    def serve(self) -> None:
        while True:
            req = read_msg(self.req_fd)
            if req is None:
                return
            write_msg(self.resp_fd, self.run(req))

    # -- one program
    def run(self, req: dict) -> dict:
        import selectors
        import shutil
        import signal
        import time

        self.counter += 1
        scratch = os.path.join(self.scratch_root, f"run-{self.counter}")
        fds: list[int] = []
        try:
            os.mkdir(scratch, 0o700)
            if req.get("uid") is not None:
                os.chown(scratch, req["uid"], req["uid"])
            for _ in range(3):
                fds.extend(os.pipe())
            out_r, out_w, err_r, err_w, rep_r, rep_w = fds
            start = time.monotonic()
            pid = os.fork()
        except OSError as exc:  # no program ran: say why instead of dying
            for fd in fds:
                os.close(fd)
            shutil.rmtree(scratch, ignore_errors=True)
            return {"wait_status": None, "worker_died": True, "exception_type": "SandboxError",
                    "exception_message": f"could not start the program: {exc!r}", "wall_s": 0.0}
        if pid == 0:
            os.close(out_r), os.close(err_r), os.close(rep_r)
            os.close(self.req_fd), os.close(self.resp_fd)
            _child(req, scratch, out_w, err_w, rep_w, self.libc)
        for fd in (out_w, err_w, rep_w):
            os.close(fd)

        cap, flood = int(req["max_output"]), int(req["max_output"]) * int(req.get("flood_factor", 16))
        bufs = {out_r: bytearray(), err_r: bytearray(), rep_r: bytearray()}
        seen = {out_r: 0, err_r: 0, rep_r: 0}
        pidfd = os.pidfd_open(pid)
        sel = selectors.DefaultSelector()
        for fd in (out_r, err_r, rep_r, pidfd):
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
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
            for key, _ in sel.select(min(left, 1.0)):
                if key.fd == pidfd:
                    _, wait_status = os.waitpid(pid, 0)
                    sel.unregister(pidfd)
                else:
                    drain(key.fd)
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
            for key, _ in sel.select(0.2):
                if key.fd != pidfd:
                    drain(key.fd)
        sel.close()
        for fd in (out_r, err_r, rep_r, pidfd):
            os.close(fd)
        shutil.rmtree(scratch, ignore_errors=True)

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

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # What the child needs after it dropped its uid, imported while we can still read everything.
    import ctypes.util  # noqa: F401
    import gc  # noqa: F401
    import linecache  # noqa: F401
    import resource  # noqa: F401
    import selectors  # noqa: F401
    import shutil  # noqa: F401
    import time  # noqa: F401
    import traceback  # noqa: F401
    import types  # noqa: F401

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
    import gc

    gc.collect()
    gc.freeze()  # a forked child's collector then leaves the shared pages alone (fewer copy-on-write faults)
    info["vm_size"], info["rss"] = _status_bytes("VmSize"), _status_bytes("VmRSS")
    write_msg(resp_fd, info)
    Zygote(req_fd, resp_fd, scratch_root, namespaced).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
