"""store.diskerrors: a disk that refuses a write becomes one user-facing line; anything else stays a bug."""

from __future__ import annotations

import errno

import duckdb
import pytest

from civilinstruct.errors import CivilError
from civilinstruct.store.diskerrors import DISK_ERRNOS, StoreDiskError, disk_errno, disk_error


@pytest.mark.parametrize("code", sorted(DISK_ERRNOS))
def test_os_errors_by_errno(code: int) -> None:
    """Guards the errno table: each disk errno is recognised from an OSError."""
    assert disk_errno(OSError(code, "x")) == code


def test_text_only_errors_and_non_disk_errors() -> None:
    """Guards DuckDB's case (the errno only in the message) and that other failures are not mistaken for disk
    ones (an ENOENT OSError, a plain ValueError)."""
    assert disk_errno(duckdb.IOException("IO Error: No space left on device")) == errno.ENOSPC
    assert disk_errno(RuntimeError("Read-only file system")) == errno.EROFS
    assert disk_errno(OSError(errno.ENOENT, "No such file")) is None
    assert disk_errno(ValueError("bad value")) is None
    assert disk_error("/x", "write", ValueError("bad")) is None


def test_message_and_advice() -> None:
    """Guards the line a user sees: where, what was being done, the errno in words, and advice that fits it
    (free space for ENOSPC/EDQUOT, make writable for EROFS)."""
    full = disk_error("/data/s.parquet", "write the shard", OSError(errno.ENOSPC, "full"))
    assert isinstance(full, StoreDiskError) and isinstance(full, CivilError)
    assert str(full) == ("/data/s.parquet: cannot write the shard: no space left on device (ENOSPC); "
                         "free some space and rerun: committed work is kept")
    ro = disk_error("/data", "create the catalog", OSError(errno.EROFS, "ro"))
    assert ro is not None and "read-only file system (EROFS); make it writable" in str(ro)
