"""One home per fact (issue 19.5): each fact below is defined once and the other users read it from there."""

from __future__ import annotations

import ast
from pathlib import Path

from civilinstruct.llm.prompts import load_template, render
from civilinstruct.release import splits
from civilinstruct.scoring import ast_coverage, program, tiers
from civilinstruct.spec.model import BuildingSpec

PACKAGE = Path(__file__).resolve().parents[1] / "civilinstruct"


def _assigned_names(name: str) -> list[str]:
    """Modules that bind `name` at their top level."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(str(path.relative_to(PACKAGE)))
    return found


def test_the_api_tiers_are_defined_once_and_both_scores_read_them():
    assert _assigned_names("API_TIERS") == ["scoring/tiers.py"] and _assigned_names("TIERS") == []
    code = "import openseespy.opensees as ops\nops.wipe()\nops.model('basic')\nops.responseSpectrumAnalysis(1)\n"
    # the alternative "nodeEigenvector|responseSpectrumAnalysis" counts in both the 0-100 score and r_ast
    assert ast_coverage.analyze(code).coverage == tiers.tier_coverage({"wipe", "model", "responseSpectrumAnalysis"})
    assert ast_coverage.analyze(code).coverage["results"] == 0.2
    assert program.api_coverage(code) == tiers.api_coverage({"wipe", "model", "responseSpectrumAnalysis"})
    assert round(program.api_coverage(code), 6) == round(0.4 * 2 / 8 + 0.2 * 1 / 5, 6)


def test_training_and_evaluation_share_one_system_prompt_template():
    from civilinstruct.bench.cases import PROMPT_TEMPLATE
    from civilinstruct.pipelines.expert.pipeline import PROMPT_TEMPLATE as EXPERT_TEMPLATE
    from civilinstruct.pipelines.expert.pipeline import system_prompt

    assert EXPERT_TEMPLATE == PROMPT_TEMPLATE
    template, messages = render(PROMPT_TEMPLATE, {"instruction": "Model a 3-story office frame."})
    assert messages == [{"role": "system", "content": system_prompt()[0]},
                        {"role": "user", "content": "Model a 3-story office frame."}]
    assert template.hash == load_template("solve").hash and len(template.hash) == 64
    assert system_prompt()[1] == template.hash  # the expert rows' lineage records this template's hash
    assert not _assigned_names("SYSTEM_PROMPT")  # no module keeps its own copy of the text


def test_the_offline_backend_answers_the_shared_prompt_like_codegen():
    from civilinstruct.llm import OfflineBackend
    from civilinstruct.codegen import offline_answer

    text = "Model a 3-story office RC frame, 3 bays of 6 m, intensity 8."
    result = OfflineBackend(seed=4).generate("solve", {"instruction": text, "seed": 4})
    assert result.text == offline_answer(text, 4) and result.prompt_hash == load_template("solve").hash


def test_split_keys_use_every_field_of_the_building_model():
    assert splits.BUILDING_FIELDS == tuple(BuildingSpec.model_fields)
    spec = BuildingSpec().canonical()
    other = {**spec, "site_class": "III"}  # any field of the model tells two buildings apart
    assert splits.building_key(splits.find_building(spec)) != splits.building_key(splits.find_building(other))
