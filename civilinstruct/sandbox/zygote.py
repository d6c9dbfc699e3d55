"""The warm worker that runs inside the sandbox: import numpy + openseespy once, fork a fresh child per program.

This file is bound read-only into the bubblewrap sandbox and run as a script, so it uses only the standard
library (the civilinstruct package itself is not visible in there). It also holds the wire format that the host
side (`worker.py`) imports: 4-byte big-endian length + UTF-8 JSON, on two inherited pipes. Programs never see
those pipes; their fds 0/1/2 are /dev/null and two capture pipes.

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
_PID = struct.Struct("<i")
_FORKER_VM_SIZE = [0]  # set in each forker once it has imported what it preloads

# What each forker preloads. Forking and tearing down a child costs in proportion to its parent's memory (page
# tables): ~1.0 ms with openseespy alone against ~1.65 ms with numpy too, here. Most programs (API snippets, the
# generated frame programs) never import numpy; those that name it, or a library built on it, go to the second.
PRELOADS: tuple[tuple[str, ...], ...] = (
    ("openseespy.opensees",),
    ("numpy", "numpy.linalg", "numpy.random", "openseespy.opensees"),
)
_NUMPY_USERS = ("numpy", "scipy", "pandas", "matplotlib", "opsvis", "vfo", "openseespy.postprocessing",
                "openseespy.preprocessing", "sklearn", "torch")


def pick_forker(code: str) -> int:
    """Which forker runs `code`: the one with numpy when the program names numpy or a library that imports it
    (a program that reaches numpy some other way still works: it imports numpy itself, slower)."""
    return 1 if any(name in code for name in _NUMPY_USERS) else 0


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


class ChildFds:
    """The forker's ends of the persistent pipes, which every child inherits (and nothing else)."""

    def __init__(self, out_w: int, err_w: int, rep_w: int, ctl_r: int) -> None:
        self.out_w, self.err_w, self.rep_w, self.ctl_r = out_w, err_w, rep_w, ctl_r


