"""What isolation this machine gives, and the bubblewrap command line that gives it.

The sandbox sees only what Python needs (system libraries, the interpreter prefix, the venv's packages, the
zygote script), read-only; a private tmpfs /tmp holds the scratch dirs; net, pid, ipc and uts namespaces are new.
Nothing of the user's home or project is bound. `probe()` runs the real command once and says which protection
is on; `Sandbox` refuses when one is off, unless weak isolation is explicitly allowed.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

ZYGOTE_SOURCE = Path(__file__).with_name("zygote.py")
ZYGOTE_IN_SANDBOX = "/opt/civilinstruct/zygote.py"
# The modules the zygote loads from its own directory (the civilinstruct package is not visible in the sandbox).
SIBLING_SOURCES = tuple(Path(__file__).with_name(f"{name}.py") for name in ("wire", "probe", "sweep", "memwatch",
                                                                               "forker"))
SCRATCH_ROOT = "/tmp"
# The only variables a program sees (plus HOME/TMPDIR = its scratch dir): one BLAS thread per worker.
SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group", "nsswitch.conf",
              "hosts", "alternatives", "ssl/certs/ca-certificates.crt", "matplotlibrc")
# The supervisor's: uid drop, clean-up, and CAP_SYS_PTRACE to read a program's PSS (memwatch.py). A child loses
# them all when it drops its uid, before the program runs.
_CAPS_KEPT = ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SYS_PTRACE")
SCRATCH_TMPFS_BYTES = 1 << 30


def python_roots() -> list[str]:
    """Directories the interpreter and its packages live in (resolved), outside the system dirs."""
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    for key in ("purelib", "platlib", "stdlib", "platstdlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    exe = os.path.realpath(sys.executable)
    roots.add(os.path.dirname(os.path.dirname(exe)))
    kept: list[str] = []
    for root in sorted(roots, key=len):
        if any(root == k or root.startswith(k + "/") for k in kept):
            continue
        if any(root == d or root.startswith(d + "/") for d in _SYSTEM_DIRS):
            continue
        if os.path.isdir(root):
            kept.append(root)
    return kept


def bwrap_command(python: str | None = None, scratch_bytes: int = SCRATCH_TMPFS_BYTES) -> list[str]:
    """The bubblewrap arguments up to (not including) the command run inside; `scratch_bytes` sizes /tmp (a worker
    passes its program memory cap when smaller: files there are memory, counted in that cap)."""
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    for key, value in SANDBOX_ENV.items():
        args += ["--setenv", key, value]
    args += ["--cap-drop", "ALL"]
    for cap in _CAPS_KEPT:  # the zygote needs these to drop a child's uid and clean up; the child loses them all
        args += ["--cap-add", cap]
    binds: list[tuple[str, str]] = [(os.path.join("/etc", name),) * 2 for name in _ETC_FILES  # type: ignore[misc]
                                    if os.path.exists(os.path.join("/etc", name))]
    binds += [(root, root) for root in python_roots()]
    binds.append((str(ZYGOTE_SOURCE), ZYGOTE_IN_SANDBOX))
    binds += [(str(path), os.path.join(os.path.dirname(ZYGOTE_IN_SANDBOX), path.name)) for path in SIBLING_SOURCES]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    # The scratch tmpfs comes before the binds: a venv that lives under /tmp (a CI checkout, say) must be bound
    # on top of it, not hidden by it.
    args += ["--size", str(scratch_bytes), "--perms", "0755", "--tmpfs", SCRATCH_ROOT]
    made: set[str] = set()
    for _, dest in binds:  # bwrap would create missing parents as 0700: unreadable once a program drops its uid
        for parent in _parents(dest):
            if parent not in made and not any(parent == d for d in _SYSTEM_DIRS) and parent != SCRATCH_ROOT:
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]
    for source, dest in binds:
        args += ["--ro-bind", source, dest]
    args += ["--proc", "/proc", "--dev", "/dev", "--chdir", SCRATCH_ROOT]
    return args


def _parents(path: str) -> list[str]:
    """Ancestors of `path`, outermost first, without `/`."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


@dataclass
class Isolation:
    """What the sandbox can rely on here; `missing` names each protection that is off."""

    bwrap: str | None
    namespaces: bool
    uid_drop: bool
    problems: list[str] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.namespaces and self.uid_drop and not self.problems

    def describe_missing(self) -> str:
        return "; ".join(self.problems) or "none"


@functools.lru_cache(maxsize=1)
def probe() -> Isolation:
    """Run the real bubblewrap command once (cached per process) and say what works."""
    problems: list[str] = []
    bwrap = shutil.which("bwrap")
    uid_drop = os.geteuid() == 0
    if not uid_drop:
        problems.append("not running as root: programs cannot be dropped to a separate uid, so the process "
                        "cap and the kill-by-uid cleanup are off")
    namespaces = False
    if bwrap is None:
        problems.append("bubblewrap (bwrap) is not installed: no network, pid or mount namespaces "
                        "(apt-get install bubblewrap)")
    else:
        cmd = bwrap_command() + [os.path.realpath(sys.executable), "-I", "-c",
                                 "import os,socket; assert os.getpid() < 10; socket.socket().close()"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=dict(SANDBOX_ENV))
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"bubblewrap failed to start: {exc}")
        else:
            if proc.returncode == 0:
                namespaces = True
            else:
                last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
                problems.append(f"bubblewrap cannot create the namespaces here: {last}")
    if uid_drop and not namespaces:
        hidden = [root for root in python_roots() if not _others_can_read(root)]
        if hidden:  # inside bwrap the parents are remade 0755; on the bare host they stay as they are
            uid_drop = False
            problems.append(f"the interpreter at {hidden[0]} is not readable by other users, so programs cannot run "
                            "as a separate uid without bubblewrap")
    return Isolation(bwrap=bwrap, namespaces=namespaces, uid_drop=uid_drop, problems=problems)


def _others_can_read(path: str) -> bool:
    """Whether a uid that is neither owner nor group can reach and list `path`."""
    import stat

    current = "/"
    for part in [p for p in path.split("/") if p]:
        current = os.path.join(current, part)
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)
