"""Which template a chat request came from (`server.routing`): each template's own system message names it."""

from __future__ import annotations

from civilinstruct.llm.prompts import load_template, prompts_dir
from civilinstruct.server.routing import FALLBACK, route


def system_text(name: str) -> str | None:
    template = load_template(name)
    block = template.template.blocks.get("system")
    return None if block is None else "".join(block(template.template.new_context({}))).strip()


def test_every_template_is_recognised_by_its_system_message() -> None:
    names = sorted(p.stem for p in prompts_dir().glob("*.j2"))
    systems = {name: system_text(name) for name in names}
    assert len(set(systems.values())) == len(systems), "two templates share a system message"
    for name, system in systems.items():
        messages = [{"role": "system", "content": "  " + system.replace(" ", "\n", 3)},  # whitespace is normalised
                    {"role": "user", "content": "Model a 3-story office RC frame."}]
        assert route(messages) == (name, "Model a 3-story office RC frame.")


def test_an_unknown_or_missing_system_message_is_a_building_instruction() -> None:
    assert route([{"role": "user", "content": "hi"}]) == (FALLBACK, "hi")
    assert route([{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "a"},
                  {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]) == (FALLBACK, "c")
