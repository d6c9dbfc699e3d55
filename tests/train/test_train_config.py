"""Settings: defaults, YAML then flags, and the checks that run before torch."""

from __future__ import annotations

from pathlib import Path

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.train.config import (GRPO_PARTS, SFT_PARTS, GRPOSettings, SFTSettings, help_for, load_yaml,
                                        make_settings, public_fields, to_dict)


def test_defaults_target_an_8b_lora_run_and_the_paper() -> None:
    sft, grpo = make_settings(SFTSettings), make_settings(GRPOSettings)
    assert sft.selected_parts == list(SFT_PARTS) and grpo.selected_parts == list(GRPO_PARTS)
    assert sft.precision == "auto" and sft.gradient_checkpointing
    assert grpo.beta > 0  # the paper keeps a KL penalty to the SFT policy
    assert grpo.loss_type == "grpo" and grpo.scale_rewards == "group"
    assert sft.lr == 1e-5 and make_settings(SFTSettings, {"lora": True}).lr == 1e-4
    assert grpo.lr == 1e-6 and make_settings(GRPOSettings, {"lora": True}).lr == 1e-5
    assert (grpo.batch_size * grpo.grad_accum) % grpo.num_generations == 0


def test_every_field_has_help() -> None:
    for cls in (SFTSettings, GRPOSettings):
        for f in public_fields(cls):
            assert help_for(cls, f.name), f.name
    assert "stage" not in {f.name for f in public_fields(SFTSettings)}


def test_flags_override_yaml_override_defaults(tmp_path: Path) -> None:
    cfg = tmp_path / "grpo.yaml"
    cfg.write_text("num-generations: 4\nbeta: 0.1\nbatch_size: 4\ngrad_accum: 2\ntrl:\n  lr_scheduler_type: cosine\n")
    settings = make_settings(GRPOSettings, load_yaml(cfg), {"beta": 0.02, "temperature": None})
    assert settings.num_generations == 4 and settings.beta == 0.02 and settings.temperature == 1.0
    assert settings.trl == {"lr_scheduler_type": "cosine"}
    assert to_dict(settings)["stage"] == "grpo"


@pytest.mark.parametrize("layer, message", [
    ({"lr": 1.0}, "unknown sft setting 'lr'"),
    ({"max_steps": "many"}, "setting 'max_steps' must be a number"),
    ({"seed": [1]}, "setting 'seed' must be int"),
    ({"lora": "yes"}, "setting 'lora' must be bool"),
    ({"precision": "int4"}, "precision must be one of"),
    ({"batch_size": 0}, "at least 1"),
])
def test_bad_settings_are_one_line_errors(layer: dict, message: str) -> None:
    with pytest.raises(CivilError, match=message):
        make_settings(SFTSettings, layer)


def test_grpo_group_must_divide_the_batch() -> None:
    with pytest.raises(CivilError, match="multiple of num_generations"):
        make_settings(GRPOSettings, {"num_generations": 3})
    with pytest.raises(CivilError, match="at least 2"):
        make_settings(GRPOSettings, {"num_generations": 1, "batch_size": 1, "grad_accum": 1})


def test_yaml_must_be_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(CivilError, match="mapping"):
        load_yaml(bad)
    with pytest.raises(CivilError, match="not found"):
        load_yaml(tmp_path / "missing.yaml")


def test_shipped_8b_recipes_are_valid_settings() -> None:
    from civilinstruct.train.config import RECIPES

    sft = make_settings(SFTSettings, load_yaml(RECIPES / "sft-8b-lora.yaml"))
    grpo = make_settings(GRPOSettings, load_yaml(RECIPES / "grpo-8b-lora.yaml"))
    assert sft.lora and grpo.lora and grpo.beta > 0 and sft.trl == {"lr_scheduler_type": "cosine"}
    assert grpo.batch_size * grpo.grad_accum == 32


def test_yaml_numeric_strings_become_numbers(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("learning_rate: 1e-4\nmax_steps: '7'\n")  # YAML 1.1 reads 1e-4 as a string
    settings = make_settings(SFTSettings, load_yaml(cfg))
    assert settings.lr == 1e-4 and settings.max_steps == 7
    with pytest.raises(CivilError, match="must be a number"):
        make_settings(SFTSettings, {"learning_rate": "fast"})
