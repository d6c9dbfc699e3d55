"""codegen.comments: the comment text of generated programs. Jinja2 renders a missing key as nothing, so a key
the templates use and the table lacks would silently drop a comment; these tests read the templates themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from civilinstruct.codegen.comments import COMMENTS

TEMPLATES = Path(__file__).resolve().parents[2] / "civilinstruct" / "codegen" / "templates"
_CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_IN_BOTH = {"gravity_error", "lateral_error"}  # RuntimeError messages: the same text in either language


def _quoted() -> dict[str, set[str]]:
    """Keys pasted inside a one-line Python string of the templates, by quote character."""
    found: dict[str, set[str]] = {"'": set(), '"': set()}
    for path in TEMPLATES.glob("*.j2"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for quote in found:
                for literal in re.findall(rf"(?<!{quote}){quote}(?!{quote})([^{quote}\n]*){quote}", line):
                    found[quote] |= set(re.findall(r"\{\{ *c\.(\w+) *\}\}", literal))
    return found


def _used() -> set[str]:
    used: set[str] = set()
    for path in TEMPLATES.glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bc\.([A-Za-z_][A-Za-z_0-9]*)\b", text))
    return used


def test_both_languages_have_the_same_keys_and_every_key_the_templates_use() -> None:
    """Guards the table against the templates: every `c.<key>` exists in both languages (else a comment is
    silently empty), and the two languages name the same keys."""
    used = _used()
    assert len(used) > 100  # the regex reads the templates
    assert set(COMMENTS["en"]) == set(COMMENTS["zh"])
    assert sorted(used - set(COMMENTS["en"])) == []
    for key in ("edge", "interior"):  # used as c[d.frame_position]
        assert key in COMMENTS["en"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_texts_are_safe_where_they_are_pasted(language: str) -> None:
    """Guards the generated program's syntax: no text is empty or holds a newline (comments are `# text` lines:
    a newline would turn the rest into code) or a triple quote (docstrings), and a text pasted inside a quoted
    string holds no such quote (RuntimeError('...'), print('...'))."""
    quoted = _quoted()
    assert {"gravity_error", "lateral_error"} <= quoted["'"]
    for key, text in COMMENTS[language].items():
        assert text.strip(), key
        assert "\n" not in text and '"""' not in text and not text.endswith('"'), key
        for quote, keys in quoted.items():
            assert key not in keys or quote not in text, (key, quote)


def test_chinese_texts_are_chinese() -> None:
    """Guards a copy-paste slip: every zh text but the two shared error messages holds Chinese characters, and
    none is the same as its English text."""
    for key, text in COMMENTS["zh"].items():
        if key in ENGLISH_IN_BOTH:
            assert text == COMMENTS["en"][key]
            continue
        assert _CJK.search(text), key
        assert text != COMMENTS["en"][key], key
