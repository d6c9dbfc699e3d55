"""Durable file placement: a file appears under its final name only once its bytes are on disk."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory's fsync makes a rename in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def durable_replace(tmp: Path, final: Path) -> None:
    """fsync `tmp`, rename it to `final` atomically, and fsync the directory that holds the new name."""
    fsync_path(tmp)
    os.replace(tmp, final)
    fsync_path(final.parent)
