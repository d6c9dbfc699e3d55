"""`civilinstruct docs fetch`: the OpenSeesPy documentation source of a pinned commit, into the user's cache.

The tarball is streamed to a temporary file beside the cache (with a progress bar and a running sha256), checked
against `--sha256` when one is given, unpacked with tarfile's `data` filter (no links or paths out of the folder),
checked to hold documented commands, and only then moved into place with one rename: an interrupted fetch leaves
the previous copy intact and nothing half-written under the final name.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civilinstruct.opensees_docs.source import META, PINNED_COMMIT, UPSTREAM, UPSTREAM_LICENSE, cache_root, cached_dir
from civilinstruct.errors import CivilError

DEFAULT_URL = "https://codeload.github.com/zhuminjie/OpenSeesPyDoc/tar.gz/{commit}"
CHUNK = 1 << 16


def _download(url: str, dest: Path, progress: bool) -> str:
    """Stream `url` into `dest`; returns the sha256. Network trouble is one line that says what to do instead."""
    import httpx
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    digest = hashlib.sha256()
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=30.0) as resp:
            if resp.status_code != 200:
                raise CivilError(f"docs fetch: {url} answered HTTP {resp.status_code}; check --url/--commit, or give "
                                 f"a documentation folder with --docs PATH")
            total = int(resp.headers.get("content-length") or 0) or None
            with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                          TransferSpeedColumn(), disable=not progress, transient=True) as bar, dest.open("wb") as out:
                task = bar.add_task("OpenSeesPyDoc", total=total)
                for chunk in resp.iter_bytes(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.advance(task, len(chunk))
    except httpx.HTTPError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CivilError(f"docs fetch: cannot download {url} ({reason}); without network, give a documentation "
                         f"folder with --docs PATH (the embedded set is used when none is given)") from None
    return digest.hexdigest()


def _unpack(tarball: Path, into: Path) -> Path:
    """Unpack safely; returns the single top folder (codeload's `OpenSeesPyDoc-<commit>/`) or `into` itself."""
    try:
        with tarfile.open(tarball, "r:*") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise CivilError(f"docs fetch: the download is not a readable tarball ({type(exc).__name__}: {exc})") from None
    entries = [p for p in into.iterdir()]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into


def fetch_docs(*, commit: str = PINNED_COMMIT, url: str | None = None, sha256: str | None = None,
               progress: bool = True) -> dict[str, Any]:
    """Download, verify, unpack and move into place; returns what was recorded (also in the folder's META)."""
    from civilinstruct.opensees_docs.loader import load_docs

    url = url or DEFAULT_URL.format(commit=commit)
    final = cached_dir(commit)
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=final.parent))  # same filesystem: the rename is atomic
    try:
        tarball = work / "docs.tar.gz"
        got = _download(url, tarball, progress)
        if sha256 and got.lower() != sha256.strip().lower():
            raise CivilError(f"docs fetch: sha256 mismatch for {url}: expected {sha256.strip().lower()}, got {got}")
        top = _unpack(tarball, work / "x")
        docs = load_docs(top)  # one line if the tarball holds no documented command
        meta = {"name": UPSTREAM, "commit": commit, "url": url, "sha256": got, "sha256_verified": bool(sha256),
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"), "commands": len(docs.commands()),
                "pages": len(docs.pages), "license": UPSTREAM_LICENSE}
        (top / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        old = None
        if final.exists():
            old = final.with_name(f".old-{final.name}-{os.getpid()}")
            final.rename(old)
        top.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return {**meta, "path": str(final)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


__all__ = ["DEFAULT_URL", "fetch_docs", "cache_root"]
