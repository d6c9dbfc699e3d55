"""`doctor` lines for the sandbox: each protection probed for real, by running hostile probes through `Sandbox`.

A line is `ok` only when the probe saw the protection hold on this machine (a connect refused, a write denied, a
fork refused at the cap, an allocation refused at the cap), not when a flag was merely passed.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from pathlib import Path

from civilinstruct.errors import CivilError
from civilinstruct.health import Check
from civilinstruct.sandbox import isolation

_FIX_BWRAP = "apt-get install bubblewrap (and allow unprivileged or root namespaces)"
_PROBE_NPROC = 8
_PROBED = ("sandbox: network namespace", "sandbox: pid namespace + /proc", "sandbox: mount isolation",
           "sandbox: environment", "sandbox: uid drop + process cap", "sandbox: memory cap")

_PROBE = r"""
import json, os, socket, sys, time
port, canary, forbidden = {port}, {canary!r}, {forbidden!r}
out = {{"pid": os.getpid(), "uid": os.getuid(), "cwd": os.getcwd()}}
out["proc_pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    out["net"] = "connected"
except OSError as exc:
    out["net"] = type(exc).__name__
writes = {{}}
for path in ["/tmp/civilinstruct-doctor-escape", sys.prefix + "/civilinstruct-doctor-escape",
             "/civilinstruct-doctor-escape"]:
    try:
        with open(path, "w") as fh:
            fh.write("x")
        writes[path] = "written"
    except OSError as exc:
        writes[path] = type(exc).__name__
try:
    with open("scratch-file", "w") as fh:
        fh.write("x")
    writes["scratch"] = "written"
except OSError as exc:
    writes["scratch"] = type(exc).__name__
out["writes"] = writes
out["visible"] = [p for p in forbidden if os.path.exists(p)]
out["checked"] = forbidden
out["canary"] = canary in json.dumps(dict(os.environ))
forked, refused = 0, 0
for _ in range({forks}):
    try:
        pid = os.fork()
    except OSError:
        refused += 1
        continue
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    forked += 1
out["forked"], out["refused"] = forked, refused
print("PROBE " + json.dumps(out))
"""


_HARMLESS = r"""
import json, os
print("PROBE " + json.dumps({{"uid": os.getuid(), "canary": {canary!r} in json.dumps(dict(os.environ))}}))
"""


def doctor_checks() -> list[Check]:
    """One line per protection: bubblewrap, net ns, pid ns + /proc, mounts, env, uid + nproc, memory, cgroup.

    The escape probe really tries to escape (writes into /, /tmp and the venv, connects to the host, forks past
    the cap, allocates 8 GiB), so it runs only under full isolation; otherwise those lines say they were not
    probed, and only a harmless program checks what needs no isolation (the environment).
    """
    iso = isolation.probe()
    checks = [_bwrap_check(iso)]
    try:
        checks += _probe_checks(iso) if iso.full else _unprobed_checks(iso)
    except CivilError as exc:
        checks += [Check(name, "missing", f"the probes could not run: {exc}", _FIX_BWRAP) for name in _PROBED]
    checks.append(_cgroup_check())
    return checks


def _bwrap_check(iso: isolation.Isolation) -> Check:
    if iso.bwrap is None:
        return Check("sandbox: bubblewrap", "missing", "bwrap not found on PATH", _FIX_BWRAP)
    try:
        version = subprocess.run([iso.bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        version = "bwrap"
    status = "ok" if iso.namespaces else "degraded"
    return Check("sandbox: bubblewrap", status, f"{version} at {iso.bwrap}" + ("" if iso.namespaces else
                 f"; cannot create namespaces: {iso.describe_missing()}"), "" if iso.namespaces else _FIX_BWRAP)


def _probe_checks(iso: isolation.Isolation) -> list[Check]:
    from civilinstruct.sandbox import Sandbox

    canary_name, canary = "CIVILINSTRUCT_DOCTOR_CANARY", "canary-" + secrets.token_hex(8)
    forbidden = _private_paths()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    old = os.environ.get(canary_name)
    os.environ[canary_name] = canary
    try:
        with Sandbox(timeout=30, memory_mb=256, workers=1, allow_weak_isolation=True, max_procs=_PROBE_NPROC) as box:
            probe = box.run(_PROBE.format(port=port, canary=canary, forbidden=forbidden, forks=_PROBE_NPROC * 3))
            bomb = box.run("x = bytearray(8 * 1024 ** 3)\n")
    finally:
        if old is None:
            os.environ.pop(canary_name, None)
        else:
            os.environ[canary_name] = old
    try:
        listener.accept()[0].close()
        reached = True
    except OSError:
        reached = False
    finally:
        listener.close()
    line = next((ln for ln in probe.stdout.splitlines() if ln.startswith("PROBE ")), None)
    if probe.status != "ok" or line is None:
        raise CivilError(f"the probe program did not run in the sandbox: {probe.status} "
                         f"{probe.exception_type or ''} {probe.exception_message or ''}".strip())
    facts = json.loads(line[len("PROBE "):])
    return [_net(iso, facts, reached), _pid(iso, facts), _mounts(iso, facts), _env(facts),
            _uid(iso, facts), _memory(bomb.status)]


def _unprobed_checks(iso: isolation.Isolation) -> list[Check]:
    """Without full isolation: say which lines were not probed and why; check the environment harmlessly."""
    from civilinstruct.sandbox import Sandbox

    canary_name, canary = "CIVILINSTRUCT_DOCTOR_CANARY", "canary-" + secrets.token_hex(8)
    old = os.environ.get(canary_name)
    os.environ[canary_name] = canary
    try:
        with Sandbox(timeout=30, memory_mb=256, workers=1, allow_weak_isolation=True) as box:
            result = box.run(_HARMLESS.format(canary=canary))
    finally:
        if old is None:
            os.environ.pop(canary_name, None)
        else:
            os.environ[canary_name] = old
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("PROBE ")), None)
    if result.status != "ok" or line is None:
        raise CivilError(f"a harmless program did not run in the sandbox: {result.status}")
    facts = json.loads(line[len("PROBE "):])
    why = f"not probed: without full isolation ({iso.describe_missing()}) the escape probe would act on this machine"
    return [Check("sandbox: network namespace", "missing", f"{why} (connect to a host listener)", _FIX_BWRAP),
            Check("sandbox: pid namespace + /proc", "missing", f"{why} (see host processes)", _FIX_BWRAP),
            Check("sandbox: mount isolation", "missing", f"{why} (write into /, /tmp and the venv)", _FIX_BWRAP),
            _env(facts),
            Check("sandbox: uid drop + process cap", "missing", f"programs run as uid {facts['uid']}; process cap "
                  f"{why.removeprefix('not probed: ')}", "run as root with bubblewrap"),
            Check("sandbox: memory cap", "degraded", f"{why} (an 8 GiB allocation)", _FIX_BWRAP)]


def _private_paths() -> list[str]:
    """Host files a program must not see: this package's source, and entries of the home and working dirs."""
    bound = isolation.python_roots()
    found = [str(Path(__file__).resolve())]
    for base in (Path.home(), Path.cwd()):
        try:
            entries = sorted(base.iterdir())[:20]
        except OSError:
            continue
        for entry in entries:
            text = str(entry.resolve())
            if not any(b == text or b.startswith(text + "/") or text.startswith(b + "/") for b in bound):
                found.append(text)
    return sorted(set(found))[:30]


def _net(iso: isolation.Isolation, facts: dict, reached: bool) -> Check:
    name = "sandbox: network namespace"
    if not reached and facts["net"] != "connected" and iso.namespaces:
        return Check(name, "ok", f"a connect to a host loopback listener was refused ({facts['net']}); "
                                 "nothing reached it")
    why = "a program reached a host loopback listener" if reached or facts["net"] == "connected" else \
        f"no network namespace ({iso.describe_missing()})"
    return Check(name, "missing", why, _FIX_BWRAP)


def _pid(iso: isolation.Isolation, facts: dict) -> Check:
    name = "sandbox: pid namespace + /proc"
    pids = facts["proc_pids"]
    if iso.namespaces and facts["pid"] < 100 and len(pids) <= 8:
        return Check(name, "ok", f"the program is pid {facts['pid']} and /proc shows {len(pids)} processes; "
                                 "everything it leaves is killed after each run")
    return Check(name, "missing", f"no pid namespace: the program sees {len(pids)} processes in /proc", _FIX_BWRAP)


def _mounts(iso: isolation.Isolation, facts: dict) -> Check:
    name = "sandbox: mount isolation"
    writes = facts["writes"]
    escaped = [p for p, how in writes.items() if p != "scratch" and how == "written"]
    if iso.namespaces and not escaped and not facts["visible"] and writes.get("scratch") == "written":
        return Check(name, "ok", "writes outside the scratch dir are denied; home and project files are not "
                                 f"visible ({len(facts['checked'])} probed); scratch is a private tmpfs")
    detail = (f"wrote outside scratch: {', '.join(escaped)}" if escaped else
              f"visible: {', '.join(facts['visible'])}" if facts["visible"] else "scratch not writable")
    return Check(name, "missing", detail, _FIX_BWRAP)


def _env(facts: dict) -> Check:
    if not facts["canary"]:
        return Check("sandbox: environment", "ok", "cleared: a canary variable of the caller did not reach the program")
    return Check("sandbox: environment", "missing", "the caller's variables reach programs", "report a bug")


def _uid(iso: isolation.Isolation, facts: dict) -> Check:
    name = "sandbox: uid drop + process cap"
    if facts["uid"] != 0 and facts["refused"] > 0 and facts["forked"] <= _PROBE_NPROC:
        return Check(name, "ok", f"programs run as uid {facts['uid']} (one unused uid per worker); forks past the "
                                 f"cap of {_PROBE_NPROC} processes were refused ({facts['forked']} allowed)")
    return Check(name, "missing", f"programs run as uid {facts['uid']}; {facts['forked']} forks allowed with a cap "
                                  f"of {_PROBE_NPROC}", "run as root (or under sudo) so programs get their own uid")


def _memory(status: str) -> Check:
    if status == "oom":
        return Check("sandbox: memory cap", "ok", "an 8 GiB allocation over a 256 MB cap was refused (status oom)")
    return Check("sandbox: memory cap", "missing", f"an 8 GiB allocation over a 256 MB cap ended {status}",
                 "report a bug")


def _cgroup_check() -> Check:
    from civilinstruct.sandbox import cgroup

    found = cgroup.available()
    if found:
        return Check("sandbox: cgroup (bonus)", "ok", f"memory cgroup per worker at {found}: caps the whole "
                                                      "process tree, not only each process")
    return Check("sandbox: cgroup (bonus)", "degraded", "no writable memory cgroup: a program's process tree is "
                 "capped as a whole by the sandbox's memory watch (summed every 10-100 ms), not by the kernel",
                 "run with a writable /sys/fs/cgroup (cgroup v1 memory or v2 with the memory controller)")

