"""Prompt templates: `prompts/<name>.j2` rendered to chat messages, each with the hash of its source.

Convention: a template is a set of jinja2 blocks named after chat roles, in the order they appear:

    {% block system %}You are ...{% endblock %}
    {% block user %}Fix this program: {{ program }}{% endblock %}

A block name is a role (`system`, `user`, `assistant`), optionally with a suffix for few-shot turns
(`user_1`, `assistant_1`, ...). Blocks that render empty are left out. The hash (sha256 of the template
source) goes to lineage, so a sample says exactly which prompt made it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from civilinstruct.errors import CivilError

ROLES = ("system", "user", "assistant")


def prompts_dir() -> Path:
    """Where templates live: $CIVILINSTRUCT_PROMPTS, the installed copy, or the repository's `prompts/`."""
    env = os.environ.get("CIVILINSTRUCT_PROMPTS")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent.parent
    installed = package / "_prompts"
    return installed if installed.is_dir() else package.parent / "prompts"


@dataclass(frozen=True)
class PromptTemplate:
    """A loaded template: its name, source hash and the compiled jinja2 template."""

    name: str
    source: str
    hash: str
    template: jinja2.Template

    def render(self, variables: dict[str, Any]) -> list[dict[str, str]]:
        """Render every role block, in source order, into chat messages."""
        context = self.template.new_context(dict(variables))
        messages: list[dict[str, str]] = []
        for block, render_block in self.template.blocks.items():
            role = block.split("_", 1)[0]
            if role not in ROLES:
                continue
            try:
                content = "".join(render_block(context)).strip()
            except jinja2.UndefinedError as exc:
                raise CivilError(f"prompt {self.name}: {exc}") from exc
            if content:
                messages.append({"role": role, "content": content})
        if not messages:
            raise CivilError(f"prompt {self.name} renders no system/user/assistant block")
        return messages


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int) -> PromptTemplate:
    source = Path(path).read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return PromptTemplate(Path(path).stem, source, digest, _ENV.from_string(source))


def load_template(name: str) -> PromptTemplate:
    """Load `prompts/<name>.j2` (cached until the file changes)."""
    path = prompts_dir() / f"{name}.j2"
    if not path.is_file():
        raise CivilError(f"no prompt template {name!r} at {path}")
    return _load(str(path), path.stat().st_mtime_ns)


def render(name: str, variables: dict[str, Any]) -> tuple[PromptTemplate, list[dict[str, str]]]:
    """The template and the chat messages it renders to."""
    template = load_template(name)
    return template, template.render(variables)
