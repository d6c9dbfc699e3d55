"""Load a documentation directory: check it early (one-line user errors), parse every page, list commands."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from civilinstruct.opensees_docs.model import Command, DocPage
from civilinstruct.opensees_docs.parse import parse_file
from civilinstruct.errors import CivilError

log = logging.getLogger(__name__)
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
RST_SUFFIXES = {".rst"}


class DocSet(BaseModel):
    """Every page of a documentation directory, parsed, and the commands they document."""

    root: str
    pages: list[DocPage]

    @property
    def command_pages(self) -> list[DocPage]:
        return [p for p in self.pages if p.is_command_page]

    def commands(self) -> list[Command]:
        """One `Command` per command key, in page order; later pages add forms to an earlier key."""
        by_key: dict[str, Command] = {}
        for page in self.pages:
            for sig in page.signatures:
                if sig.style != "python":
                    continue
                if sig.command in by_key:
                    known = by_key[sig.command]
                    if sig.raw not in {s.raw for s in known.signatures}:
                        known.signatures.append(sig)
                    continue
                by_key[sig.command] = Command(key=sig.command, page=_rel(page.path, self.root),
                                              signatures=[sig], doc=page)
        return list(by_key.values())


def _rel(path: str, root: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def html_files(path: Path | str) -> list[Path]:
    """The HTML files under `path`, or a `CivilError` saying in one line why there are none."""
    root = Path(path)
    if not root.exists():
        raise CivilError(f"--docs {root}: no such directory")
    if not root.is_dir():
        raise CivilError(f"--docs {root}: not a directory (give the folder of the rendered HTML pages)")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if not files:
        raise CivilError(f"--docs {root}: the directory is empty")
    pages = [p for p in files if p.suffix.lower() in HTML_SUFFIXES]
    if not pages:
        raise CivilError(f"--docs {root}: no .html files among its {len(files)} files (is it the rendered HTML?)")
    return pages


def doc_format(path: Path | str) -> str:
    """`html` (rendered pages) or `rst` (the documentation source, as `docs fetch` gets it); else one-line error."""
    root = Path(path)
    try:
        html_files(root)
        return "html"
    except CivilError as html_error:
        if not root.is_dir() or not rst_files(root):
            if root.is_dir() and str(html_error).endswith("(is it the rendered HTML?)"):
                raise CivilError(f"--docs {root}: neither .html pages nor .rst sources (give the rendered HTML, "
                                 f"the OpenSeesPyDoc source, or use the embedded set)") from None
            raise
        return "rst"


def rst_files(path: Path | str) -> list[Path]:
    """The reStructuredText sources under `path` (the upstream repository keeps its commands under src/)."""
    return sorted(p for p in Path(path).rglob("*") if p.is_file() and p.suffix.lower() in RST_SUFFIXES)


def _parse_one(path: Path) -> DocPage:
    if path.suffix.lower() in RST_SUFFIXES:
        from civilinstruct.opensees_docs.rst import parse_rst_file

        return parse_rst_file(path)
    return parse_file(path)


def _parse_chunk(paths: list[Path]) -> list[DocPage]:
    return [_parse_one(p) for p in paths]


def _parse_all(paths: list[Path], workers: int) -> list[DocPage]:
    """Parse pages, in `workers` processes when there are enough pages to pay for them (order kept)."""
    if workers <= 1 or len(paths) < 64:
        return _parse_chunk(paths)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [paths[i::workers * 4] for i in range(workers * 4)]
    # forkserver, not fork: the caller may hold threads (duckdb, progress bars, a test runner), and a forked child
    # of a threaded process can crash in lxml's or the collector's locks (seen: a segfault in bs4 under load)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        parsed = list(pool.map(_parse_chunk, chunks))
    by_path = {page.path: page for chunk in parsed for page in chunk}
    return [by_path[str(p)] for p in paths]


def load_docs(path: Path | str, files: Iterable[Path] | None = None, workers: int | None = None) -> DocSet:
    """Parse every page; pages that fail are kept with a `skipped` reason and logged, never raised.

    `workers` processes parse in parallel (default: up to 4, bounded by the CPUs this process may use)."""
    if files is not None:
        paths = list(files)
    else:
        paths = html_files(path) if doc_format(path) == "html" else rst_files(path)
    if workers is None:
        workers = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    pages = _parse_all(paths, workers)
    for page in pages:
        if page.skipped:
            log.info("docs: %s: %s", page.path, page.skipped)
    if not any(p.signatures for p in pages):
        raise CivilError(f"--docs {path}: {len(pages)} pages but none documents a command signature")
    return DocSet(root=str(Path(path)), pages=pages)
