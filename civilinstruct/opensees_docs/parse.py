"""Parse one rendered documentation page (Sphinx / Read-the-Docs HTML) into a `DocPage`.

Speed matters (493 pages in well under 30 s on a shared machine): each page carries ~96 KB of sidebar,
so the article body is cut out of the raw text before BeautifulSoup sees it. Pages of another layout
fall back to the whole document; pages that yield nothing get a `skipped` reason, never an exception.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from civilinstruct.opensees_docs.model import ArgDoc, DocPage, Signature
from civilinstruct.opensees_docs.signature import parse_signature

_BODY_MARK = 'itemprop="articleBody"'
_BODY_END = re.compile(r"<footer|</article>|<div class=\"rst-footer", re.I)
_TEXT_SIG = re.compile(r"^\s*(?:ops\.)?([A-Za-z_]\w*)\((.*)\)\s*¶?\s*$")
_SECTION_NO = re.compile(r"^\s*[\d.]+\s+")
_GUIDE_TITLE = re.compile(r"example|tutorial|install|change ?log|compil|analysis\b|visuali|plotting|"
                          r"paraview|designsafe|hello|pypi|\bmodules?\b|ground motion|shear wall", re.I)
_GUIDE_CHAPTERS = {"1", "2", "3", "14"}


def _body_fragment(html: str) -> str:
    start = html.find(_BODY_MARK)
    if start < 0:
        return html
    start = html.rfind("<", 0, start)
    end = _BODY_END.search(html, start)
    return html[start:end.start() if end else len(html)]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("¶", "")).strip()


def _signature_from_dt(dt: Tag) -> Signature | None:
    name_el = dt.find(class_="sig-name")
    if name_el is None:
        return None
    params = [_clean(em.get_text()) for em in dt.find_all("em", class_="sig-param")]
    if not params:  # some renderers leave the parameters as plain text between the parens
        text = _clean(dt.get_text())
        match = _TEXT_SIG.match(text)
        if match:
            return parse_signature(match.group(1), match.group(2))
    return parse_signature(_clean(name_el.get_text()), params)


def _text_signatures(root: Tag) -> list[Signature]:
    """Other layouts: a `dt`, `code` or `pre` line that reads like `name(args)`."""
    found: list[Signature] = []
    for el in root.select("dt, p > code, pre"):
        for line in el.get_text().splitlines()[:3]:
            match = _TEXT_SIG.match(line)
            if match and not match.group(1)[0].isdigit():
                found.append(parse_signature(match.group(1), match.group(2)))
                break
    return found


def _arg_rows(root: Tag) -> list[ArgDoc]:
    rows: list[ArgDoc] = []
    seen: set[str] = set()
    for tr in root.find_all("tr"):
        cells = tr.find_all("td", recursive=False)
        if len(cells) < 2:
            continue
        code = cells[0].find("code")
        if code is None:
            continue
        name = _clean(code.get_text()).strip("'\"*")
        if not name or name in seen:
            continue
        first = _clean(cells[0].get_text())
        type_text = first[len(_clean(code.get_text())):].strip()
        if type_text.startswith("(") and type_text.endswith(")"):
            type_text = type_text[1:-1].strip()
        rows.append(ArgDoc(name=name, type=type_text, description=_clean(cells[1].get_text())))
        seen.add(name)
    return rows


def _code_blocks(root: Tag) -> list[Tag]:
    return [pre for div in root.find_all("div", class_="highlight") for pre in div.find_all("pre", limit=1)]


def _title(root: Tag) -> str:
    h1 = root.find("h1") or root.find("title")
    return _SECTION_NO.sub("", _clean(h1.get_text())) if h1 else ""


_SITE_PAGES = {"index", "search", "genindex", "py-modindex", "modindex"}


def _classify_empty(root: Tag, title: str, raw_title: str, path: str = "") -> str:
    chapter = raw_title.strip().split(".")[0] if raw_title[:1].isdigit() else ""
    if Path(path).stem.lower() in _SITE_PAGES or title.lower() in {"index", "search"}:
        return "site navigation page (index or search)"
    if root.find("div", class_="toctree-wrapper") is not None:
        return "section index page (lists other pages)"
    if chapter in _GUIDE_CHAPTERS or _GUIDE_TITLE.search(title):
        return "example or guide page (no command documented)"
    programs = [pre for pre in _code_blocks(root) if pre.get_text().count("\n") >= 15]
    if programs and not _arg_rows(root):
        return "example or guide page (no command documented)"
    return "no signature found"


def parse_html(html: str, path: str = "<memory>") -> DocPage:
    """Parse one page's HTML text; never raises on odd input (the reason lands in `skipped`)."""
    if not html.strip():
        return DocPage(path=path, skipped="empty page")
    try:
        soup = BeautifulSoup(_body_fragment(html), "lxml")
    except Exception as exc:  # lxml is lenient; this guards truly unreadable bytes
        return DocPage(path=path, skipped=f"unparseable HTML: {type(exc).__name__}")
    root = soup.find(attrs={"itemprop": "articleBody"}) or soup.find("main") or soup.body or soup
    h1 = root.find("h1")
    raw_title = _clean(h1.get_text()) if h1 else ""
    page = DocPage(path=path, title=_title(root))
    dls = [dl for dl in root.find_all("dl") if {"function", "method"} & set(dl.get("class") or ())]
    dts = [dt for dl in dls for dt in dl.find_all("dt", recursive=False)]
    sigs = [s for s in (_signature_from_dt(dt) for dt in dts) if s is not None]
    if not sigs:
        sigs = _text_signatures(root)
    page.signatures = sigs
    page.args = _arg_rows(root)
    first_dd = next((p for dl in dls for dd in dl.find_all("dd", recursive=False)
                     for p in dd.find_all("p", recursive=False, limit=1)), None)
    lead_p = root.find("p")
    page.summary = _clean((first_dd or lead_p).get_text()) if (first_dd or lead_p) else ""
    page.notes = [_clean(n.get_text()).removeprefix("Note").strip()
                  for n in root.find_all("div", class_="admonition")
                  if {"note", "warning"} & set(n.get("class") or ())]
    page.examples = [pre.get_text() for pre in _code_blocks(root)]
    if not any(s.style == "python" for s in sigs):
        page.skipped = "only tcl signatures" if sigs else _classify_empty(root, page.title, raw_title, path)
    return page


def parse_file(path: Path) -> DocPage:
    """Read and parse one file; undecodable bytes are replaced, not fatal."""
    try:
        html = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return DocPage(path=str(path), skipped=f"unreadable: {exc.strerror or exc}")
    if "\x00" in html[:2048]:
        return DocPage(path=str(path), skipped="binary file, not HTML")
    return parse_html(html, str(path))
