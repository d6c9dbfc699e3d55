import pytest

from civilinstruct.pipelines.bug_cot.diagnose import Diagnosis
from civilinstruct.errors import CivilError
from civilinstruct.llm import GenerationRequest, OfflineBackend, get_backend, offline
from civilinstruct.pipelines.base import BuildOptions

PROGRAM = "import openseespy.opensees as ops\nA_beam = 0.18\nx = A_bm\n"
VARS = dict(program=PROGRAM, error_log="NameError: name 'A_bm' is not defined", return_code=1, error_line=3,
            status="error", environment="py", exception_type="NameError",
            exception_message="name 'A_bm' is not defined")


def echo_codegen(instruction_text: str, seed: int) -> str:
    return f"{seed}:{instruction_text}"


def test_bugfix_offline_is_deterministic_and_structured():
    backend = get_backend(BuildOptions())
    assert isinstance(backend, OfflineBackend) and backend.name == "offline/rules-v1"
    first = backend.generate("bugfix", VARS, json_schema=Diagnosis)
    again = backend.generate("bugfix", VARS, json_schema=Diagnosis)
    assert first.text == again.text and first.prompt_hash == again.prompt_hash
    assert isinstance(first.parsed, Diagnosis)
    assert first.parsed.repaired_program == PROGRAM.replace("A_bm", "A_beam")
    assert first.usage["prompt_tokens"] > 20 and first.usage["completion_tokens"] > 10
    many = backend.generate_many([GenerationRequest(template="bugfix", variables=VARS, json_schema=Diagnosis)] * 2)
    assert [r.text for r in many] == [first.text] * 2


def test_chat_answers_with_the_codegen_handler(monkeypatch):
    monkeypatch.setitem(offline.OFFLINE_HANDLERS, "codegen", "test_llm_offline:echo_codegen")
    backend = OfflineBackend(seed=3)
    assert backend.chat([{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}], n=2) == ["3:hi", "4:hi"]


def test_unknown_template_handler_is_a_user_error(tmp_path, monkeypatch):
    (tmp_path / "nohandler.j2").write_text("{% block user %}x{% endblock %}")
    monkeypatch.setenv("CIVILINSTRUCT_PROMPTS", str(tmp_path))
    with pytest.raises(CivilError, match="no handler for template 'nohandler'"):
        OfflineBackend().generate("nohandler", {})
    offline.register_offline_handler("nohandler", "test_llm_offline:echo_codegen")
    try:
        assert OfflineBackend(seed=9).generate("nohandler", {}).text == "9:x"
    finally:
        offline.OFFLINE_HANDLERS.pop("nohandler")
