"""Part 1, API pairs: OpenSeesPy documentation HTML -> executed, signature-checked instruction/code pairs.

Steps: load docs -> commands -> candidates (offline rules or the LLM) -> near-duplicate removal -> skip
committed ids (resume) -> run in the sandbox -> check the target call against the signature -> write.
Dedup runs before execution and in a fixed order, so a resumed build makes the same decisions.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from civilinstruct.apipairs.dedup import dedup
from civilinstruct.apipairs.generate import GENERATOR, Candidate, is_generic, render, stand_ins, unsupported_reason
from civilinstruct.apipairs.verify import check_call
from civilinstruct.docs import Command, load_docs
from civilinstruct.errors import CivilError
from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.store import Execution, Lineage, Message, Sample, Store, make_id

PART = "api_pairs"
VERSION = "v1"
log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one candidate: kept, or the reason it was dropped."""

    candidate: Candidate
    sample_id: str
    reason: str | None = None
    result: Any = None


def sample_id(c: Candidate, seed: int) -> str:
    """Content-addressed: the same command, page, variant, generator and seed give the same id."""
    return make_id(PART, command=c.command, page=c.page, variant=c.variant, generator=c.generator, seed=seed)


def candidates(commands: list[Command], options: BuildOptions, report: BuildReport) -> list[Candidate]:
    """Every (command, variant) candidate, offline or from the LLM; unsupported commands are noted."""
    by_key = {c.key: c for c in commands}
    jobs: list[tuple[Command, int]] = []
    out: list[Candidate] = []
    for command in commands:
        reason = unsupported_reason(command)
        if reason:
            report.drop(f"unsupported: {reason}", options.per_command)
            continue
        for variant in range(options.per_command):
            jobs.append((command, variant))
    if options.backend == "openai":
        from civilinstruct.apipairs.llm_pairs import generate_llm
        from civilinstruct.llm import get_backend

        made, failures = generate_llm(get_backend(options), jobs, progress=options.progress)
        for reason in failures.values():
            report.drop(reason)
        return made
    for command, variant in jobs:
        subs = stand_ins(command, by_key) if is_generic(command) else []
        if is_generic(command) and not subs:
            report.drop("generic command without a documented concrete type")
            continue
        try:
            out.append(render(command, variant, options.seed, subs[variant % len(subs)] if subs else None))
        except Exception as exc:  # a generator bug must not sink the build; it is counted and logged
            log.warning("api_pairs: cannot render %s #%d: %s", command.key, variant, exc)
            report.drop(f"generate: {type(exc).__name__}")
    return out


def verify(cands: list[Candidate], docs_by_key: dict[str, Command], options: BuildOptions) -> Iterator[Outcome]:
    """Run each candidate in the sandbox and check its target call; yields in input order."""
    if not cands:
        return
    with options.sandbox() as sandbox:
        results = sandbox.run_many([c.code for c in cands], workers=options.workers, progress=options.progress)
        for cand, result in zip(cands, results):
            outcome = Outcome(cand, sample_id(cand, options.seed), result=result)
            if result.status != "ok":
                outcome.reason = f"run: {result.status}" + (f" {result.exception_type}" if result.exception_type
                                                            else "")
            else:
                owner = docs_by_key.get(cand.signature.command)
                outcome.reason = check_call(cand.code, cand.signature, owner.doc if owner else None)
            yield outcome


def to_sample(o: Outcome, seed: int) -> Sample:
    """A verified candidate as a stored sample (spec: command, page, signature, variant)."""
    c = o.candidate
    spec = {"command": c.command, "page": c.page, "signature": c.signature.raw, "variant": c.variant}
    extra = {"style": c.style, "scenario": c.scenario, "options": c.options, "stand_in": c.stand_in,
             "signature_check": "ok"}
    return Sample(
        id=o.sample_id, part=PART,
        messages=[Message(role="user", content=c.instruction), Message(role="assistant", content=c.answer)],
        code=c.code, spec=json.dumps(spec, sort_keys=True), execution=Execution.from_result(o.result),
        extra=json.dumps(extra, sort_keys=True),
        lineage=Lineage(pipeline=PART, pipeline_version=VERSION, generator=c.generator,
                        prompt_template=c.prompt_template, prompt_hash=c.prompt_hash, seed=seed,
                        prompt_tokens=c.usage.get("prompt_tokens"), completion_tokens=c.usage.get("completion_tokens")),
    )


def build(store: Store, options: BuildOptions) -> BuildReport:
    """Build (or resume) the api_pairs part from `options.docs`."""
    if options.docs is None:
        raise CivilError("api_pairs needs the documentation HTML: --docs DIR")
    report = BuildReport(part=PART, version=VERSION)
    docs = load_docs(options.docs)
    commands = docs.commands()
    by_key = {c.key: c for c in commands}
    cands = candidates(commands, options, report)
    unique = []
    for cand, kept in dedup(cands, text=lambda c: c.instruction, group=lambda c: c.command):
        if kept:
            unique.append(cand)
        else:
            report.drop("near-duplicate instruction")
    params = {"docs": str(options.docs), "per_command": options.per_command, "seed": options.seed,
              "backend": options.backend, "generator": GENERATOR if options.backend == "offline" else options.model}
    verified: Counter[str] = Counter()
    with store.writer(PART, VERSION, pipeline=PART, params=params, shard_size=options.shard_size) as w:
        todo = [c for c in unique if sample_id(c, options.seed) not in w.committed_ids]
        report.skipped_existing = len(unique) - len(todo)
        # With a target size, take every command's first variant before any command's second, so a capped
        # build still covers the documentation; stop once the part holds `n` verified pairs.
        todo.sort(key=lambda c: c.variant)
        have = report.skipped_existing
        for outcome in verify(todo, by_key, options):
            if options.n is not None and have >= options.n:
                report.notes.append(f"stopped at the target of {options.n} pairs")
                break
            if outcome.reason:
                report.failed += 1
                report.drop(outcome.reason)
                continue
            if w.add(to_sample(outcome, options.seed)):
                report.written += 1
                have += 1
                verified[outcome.candidate.command] += 1
    documented = len(commands)
    report.notes.append(f"{len(docs.pages)} pages, {len(docs.command_pages)} command pages, "
                        f"{sum(1 for p in docs.command_pages if p.signatures)} with a signature, "
                        f"{documented} commands")
    report.notes.append(f"{len(verified)} commands got a verified pair in this run; "
                        f"{report.skipped_existing} pairs were already committed")
    return report
