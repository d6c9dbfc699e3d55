"""Which documentation a command reads: one resolution order for every command that needs the docs.

`--docs PATH` > the manifest's `docs:` > `CIVILINSTRUCT_DOCS` > the fetched cache (`civilinstruct docs fetch`) >
the embedded set. A spec is a folder (rendered HTML or reStructuredText source), `embedded`, or
`openseespydoc[@COMMIT]` (the fetched upstream docs of that commit). The chosen source is recorded in lineage with
its name, version and, for the upstream documentation, its licence note.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from civilinstruct.errors import CivilError

UPSTREAM = "OpenSeesPyDoc"
PINNED_COMMIT = "ce0d8f1ded3c722119c44d5b3a2073c9dce47828"
UPSTREAM_LICENSE = ("OpenSeesPy documentation (github.com/zhuminjie/OpenSeesPyDoc): free for research, education "
                    "and internal use; commercial redistribution needs the author's permission.")
META = ".civilinstruct-docs.json"
Origin = Literal["--docs", "manifest", "CIVILINSTRUCT_DOCS", "cache", "embedded"]


class DocSource(BaseModel):
    """A resolved documentation source: where it came from, what it is, and the licence note it carries."""

    origin: Origin
    kind: Literal["embedded", "html", "rst"]
    name: str
    version: str = ""
    path: str | None = None
    license: str | None = None

    @property
    def label(self) -> str:
        """`embedded@builtin-v2`, `OpenSeesPyDoc@ce0d8f1` or the folder: what lineage and catalog show."""
        if self.kind == "embedded" or self.version:
            return f"{self.name}@{self.version[:7] if len(self.version) == 40 else self.version}"
        return self.path or self.name

    def record(self) -> dict[str, Any]:
        return {"docs": self.label, "docs_origin": self.origin, "docs_version": self.version,
                "docs_license": self.license}


def cache_root() -> Path:
    """The user's cache folder for civilinstruct (CIVILINSTRUCT_CACHE overrides the platform's)."""
    env = os.environ.get("CIVILINSTRUCT_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("civilinstruct"))


def cached_dir(commit: str = PINNED_COMMIT) -> Path:
    return cache_root() / "docs" / f"{UPSTREAM}-{commit}"


def cached_docs() -> Path | None:
    """The fetched copy to use: the pinned commit if present, else the most recently fetched one."""
    if (cached_dir() / META).is_file():
        return cached_dir()
    folder = cache_root() / "docs"
    found = sorted((p for p in folder.glob(f"{UPSTREAM}-*") if (p / META).is_file()),
                   key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []
    return found[0] if found else None


def is_named(spec: str | Path) -> bool:
    """`embedded` and `openseespydoc[@COMMIT]` name a source; anything else is a folder."""
    text = str(spec).strip().lower()
    return text in {"embedded", "builtin"} or text == UPSTREAM.lower() or text.startswith(UPSTREAM.lower() + "@")


def _named(spec: str, origin: Origin) -> DocSource:
    text = spec.strip()
    if text.lower() in {"embedded", "builtin"}:
        from civilinstruct.opensees_docs.embedded import BUILTIN_VERSION

        return DocSource(origin=origin, kind="embedded", name="embedded", version=BUILTIN_VERSION)
    commit = text.split("@", 1)[1] if "@" in text else PINNED_COMMIT
    folder = cached_dir(commit)
    if not (folder / META).is_file():
        flag = "" if commit == PINNED_COMMIT else f" --commit {commit}"
        raise CivilError(f"docs {text}: not fetched yet; run `civilinstruct docs fetch{flag}` "
                         f"(or give a documentation folder with --docs PATH)")
    return _folder(folder, origin)


def _folder(path: Path, origin: Origin) -> DocSource:
    from civilinstruct.opensees_docs.loader import doc_format

    kind = doc_format(path)  # one-line error when missing, empty or holding no docs
    meta_file = path / META
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        return DocSource(origin=origin, kind=kind, name=meta.get("name", UPSTREAM), version=meta.get("commit", ""),
                         path=str(path), license=UPSTREAM_LICENSE)
    # a folder of the OpenSeesPy docs (rendered or source): the upstream licence goes with it
    return DocSource(origin=origin, kind=kind, name=path.name, path=str(path.resolve()), license=UPSTREAM_LICENSE)


def resolve_docs(option: str | Path | None = None, manifest: str | Path | None = None,
                 *, origin: Origin | None = None) -> DocSource:
    """The first source that applies, in the one order; `option` is --docs, `manifest` the manifest's `docs:`.

    `origin` labels `option` when a caller has already merged the two (the release runner does)."""
    for spec, where in ((option, origin or "--docs"), (manifest, "manifest"),
                        (os.environ.get("CIVILINSTRUCT_DOCS") or None, "CIVILINSTRUCT_DOCS")):
        if spec is None or str(spec) == "":
            continue
        if is_named(spec):
            return _named(str(spec), where)  # type: ignore[arg-type]
        return _folder(Path(spec).expanduser(), where)  # type: ignore[arg-type]
    fetched = cached_docs()
    if fetched is not None:
        return _folder(fetched, "cache")
    return _named("embedded", "embedded")


def load_source(source: DocSource, workers: int | None = None) -> Any:
    """The `DocSet` of a resolved source."""
    from civilinstruct.opensees_docs.loader import DocSet, load_docs

    if source.kind == "embedded":
        from civilinstruct.opensees_docs.embedded import ROOT, load_builtin_pages

        return DocSet(root=ROOT, pages=load_builtin_pages())
    return load_docs(source.path or "", workers=workers)
