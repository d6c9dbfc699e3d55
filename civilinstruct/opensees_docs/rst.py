"""Read the OpenSeesPy documentation *source* (reStructuredText, as `docs fetch` downloads it) into `DocPage`s.

Why a direct reader and not a Sphinx build: the command model needs only the `.. function::` directives and the
simple tables (or `:param:` field lists) under them, which are line-oriented and easy to read exactly; a Sphinx
build would add a heavy dependency, take minutes, and then need the HTML parser to undo the rendering.
"""

from __future__ import annotations

import re
from pathlib import Path

from civilinstruct.opensees_docs.model import ArgDoc, DocPage
from civilinstruct.opensees_docs.signature import parse_signature

_FUNCTION = re.compile(r"^\.\.\s+(?:py:)?function::\s*(?:ops\.)?([A-Za-z_]\w*)\s*\((.*)\)\s*$")
_RULE = re.compile(r"^\s*(=+)(\s+=+)+\s*$")
_TITLE_RULE = re.compile(r"^\s*([=\-~^*#])\1{2,}\s*$")
_SUBST = {"int": "int", "float": "float", "str": "str", "bool": "bool", "list": "list", "listf": "list (float)",
          "listi": "list (int)", "lists": "list (str)", "listl": "list (list)", "callable": "callable"}
_FIELD = re.compile(r"^\s*:(param|type)\s+(?:(\w[\w ()]*)\s+)?\*{0,2}(\w+):\s*(.*)$")
_ROLE = re.compile(r":\w+:`([^`]*)`")


def _text(s: str) -> str:
    """Inline markup to plain text: ``code`` -> code, :math:`x` -> x, |float| -> float."""
    s = _ROLE.sub(r"\1", s).replace("``", "")
    s = re.sub(r"\|(\w+)\|", lambda m: _SUBST.get(m.group(1), m.group(1)), s)
    return re.sub(r"\s+", " ", s).strip()


def _table_rows(lines: list[str], start: int) -> tuple[list[ArgDoc], int]:
    """A simple table opening at `lines[start]`: rows of (name |type|, description); returns rows and the end."""
    rule = lines[start]
    cols = [m.start() for m in re.finditer(r"=+", rule)]
    rows: list[ArgDoc] = []
    i = start + 1
    while i < len(lines) and not _RULE.match(lines[i]):
        line = lines[i]
        head, rest = line[:cols[1]].strip() if len(cols) > 1 else line.strip(), line[cols[1]:] if len(cols) > 1 else ""
        if head:
            match = re.match(r"^(?:``([^`]+)``|([^\s|]+))\s*(\|\w+\|)?\s*(.*)$", head)
            if match:
                name = (match.group(1) or match.group(2)).strip("'\"*")
                type_text = _text(match.group(3) or "")
                rows.append(ArgDoc(name=name, type=type_text, description=_text(match.group(4) + " " + rest)))
        elif rows and line.strip():
            rows[-1].description = _text(rows[-1].description + " " + line)
        i += 1
    return rows, i


def parse_rst(text: str, path: str = "<memory>") -> DocPage:
    """One page: its title, every `.. function::` signature, the argument table(s), first paragraph, notes, examples."""
    lines = text.splitlines()
    page = DocPage(path=path)
    args: dict[str, ArgDoc] = {}
    for i, line in enumerate(lines):
        if not page.title and line.strip() and not line.startswith(".."):
            above = lines[i - 1] if i else ""
            below = lines[i + 1] if i + 1 < len(lines) else ""
            if _TITLE_RULE.match(below) and (not above.strip() or _TITLE_RULE.match(above)):
                page.title = line.strip()
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _FUNCTION.match(line)
        if match:
            page.signatures.append(parse_signature(match.group(1), match.group(2)))
        elif _RULE.match(line) and i + 1 < len(lines) and ("``" in lines[i + 1] or "|" in lines[i + 1]):
            rows, i = _table_rows(lines, i)
            for row in rows:
                args.setdefault(row.name, row)
        elif (field := _FIELD.match(line)) and field.group(1) == "param":
            args.setdefault(field.group(3), ArgDoc(name=field.group(3), type=field.group(2) or "",
                                                   description=_text(field.group(4))))
        elif line.strip().startswith(".. note::"):
            body, j = [], i + 1
            while j < min(len(lines), i + 12) and (not lines[j].strip() or lines[j].startswith("   ")):
                body += [lines[j].strip()] if lines[j].strip() else []  # the note ends at the next unindented line
                j += 1
            if body:
                page.notes.append(_text(" ".join(body)))
        elif line.strip().startswith(".. code-block:: python"):
            block, j = [], i + 1
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith("   ")):
                block.append(lines[j][6:] if lines[j].startswith("      ") else lines[j].strip())
                j += 1
            page.examples.append("\n".join(block).strip("\n"))
        elif not page.summary and page.signatures and line.startswith("   ") and line.strip() \
                and not line.strip().startswith((":", "..", "=")):
            page.summary = _text(line)
        i += 1
    page.args = list(args.values())
    if not page.signatures:
        if ".. toctree::" in text:
            page.skipped = "section index page (lists other pages)"
        elif not page.args:  # no directive and no argument table: an example, tutorial or guide
            page.skipped = "example or guide page (no command documented)"
        else:
            page.skipped = "no signature found"
    elif not any(s.style == "python" for s in page.signatures):
        page.skipped = "only tcl signatures"
    return page


def parse_rst_file(path: Path) -> DocPage:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return DocPage(path=str(path), skipped=f"unreadable: {exc.strerror or exc}")
    return parse_rst(text, str(path))
