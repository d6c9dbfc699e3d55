"""Comments of a built api_pairs set (issue 18.4): never cut off with '...', each argument comment says what the
argument is in the project's words (no documented sentence reused) and why the value was chosen."""

from __future__ import annotations

import json
import re

import pytest

from civilinstruct.opensees_docs.source import load_source, resolve_docs
from civilinstruct.pipelines.api_pairs import pipeline as api_pairs
from civilinstruct.pipelines.api_pairs.words import argument_comments, has_reason, what
from civilinstruct.pipelines.base import BuildOptions
from civilinstruct.store import Store


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("comments") / "data")
    api_pairs.build(store, BuildOptions(n=160, per_command=2, workers=2, timeout_s=30, progress=False))
    return list(store.iter_samples("api_pairs"))


@pytest.mark.slow
def test_no_comment_is_cut_off(built) -> None:
    assert len(built) >= 150
    for sample in built:
        for line in sample.code.splitlines():
            if "#" in line:
                assert not re.search(r"(\.\.\.|…)\s*$", line), line


@pytest.mark.slow
def test_argument_comments_say_what_and_why_in_own_words(built) -> None:
    by_key = {c.key: c for c in load_source(resolve_docs(None)).commands()}
    comments = []
    for sample in built:
        extra, spec = json.loads(sample.extra), json.loads(sample.spec)
        owner = by_key[extra.get("stand_in") or spec["command"]]
        for name, comment in argument_comments(sample.code):
            comments.append(comment)
            arg = owner.doc.arg(name)
            documented = arg.description.strip().rstrip(".").lower() if arg is not None else ""
            assert not (len(documented) > 25 and documented in comment.lower()), (spec["command"], name, comment)
    assert len(comments) >= 300
    reasons = [c for c in comments if has_reason(c)]
    assert len(reasons) >= 0.95 * len(comments)
    whys = {c.split("; ", 1)[1] for c in reasons if "; " in c}
    assert len(whys) >= 40  # reasons specific to the value, not one stock phrase


def test_the_glossary_never_echoes_the_documentation() -> None:
    for command in load_source(resolve_docs(None)).commands():
        for arg in command.doc.args:
            text = arg.description.strip().rstrip(".")
            if len(text) > 25:
                assert what(arg.name, arg).lower() != text.lower(), (command.key, arg.name)
