"""`civilinstruct doctor`: what works on this machine, each line ok / degraded / missing with what to do."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

from civilinstruct.health import Check, Status

__all__ = ["Check", "Status", "run_checks"]


def check_openseespy() -> Check:
    # Import in a child: a missing BLAS makes the import fail hard, and we want a line, not a crash.
    probe = "import openseespy.opensees as ops; ops.wipe(); print(ops.version())"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    if proc.returncode == 0:
        return Check("openseespy", "ok", f"imports, OpenSees {proc.stdout.strip().splitlines()[0]}")
    last = (proc.stderr.strip().splitlines() or ["import failed"])[-1]
    return Check("openseespy", "missing", last, "pip install openseespy; apt-get install libblas3 liblapack3")


def check_blas() -> Check:
    libs = [Path("/usr/lib/x86_64-linux-gnu/libblas.so.3"), Path("/usr/lib/x86_64-linux-gnu/liblapack.so.3")]
    missing = [p.name for p in libs if not p.exists()]
    if not missing:
        return Check("blas/lapack", "ok", "libblas.so.3 and liblapack.so.3 found")
    return Check("blas/lapack", "missing", f"not found: {', '.join(missing)}", "apt-get install libblas3 liblapack3")


def check_disk(path: Path = Path(".")) -> Check:
    free_gb = shutil.disk_usage(path).free / 1e9
    if free_gb >= 5:
        return Check("disk", "ok", f"{free_gb:.1f} GB free at {path.resolve()}")
    status: Status = "degraded" if free_gb >= 0.5 else "missing"
    return Check("disk", status, f"only {free_gb:.2f} GB free at {path.resolve()}", "free disk space; a full release needs ~1 GB")


def check_module(module: str, extra: str) -> Check:
    found = importlib.util.find_spec(module) is not None
    if found:
        return Check(module, "ok", "installed")
    return Check(module, "degraded", "not installed (optional)", f"pip install 'civilinstruct[{extra}]'")


def run_checks(data_dir: Path = Path(".")) -> list[Check]:
    """All checks, the sandbox's isolation probes included."""
    from civilinstruct.sandbox.checks import doctor_checks

    checks = [check_openseespy(), check_blas(), check_disk(data_dir), *doctor_checks()]
    checks += [check_module("trl", "train"), check_module("ray", "ray")]
    return checks
