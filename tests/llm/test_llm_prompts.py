import hashlib

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.llm.prompts import load_template, prompts_dir, render

BUGFIX_VARS = dict(program="ops.wipe()", error_log="Traceback ...", return_code=1, error_line=1,
                   status="error", environment="Python 3.11")


def test_bugfix_renders_system_then_user_with_source_hash():
    template, messages = render("bugfix", BUGFIX_VARS)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "ops.wipe()" in messages[1]["content"] and "Traceback ..." in messages[1]["content"]
    source = (prompts_dir() / "bugfix.j2").read_text(encoding="utf-8")
    assert template.hash == hashlib.sha256(source.encode()).hexdigest()


def test_missing_variable_and_missing_template_are_user_errors():
    with pytest.raises(CivilError, match="program"):
        render("bugfix", {k: v for k, v in BUGFIX_VARS.items() if k != "program"})
    with pytest.raises(CivilError, match="no prompt template"):
        load_template("no-such-template")


def test_role_blocks_in_source_order_and_empty_blocks_dropped(tmp_path, monkeypatch):
    (tmp_path / "fewshot.j2").write_text(
        "{% block system %}{% endblock %}{% block user_1 %}q1 {{ x }}{% endblock %}"
        "{% block assistant_1 %}a1{% endblock %}{% block user %}q2{% endblock %}")
    monkeypatch.setenv("CIVILINSTRUCT_PROMPTS", str(tmp_path))
    _, messages = render("fewshot", {"x": 7})
    assert messages == [{"role": "user", "content": "q1 7"}, {"role": "assistant", "content": "a1"},
                        {"role": "user", "content": "q2"}]
