"""One export at a time into one `--out`: a lock beside the folder, naming its holder.

Why: an export removes the temporary folders a killed export of the same `--out` left, writes its own, then swaps
it into place; two at once would remove each other's work and interleave their swaps. The second export fails at
once, in one line naming the holder (its pid and command), as the build lock does for a data directory.

The lock is an flock on `.<out name>.export-lock` beside `--out` (released by the kernel when its holder dies, so a
killed export never blocks the next), holding the holder's identity (store/process.py) as JSON. The holder removes
the file when done; a process that locked a file just removed (the inode under the name changed) tries again.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from civilinstruct.errors import CivilError
from civilinstruct.store.diskerrors import disk_error
from civilinstruct.store.process import Holder, command_line, describe


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.export-lock"


@contextmanager
def export_lock(out: Path) -> Iterator[Path]:
    """Hold the lock of `out` for the `with` block, or raise CivilError naming who holds it."""
    path = lock_path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (disk_error(out, "write the export", exc)
               or CivilError(f"{out}: cannot write the export ({exc.strerror})")) from None
    fd = _acquire(path, out)
    try:
        try:
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({**Holder.me().as_json(), "command": command_line(os.getpid())}).encode())
        except OSError:
            pass  # (the lock holds without the note; a waiter then names no holder)
        yield path
    finally:
        try:
            path.unlink()  # while still holding it: a process that locked this inode meanwhile sees it gone
        except OSError:
            pass
        os.close(fd)


def _acquire(path: Path, out: Path) -> int:
    for _ in range(100):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise (disk_error(out, "write the export", exc)
                   or CivilError(f"{path}: cannot take the export lock ({exc.strerror})")) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe_holder(fd)
            os.close(fd)
            raise CivilError(f"{out}: another export is writing to this folder ({holder}; lock {path}); "
                             "wait for it or choose another --out") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we locked it: lock the new one
    raise CivilError(f"{path}: cannot take the export lock (it keeps changing)")


def _describe_holder(fd: int) -> str:
    try:
        note = json.loads(os.pread(fd, 1 << 16, 0) or b"null")
    except (OSError, ValueError):
        note = None
    return describe(note)
