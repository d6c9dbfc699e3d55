"""A full or read-only disk as one line: which file, what happened, and that committed work is kept.

Writing a shard, creating the catalog and exporting can all meet ENOSPC (or a quota, or a disk remounted read-only);
these are conditions a user fixes, not bugs, so they are `CivilError`s and never tracebacks.
"""

from __future__ import annotations

import errno
from pathlib import Path

from civilinstruct.errors import CivilError

DISK_ERRNOS = {errno.ENOSPC: "no space left on device (ENOSPC)", errno.EDQUOT: "disk quota exceeded (EDQUOT)",
               errno.EROFS: "read-only file system (EROFS)", errno.EIO: "input/output error (EIO)",
               errno.EACCES: "permission denied (EACCES)", errno.EPERM: "operation not permitted (EPERM)"}
# DuckDB reports the OS error in its message text only.
DISK_TEXTS = {"no space left on device": errno.ENOSPC, "disk quota exceeded": errno.EDQUOT,
              "read-only file system": errno.EROFS}


class StoreDiskError(CivilError):
    """The disk refused a write; the writer keeps what is committed and does not try again on the way out."""


def disk_errno(exc: BaseException) -> int | None:
    """The errno of a disk failure in an OSError, an Arrow error or a DuckDB error; None for anything else."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code in DISK_ERRNOS:
        return code
    text = str(exc).lower()
    return next((num for needle, num in DISK_TEXTS.items() if needle in text), None)


def disk_error(where: Path | str, doing: str, exc: BaseException) -> StoreDiskError | None:
    """`where: cannot <doing>: no space left on device (ENOSPC); ...` or None when `exc` is not a disk failure."""
    code = disk_errno(exc)
    if code is None:
        return None
    advice = ("free some space and rerun: committed work is kept" if code in (errno.ENOSPC, errno.EDQUOT)
              else "make it writable (or choose another directory) and rerun: committed work is kept")
    return StoreDiskError(f"{where}: cannot {doing}: {DISK_ERRNOS[code]}; {advice}")
