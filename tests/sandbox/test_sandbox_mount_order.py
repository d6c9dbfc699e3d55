"""The scratch tmpfs must not hide a venv that lives under /tmp (CI clones often do)."""

from __future__ import annotations

from civilinstruct.sandbox.isolation import SCRATCH_ROOT, bwrap_command, python_roots


def test_tmpfs_is_mounted_before_the_python_binds():
    args = bwrap_command()
    tmpfs_at = args.index("--tmpfs")
    assert args[tmpfs_at + 1] == SCRATCH_ROOT
    for root in python_roots():
        bind_at = max(i for i, a in enumerate(args) if a == "--ro-bind" and args[i + 1] == root)
        assert bind_at > tmpfs_at, f"{root} is bound before /tmp is mounted and would be hidden under /tmp"
