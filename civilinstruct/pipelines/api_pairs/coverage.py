"""Documentation coverage: which commands are documented, parsed with a signature, and have a verified pair,
and for every command left out, why. Used by `civilinstruct docs-coverage` and the benchmark."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from civilinstruct.opensees_docs import DocSet

if TYPE_CHECKING:
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.sandbox import RunResult
    from civilinstruct.store import SampleStore

_NOISE = re.compile(r"written|copyright|developed by|please when|^traceback|^\s*file |^\s*\^|^opensees\.|"
                    r"process \d+ terminating|^\s*ops\.|^=+$|^-+$", re.I)


def failure_reason(result: RunResult | None) -> str:
    """One line: the run status and the first informative line OpenSees wrote to stderr."""
    lines = [ln.strip() for ln in (getattr(result, "stderr", "") or "").splitlines() if ln.strip()]
    detail = next((ln for ln in lines if not _NOISE.search(ln)), "")
    head = getattr(result, "status", "?")
    if result is not None and result.exception_type:
        head += f" {result.exception_type}"
    return f"{head}: {detail[:160]}" if detail else head


class Coverage(BaseModel):
    pages: int
    command_pages: int
    command_pages_with_signature: int
    commands: int
    commands_verified: int
    pairs_verified: int = 0
    pages_without_signature: dict[str, str] = Field(default_factory=dict)
    left_out: dict[str, str] = Field(default_factory=dict, description="command -> why it has no verified pair")
    families: dict[str, dict[str, int]] = Field(default_factory=dict, description="family -> commands documented "
                                                "and commands with a verified pair")

    @property
    def signature_rate(self) -> float:
        return self.command_pages_with_signature / max(1, self.command_pages)

    @property
    def verified_rate(self) -> float:
        return self.commands_verified / max(1, self.commands)

    def summary(self) -> dict[str, Any]:
        data = self.model_dump()
        data["signature_rate"] = round(self.signature_rate, 4)
        data["verified_rate"] = round(self.verified_rate, 4)
        return data


def coverage(docs: DocSet, verified: dict[str, int], reasons: dict[str, str]) -> Coverage:
    """Combine the parsed docs with per-command verified counts and failure reasons."""
    from civilinstruct.pipelines.api_pairs.generate import unsupported_reason
    from civilinstruct.opensees_docs.loader import _rel

    commands = docs.commands()
    left = {}
    for c in commands:
        if verified.get(c.key, 0) == 0:
            why = unsupported_reason(c)
            left[c.key] = reasons.get(c.key) or (f"unsupported: {why}" if why else "no verified pair in the data")
    return Coverage(
        pages=len(docs.pages), command_pages=len(docs.command_pages),
        command_pages_with_signature=sum(1 for p in docs.command_pages if p.signatures),
        commands=len(commands), commands_verified=sum(1 for c in commands if verified.get(c.key, 0) > 0),
        pairs_verified=sum(verified.values()),
        pages_without_signature={_rel(p.path, docs.root): p.skipped or "" for p in docs.command_pages if not p.signatures},
        left_out=left, families=_families(commands, verified))


def family_of(command: Any) -> str:
    """The documentation's family (the embedded set names it), else the command's function (`element`, ...)."""
    return getattr(command.doc, "family", "") or command.function


def _families(commands: list[Any], verified: dict[str, int]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for c in commands:
        row = out.setdefault(family_of(c), {"commands": 0, "verified": 0})
        row["commands"] += 1
        row["verified"] += int(verified.get(c.key, 0) > 0)
    return dict(sorted(out.items()))


def verified_in_store(store: SampleStore, version: str | None = None) -> dict[str, int]:
    """Verified pairs per command in a data directory's api_pairs part (every stored pair is verified)."""
    counts: dict[str, int] = defaultdict(int)
    try:
        table = store.read("api_pairs", version, columns=["spec"])
    except Exception:  # no such part yet: nothing verified
        return {}
    for spec in table.column("spec").to_pylist():
        counts[json.loads(spec).get("command", "")] += 1
    return dict(counts)


def verify_now(docs: DocSet, options: BuildOptions) -> tuple[dict[str, int], dict[str, str]]:
    """Generate `options.per_command` offline candidates per command and verify them (nothing is written)."""
    from civilinstruct.pipelines.api_pairs.pipeline import candidates, outcomes, unique
    from civilinstruct.pipelines.base import BuildReport

    commands = docs.commands()
    by_key = {c.key: c for c in commands}
    report = BuildReport(part="api_pairs", version="coverage")
    verified: dict[str, int] = defaultdict(int)
    reasons: dict[str, str] = {}
    from civilinstruct.pipelines.api_pairs.generate import unsupported_reason

    for c in commands:
        why = unsupported_reason(c)
        if why:
            reasons[c.key] = f"unsupported: {why}"
    for outcome in outcomes(unique(candidates(commands, options, report), report), by_key, options):
        key = outcome.candidate.command
        if outcome.reason is None:
            verified[key] += 1
        elif key not in reasons:
            detail = failure_reason(outcome.result) if outcome.reason.startswith("run") else outcome.reason
            if outcome.problems:
                detail += f" ({outcome.problems[0][:160]})"
            reasons[key] = detail
    return dict(verified), reasons
