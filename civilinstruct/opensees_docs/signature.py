"""Turn the text of a documented call into a `Signature`.

Sphinx renders each parameter separately, but the OpenSeesPy docs squeeze Tcl habits into them:
`<'-mass'`, `mass>` (an optional group split over two params), `Den <Su_factor` (two names in one),
`*ang=[0.0,360.0]` (a default with commas). The tokenizer below copes with those by tracking
bracket depth across the whole parameter list instead of trusting the per-parameter split.
"""

from __future__ import annotations

import re

from civilinstruct.opensees_docs.model import Param, Signature

_QUOTED = re.compile(r"""^[`'"](.*?)[`'"]?$""")
_NAME = re.compile(r"^\*{0,2}[A-Za-z_][\w\[\]\.]*$")


def _split_top(text: str) -> list[str]:
    """Split at commas that are not inside [], () or quotes."""
    parts, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and depth <= 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _words(token: str) -> list[str]:
    """`Dmg1 Dmg2` -> two names; `Den <Su_factor` -> `Den`, `<Su_factor`; keep `a=b c` defaults whole."""
    if "=" in token or token.startswith(("'", '"', "`")) and token.count("'") + token.count('"') <= 2 and " " not in token.strip("'\"` "):
        return [token]
    if " " in token and not token.startswith(("'", '"', "`")):
        return [w for w in token.split() if w]
    return [token]


def _param(token: str, optional: bool) -> Param | None:
    token = token.strip().strip("`").strip()
    if not token or token in {"...", "…"}:
        return None
    default = None
    if "=" in token and not token.startswith(("'", '"')):
        token, default = (s.strip() for s in token.split("=", 1))
        optional = True
    quoted = _QUOTED.match(token) if token[:1] in "'\"`" else None
    if quoted:
        text = quoted.group(1).strip()
        if not text:
            return None
        return Param(name=text, kind="flag" if text.startswith("-") else "literal", optional=optional)
    if token.startswith("-") and _NAME.match(token[1:] or "x"):  # `<-'lumped'>` style slips
        return Param(name=token.strip("'"), kind="flag", optional=optional)
    name = token.lstrip("*")
    if not name or not _NAME.match(name):
        return None
    kind = "varargs" if token.startswith("*") else "value"
    return Param(name=name, kind=kind, optional=optional, default=default)


def parse_signature(function: str, params_text: list[str] | str) -> Signature:
    """Build a `Signature` from the function name and its parameter texts (or one joined string)."""
    function = function.strip()
    joined = params_text if isinstance(params_text, str) else ", ".join(params_text)
    raw = f"{function}({joined})"
    if " " in function or "$" in function:
        return Signature(function=function.split()[0], raw=raw, style="tcl")
    params: list[Param] = []
    depth = 0
    for token in _split_top(joined):
        for word in _words(token):
            word = word.strip()
            opens = len(word) - len(word.lstrip("<"))
            word = word.lstrip("<")
            depth += opens
            closes = len(word) - len(word.rstrip(">"))
            word = word.rstrip(">")
            if word.startswith("-'"):  # `-'lumped'` -> `'-lumped'`
                word = "'-" + word[2:]
            p = _param(word, optional=depth > 0)
            if p is not None:
                params.append(p)
            depth = max(0, depth - closes)
    type_name = None
    if params and params[0].kind == "literal":
        type_name = params.pop(0).name
    return Signature(function=function, type_name=type_name, params=params, raw=raw)
