"""Inside the sandbox: the forkers (warm interpreters with openseespy, and numpy for the second) and the child each
one forks per program: its set-up (fds, process group, rlimits, uid drop), the program's run, its report.

Standard library only (the zygote loads it from its own directory; see zygote.py for the whole design).
"""

from __future__ import annotations

import gc
import linecache
import os
import resource as _resource
import struct
import sys
import traceback
import types
from typing import Any

if __package__:
    from civilinstruct.sandbox import probe
    from civilinstruct.sandbox.wire import read_exact, read_msg, write_msg
else:  # loaded by the zygote, which loaded these first
    probe = sys.modules["_civilinstruct_probe"]
    _wire = sys.modules["_civilinstruct_wire"]
    read_exact, read_msg, write_msg = _wire.read_exact, _wire.read_msg, _wire.write_msg

PROGRAM_NAME = "<program>"
_NOFILE = _resource.getrlimit(_resource.RLIMIT_NOFILE)[1]
_MAX_FD = _NOFILE if 3 < _NOFILE < (1 << 31) else 1 << 20  # no fd number reaches the hard limit
PID_FORMAT = struct.Struct("<i")
_FORKER_VM_SIZE = [0]  # set in each forker once it has imported what it preloads
_PROBE: list[Any] = [None]  # each forker's probe controller (probe.install), inherited by its children

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


# ---------------------------------------------------------------------------------------------------- the child
def load_libc() -> Any:
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
        # From here on it reports, each frame carrying the run's key (it follows the request on the pipe).
        _PROBE[0].start(read_exact(ctl_r, probe.KEY_BYTES), rep_w, bool(req.get("probe", True)))
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
        status = _execute(code)
    except BaseException as exc:  # the set-up itself failed: say so, do not run the program
        try:
            _PROBE[0].finish({"exception_type": "SandboxSetupError", "exception_message": repr(exc)})
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


def _execute(code: str) -> int:
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
    _PROBE[0].finish(report)
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

    libc = load_libc()
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
    _PROBE[0] = probe.install(arm_here=True)  # wraps eigen/wipe of the openseespy just imported, for every child
    fork = clone_parent()
    gc.collect()
    gc.freeze()  # a child's collector then leaves the shared pages alone (fewer copy-on-write faults)
    info["vm_size"], info["rss"] = _status_bytes("VmSize"), _status_bytes("VmRSS")
    _FORKER_VM_SIZE[0] = info["vm_size"]
    write_msg(pid_w, info)
    read, write, pack, exit_ = os.read, os.write, PID_FORMAT.pack, os._exit
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


def _status_bytes(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0