def _child(scratch: str, fds: ChildFds, libc: Any) -> None:
    """Runs in a forked child; never returns.

    Set-up that needs no request first, then the request from the `ctl` pipe (end of stream: never used), then the
    rlimits, the uid drop and no_new_privs, then the program. Nothing of the program runs before all of it is in
    place.

    Every page this code touches is a copy-on-write fault, so it does as little as it can in Python: signal
    dispositions come from the forker, fds are closed by ranges (close_range), files are written with os calls,
    the environment is the forker's (the sandbox environment, HOME and TMPDIR naming the scratch dir, which has
    the same path in every run), and only a program that names `random` is reseeded.
    """
    status = 1
    rep_w, ctl_r = fds.rep_w, fds.ctl_r
    try:
        # Its own process group, not its own session: the zygote's session (bwrap --new-session, or
        # start_new_session when weak) already has no terminal, and a new session costs a scheduler autogroup.
        os.setpgid(0, 0)
        libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # SIGKILL when the supervisor (our parent: CLONE_PARENT) dies
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fds.out_w, 1)
        os.dup2(fds.err_w, 2)
        keep = sorted(fd for fd in (rep_w, ctl_r) if fd > 2)
        low = 3
        for fd in keep:  # everything else the forker had open goes (its command pipes above all)
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
        req = read_msg(ctl_r)
        if req is None:
            os._exit(0)
        os.close(ctl_r)
        limits = req["limits"]
        setrlimit = _resource.setrlimit
        setrlimit(_resource.RLIMIT_CORE, (0, 0))
        setrlimit(_resource.RLIMIT_FSIZE, (limits["fsize"], limits["fsize"]))
        if limits.get("memory"):  # what the program may add to what it starts with (its forker's address space)
            address_space = _FORKER_VM_SIZE[0] + limits["memory"]
            setrlimit(_resource.RLIMIT_AS, (address_space, address_space))
        uid = req.get("uid")
        if uid is not None:
            setrlimit(_resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
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


def reseed_random() -> None:
    """Fresh entropy for `random` and numpy's global random state, as a fresh interpreter has, in the child: every
    program that uses them gets its own seed. (`clone_parent` skips CPython's after-fork hooks, `random`'s among them.)
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


# ---------------------------------------------------------------------------------------------------- the forker
def usual_scratch(scratch_root: str) -> str:
    """The scratch dir of every run: one at a time per zygote (the last is removed before the next is made), so
    one path, which the forker's HOME and TMPDIR name once for all its children."""
    return os.path.join(scratch_root, "run")


_CLONE_PARENT = 0x0000_8000
_SIGCHLD = 17
_SYS_CLONE3 = 435  # the same number on every architecture
_SYS_CLONE = {"x86_64": 56, "aarch64": 220, "riscv64": 220, "ppc64le": 120, "s390x": 120}


def clone_parent() -> Any:
    """`fork()` whose child is our parent's child (CLONE_PARENT), straight from the kernel, with the GIL held.

    Why raw: libc's fork() cannot pass CLONE_PARENT. What the child then skips: libc's and CPython's after-fork
    handlers. Those re-initialise the state of other threads and held locks; the forker has neither (single-
    threaded, forking only from its command loop), and skipping CPython's spares ~180 copy-on-write faults per
    child. glibc keeps no pid cache; `random` is reseeded in the child (`reseed_random`).
    """
    import ctypes
    import platform

    libc = ctypes.PyDLL(None, use_errno=True)  # PyDLL: the GIL stays held across the call
    syscall = libc.syscall
    syscall.restype = ctypes.c_long

    class CloneArgs(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in (
            "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack", "stack_size", "tls", "set_tid",
            "set_tid_size", "cgroup")]

    args = CloneArgs(flags=_CLONE_PARENT)  # (exit_signal 0: a CLONE_PARENT child inherits ours, SIGCHLD)
    clone_nr = _SYS_CLONE.get(platform.machine())
    use_clone3 = [True]

    def fork() -> int:
        if use_clone3[0]:
            pid = syscall(ctypes.c_long(_SYS_CLONE3), ctypes.byref(args), ctypes.c_size_t(ctypes.sizeof(args)))
            if pid >= 0:
                return pid
            err = ctypes.get_errno()
            if err != 38 or clone_nr is None:  # ENOSYS (an old kernel or a seccomp filter): the older call
                raise OSError(err, os.strerror(err))
            use_clone3[0] = False
        zero = ctypes.c_ulong(0)
        pid = syscall(ctypes.c_long(clone_nr), ctypes.c_ulong(_CLONE_PARENT | _SIGCHLD), zero, zero, zero, zero)
        if pid < 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return pid

    return fork


_WARM_UP_SOURCE = """
import math
class Frame:
    def __init__(self, h: float = 3.0, *args, **kwargs) -> None:
        self.h = [h * (i + 1) for i in range(3) if i >= 0]
def f(a, b=2):
    try:
        return {k: v for k, v in zip(a, b)}, f"{a!r:>4}", lambda x: x ** 2
    except (ValueError, KeyError) as exc:
        raise RuntimeError(str(exc)) from None
    finally:
        pass
while False:
    with open("x") as fh:
        break
"""


def forker_main(cmd_r: int, pid_w: int, scratch: str, fds: ChildFds, preload: tuple[str, ...]) -> None:
    """The warm interpreter: import once, then fork on every byte from the supervisor; never returns.

    Its loop is as small as it can be: every page it writes between two forks is a copy-on-write fault.
    """
    import signal

    libc = _libc()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.environ["HOME"] = os.environ["TMPDIR"] = scratch
    import importlib

    import ctypes.util  # noqa: F401  (what a child needs after its uid drop: imported while all can be read)

    info: dict[str, Any] = {"pid": os.getpid(), "preload": list(preload)}
    try:  # the start-up every program would otherwise pay (numpy's linalg and random load lazily: once, here)
        for name in preload:
            importlib.import_module(name)
        sys.modules["openseespy.opensees"].wipe()
        info["opensees"] = True
    except Exception as exc:  # programs still run; the import error shows up in theirs
        info["opensees"] = False
        info["import_error"] = repr(exc)
    # The compiler sets up its AST types and parser tables on first use (~2 ms): once here, not in every child.
    compile(_WARM_UP_SOURCE, "<warm-up>", "exec", dont_inherit=True)
    fork = clone_parent()
    gc.collect()
    gc.freeze()  # a child's collector then leaves the shared pages alone (fewer copy-on-write faults)
    info["vm_size"], info["rss"] = _status_bytes("VmSize"), _status_bytes("VmRSS")
    _FORKER_VM_SIZE[0] = info["vm_size"]
    write_msg(pid_w, info)
    read, write, pack, exit_ = os.read, os.write, _PID.pack, os._exit
    while True:
        if not read(cmd_r, 1):
            exit_(0)
        try:
            pid = fork()
        except OSError as exc:
            pid = -max(1, exc.errno or 1)
        if pid == 0:
            _child(scratch, fds, libc)
        write(pid_w, pack(pid))


# ---------------------------------------------------------------------------------------------------- the supervisor
class Forker:
    """The supervisor's handle on one forker: its pid and its command pipes (a byte in, a pid out)."""

    def __init__(self, pid: int, cmd_w: int, pid_r: int, info: dict) -> None:
        self.pid, self.cmd_w, self.pid_r, self.info = pid, cmd_w, pid_r, info

    def fork(self) -> int:
        """A new child, waiting for its request; raises OSError (ForkerDied when the forker is gone)."""
        os.write(self.cmd_w, b"f")
        answer = _read_exact(self.pid_r, _PID.size)
        if answer is None:
            raise ForkerDied("a forker is gone")
        (pid,) = _PID.unpack(answer)
        if pid < 0:
            raise OSError(-pid, f"fork: {os.strerror(-pid)}")
        return pid


class Zygote:
    """The supervisor: serves run requests one at a time, in order; the forkers make the children."""

    def __init__(self, req_fd: int, resp_fd: int, scratch_root: str) -> None:
        self.req_fd, self.resp_fd = req_fd, resp_fd
        self.scratch_root = scratch_root
        self.scratch = usual_scratch(scratch_root)
        self.libc = _libc()
        self.libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of a program come back to us to be reaped
        self.stale = 0
        self._scratch_made = False
        self._prepared: tuple[int | None, int, int] | None = None  # (uid, forker, pid) of the child forked ahead
        self._start_forkers()

    def _start_forkers(self) -> None:
        """The persistent pipes every child inherits, then one forker per preload (they import side by side)."""
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        rep_r, rep_w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        self.out_r, self.err_r, self.rep_r = out_r, err_r, rep_r
        self.ctl_r, self.ctl_w = ctl_r, ctl_w  # (ctl_r too: to drain a request that a dead child never read)
        child_fds = ChildFds(out_w, err_w, rep_w, ctl_r)
        started: list[tuple[int, int, int]] = []
        for preload in PRELOADS:
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
                    forker_main(cmd_r, pid_w, self.scratch, child_fds, preload)
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
                        self.prepare(req.get("uid"), pick_forker(req["code"]))
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

    def _start(self, req: dict, body: bytes) -> tuple[int, float]:
        """Send the request to the child forked ahead (if it matches and lives) or to a new one; raises OSError."""
        import time

        wanted = (req.get("uid"), pick_forker(req["code"]))
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
        write_body(self.ctl_w, body)  # (the pipe has other readers: a child that died now just reads nothing)
        return prep[2], start

    # -- one program
    def run(self, req: dict, body: bytes) -> dict:
        import select
        import signal
        import time

        try:
            pid, start = self._start(req, body)
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
        wait_status: int | None = None
        timed_out = flooded = False

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
            for fd, _ in sel.poll(max(1, min(int(left * 1000) + 1, 1000))):
                if fd == pidfd:
                    _, wait_status = os.waitpid(pid, 0)
                else:
                    drain(fd)
            if seen[out_r] + seen[err_r] > flood:
                flooded = True
                break
        os.close(pidfd)
        if wait_status is None:  # timeout or output flood: the program is killed with everything it started
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
    def sweep(self, uid: int | None) -> None:
        """Kill and reap everything the program left (daemons, fork bombs, SIGTERM-ignorers).

        Whatever a program left is our descendant, and when its first process is gone, the roots of what is left
        are our children (we are their subreaper): so the usual case, nothing left, costs one read of our list of
        children. Otherwise everything with the program's uid is killed (from a helper with that uid: the forker
        runs as root and is spared), or without a uid, every descendant but the forkers.
        """
        import time

        for _ in range(1000):
            self._reap()
            if not self._children() - self.forker_pids:
                return
            if uid is not None:
                self._kill_uid(uid)
            else:
                self._kill_descendants()
            time.sleep(0.001)  # (SIGKILLed processes die asynchronously; the next round reaps them)

    def _reap(self) -> None:
        while True:
            try:
                child, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if child == 0:
                return
            if child in self.forker_pids:
                raise ForkerDied("a forker died")

    def _children(self) -> set[int]:
        """Our children (alive or not yet reaped), from the kernel's list; a /proc walk where it has none."""
        me = os.getpid()
        try:
            with open(f"/proc/{me}/task/{me}/children", "rb") as fh:
                return {int(pid) for pid in fh.read().split()}
        except OSError:
            return {pid for pid, ppid in _parents().items() if ppid == me}

    def _kill_uid(self, uid: int) -> None:
        """kill(-1) as the program's uid: every process of that uid, nothing else."""
        import signal

        helper = os.fork()
        if helper == 0:
            code = 0
            try:
                os.setgid(uid)
                os.setuid(uid)
                for _ in range(1000):
                    os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                code = 0
            except BaseException:
                code = 1
            os._exit(code)
        os.waitpid(helper, 0)

    def _kill_descendants(self) -> None:
        import signal

        for pid in _descendants(os.getpid()):
            if pid not in self.forker_pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


class ForkerDied(RuntimeError):
    """The forker is gone: the supervisor exits and the host starts a new zygote."""


def _parents() -> dict[int, int]:
    """pid -> parent pid of every live process we can see."""
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
    return parents


def _descendants(root: int) -> list[int]:
    parents = _parents()
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
    scratch_root = argv[3]
    import signal

    # Default dispositions here, inherited by the forker and every child (which then need not touch its signal
    # table): SIGPIPE would be ignored and SIGINT a KeyboardInterrupt; the zygote has its own session, no terminal.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    import select  # noqa: F401
    import shutil  # noqa: F401
    import time  # noqa: F401

    try:
        zygote = Zygote(req_fd, resp_fd, scratch_root)
    except (OSError, RuntimeError) as exc:
        print(f"the sandbox worker could not start its forker: {exc!r}", file=sys.stderr)
        return 1
    info = {**zygote.info, "ready": True, "pid": os.getpid(), "python": sys.version.split()[0]}
    write_msg(resp_fd, info)
    try:
        zygote.serve()
    except ForkerDied as exc:  # the host sees the pipe close and starts a new zygote
        print(f"the sandbox worker stopped: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
