"""Registers the offline backend's built-in answers with `llm` (which sits below their owners and cannot name them).

Imported by `civilinstruct.pipelines`, so anything that builds a backend from `BuildOptions` (pipelines, bench,
release, the server) has every template answered. Paths, not functions: each owner is imported on first use only.
"""

from __future__ import annotations

from civilinstruct.llm.offline import register_offline_handler

BUILTIN: dict[str, str] = {
    "codegen": "civilinstruct.codegen:offline_answer",
    "solve": "civilinstruct.codegen:offline_answer",  # the same task: a building instruction in, a program out
    "bugfix": "civilinstruct.pipelines.bug_cot.diagnose:offline_answer",
    "doc_pairs": "civilinstruct.pipelines.api_pairs.llm_pairs:offline_answer",
    "rewrite": "civilinstruct.spec.instructions:offline_rewrite",
}


def register_builtin() -> None:
    """Register each built-in handler, unless one was registered for its template before this import (a user's
    own rules, or a test's)."""
    from civilinstruct.llm.offline import OFFLINE_HANDLERS

    for template, path in BUILTIN.items():
        if template not in OFFLINE_HANDLERS:
            register_offline_handler(template, path)


register_builtin()
