"""The offline backend's built-in answers are registered by the pipelines layer, for every prompt template."""

from __future__ import annotations

import subprocess
import sys

from civilinstruct.llm.offline import OFFLINE_HANDLERS, resolve_handler
from civilinstruct.llm.prompts import prompts_dir
from civilinstruct.pipelines import offline_answers


def test_every_template_has_a_registered_handler() -> None:
    templates = {p.stem for p in prompts_dir().glob("*.j2")}  # every template is used by a part
    assert templates <= set(OFFLINE_HANDLERS), templates - set(OFFLINE_HANDLERS)
    for template in templates:
        assert callable(resolve_handler(template))


def test_llm_alone_knows_no_handler_until_the_pipelines_are_imported() -> None:
    code = ("import civilinstruct.llm.offline as o; print(sorted(o.OFFLINE_HANDLERS)); "
            "import civilinstruct.pipelines; print(sorted(o.OFFLINE_HANDLERS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "[]" and eval(out[1]) == sorted(offline_answers.BUILTIN)


def test_a_handler_registered_before_the_import_is_kept() -> None:
    code = ("import civilinstruct.llm.offline as o; o.register_offline_handler('codegen', len); "
            "import civilinstruct.pipelines; print(o.OFFLINE_HANDLERS['codegen'] is len)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
