"""The embedded documentation set: OpenSeesPy commands described by this project, shipped as package data.

Every user has it, offline, without `docs fetch` or a rendered HTML folder. Each YAML file under
`civilinstruct/opensees_docs/builtin/` holds one family of commands; each command gives its signature(s) in the Python
form, a summary, and every parameter as [name, type, unit, range, meaning]. They are read into the same
`DocPage`/`Signature`/`ArgDoc` model as the HTML pages, so the api_pairs pipeline cannot tell them apart.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from typing import Any

import yaml

from civilinstruct.opensees_docs.model import ArgDoc, DocPage
from civilinstruct.opensees_docs.signature import parse_signature
from civilinstruct.errors import CivilError

# The label lineage and catalog show for this set. Bump it whenever a YAML file changes (v2: the commands added
# after v1); BUILTIN_DIGEST is the digest of the files the label names, and tests/opensees_docs fail when the files
# no longer match it or when a label is reused for other files, so a change to the set cannot keep the old label.
BUILTIN_VERSION = "builtin-v2"
BUILTIN_DIGEST = "b703bcb75abaaad2"
ROOT = f"embedded:{BUILTIN_VERSION}"
_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\((.*)\)\s*$", re.S)


def _arg(row: Any, where: str) -> ArgDoc:
    if not (isinstance(row, list) and len(row) == 5 and all(isinstance(x, str) for x in row)):
        raise CivilError(f"{where}: a parameter is [name, type, unit, range, meaning] (got {row!r})")
    name, type_text, unit, value_range, meaning = row
    return ArgDoc(name=name, type=type_text, description=meaning.strip(), unit=unit, range=value_range)


def _page(entry: dict[str, Any], family: str, where: str) -> DocPage:
    sigs = entry.get("sig")
    sigs = [sigs] if isinstance(sigs, str) else sigs
    if not sigs or not all(isinstance(s, str) for s in sigs):
        raise CivilError(f"{where}: a command needs `sig`, a signature or a list of them")
    signatures = []
    for text in sigs:
        match = _CALL.match(text)
        if match is None:
            raise CivilError(f"{where}: {text!r} is not a call such as name(a, b)")
        signatures.append(parse_signature(match.group(1), match.group(2)))
    key = signatures[0].command
    args = [_arg(row, f"{where} {key}") for row in entry.get("args") or []]
    examples = [entry["example"]] if entry.get("example") else []
    return DocPage(path=f"builtin/{where}#{key}", title=key, signatures=signatures, args=args,
                   summary=" ".join(str(entry.get("about", "")).split()), examples=examples, family=family)


def builtin_files() -> list[Any]:
    """The family files shipped in the package, in name order."""
    folder = resources.files("civilinstruct.opensees_docs") / "builtin"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


def load_builtin_pages() -> list[DocPage]:
    """Every embedded command as one `DocPage` (one page per command, so a page's args are that command's)."""
    pages: list[DocPage] = []
    for file in builtin_files():
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("commands"), list):
            raise CivilError(f"embedded docs {file.name}: expected a mapping with `family` and `commands`")
        pages.extend(_page(entry, str(data.get("family", "")), file.name) for entry in data["commands"])
    return pages


def builtin_digest() -> str:
    """A short digest of the embedded set (file names and bytes): what BUILTIN_DIGEST must equal."""
    h = hashlib.sha256()
    for file in builtin_files():
        h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()[:16]
