"""Part 1, API pairs: OpenSeesPy documentation HTML -> executed, signature-checked instruction/code pairs.

Steps: load docs -> commands -> candidates (offline rules or the LLM) -> near-duplicate removal -> skip
committed ids (resume) -> run in the sandbox -> check the target call against the signature -> write.
Dedup runs before execution and in a fixed order, so a resumed build makes the same decisions. The steps are
generators chained in that order and the sandbox takes `BATCH` candidates at a time, so memory does not grow with
the number of pairs (dedup remembers hashes of kept instructions, the writer one shard).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from civilinstruct.pipelines.api_pairs.dedup import NearDuplicates
from civilinstruct.pipelines.api_pairs.generate import GENERATOR, Candidate, render, unsupported_reason
from civilinstruct.pipelines.api_pairs.text import is_generic, stand_ins
from civilinstruct.pipelines.api_pairs.semantic import exercised, problems
from civilinstruct.pipelines.api_pairs.semantic import reason as semantic_reason
from civilinstruct.pipelines.api_pairs.verify import check_call
from civilinstruct.opensees_docs import Command
from civilinstruct.opensees_docs.source import DocSource, load_source, resolve_docs
from civilinstruct.pipelines.base import BuildOptions, BuildReport, batched
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.executor import PartDef, build_part
from civilinstruct.pipelines.steps import Batched, Filter, Records, SkipCommitted, Step, StepFn, Verdict, chain
from civilinstruct.pipelines.write import Draft, Origin, WriteShard
from civilinstruct.store import Execution, Message, Store, make_id

PART = "api_pairs"
VERSION = "v3"  # v3: host tasks per variant, usage checks, reliability task, own-words comments (v2: semantic checks)
BATCH = 128  # candidates rendered, run and checked at a time: memory is one batch, not the part
log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one candidate: kept, or the reason it was dropped."""

    candidate: Candidate
    sample_id: str
    reason: str | None = None
    result: Any = None
    problems: list[str] | None = None


def sample_id(c: Candidate, seed: int) -> str:
    """Content-addressed: the same command, page, variant, generator and seed give the same id."""
    return make_id(PART, command=c.command, page=c.page, variant=c.variant, generator=c.generator, seed=seed)


def jobs(commands: list[Command], options: BuildOptions, report: BuildReport) -> Iterator[tuple[Command, int]]:
    """(command, variant) in build order: every command's first variant before any command's second, so a build
    capped at `n` still covers the documentation. Unsupported commands are counted once, up front."""
    supported = []
    for command in commands:
        reason = unsupported_reason(command)
        if reason:
            report.drop(f"unsupported: {reason}", options.per_command)
        else:
            supported.append(command)
    return ((command, variant) for variant in range(options.per_command) for command in supported)


@dataclass(frozen=True)
class Unmade:
    """A job that gave no candidate, and why (the `Made` filter counts it)."""

    command: str
    variant: int
    reason: str


class Made(Filter[Candidate | Unmade]):
    def keep(self, c: Candidate | Unmade) -> Verdict:
        return (False, c.reason) if isinstance(c, Unmade) else True


def made(commands: list[Command], batch: int = BATCH) -> list[Step | StepFn]:
    """The steps that turn the documented commands into candidates in build order, rendered (offline) or generated
    (LLM, the build's backend) `batch` jobs at a time, so a large build never holds more than a batch of them."""
    by_key = {c.key: c for c in commands}

    def planned(records: Records, ctx: Context) -> Iterator[tuple[Command, int]]:
        return jobs(commands, ctx.options, ctx.report)

    def rendered(records: Records, ctx: Context) -> Iterator[Candidate | Unmade]:
        for chunk in records or ():
            if ctx.options.backend == "openai":
                yield from generate_batch(chunk, ctx.backend)
            else:
                yield from (render_offline(command, variant, ctx.options.seed, by_key) for command, variant in chunk)

    return [planned, Batched(batch), rendered, Made()]


def candidates(commands: list[Command], options: BuildOptions, report: BuildReport,
               batch: int = BATCH) -> Iterator[Candidate]:
    """The candidates of `made` on their own, counting into `report` (tools and tests)."""
    return chain(made(commands, batch), Context.detached(options, report, set()))


def render_offline(command: Command, variant: int, seed: int, by_key: dict[str, Command]) -> Candidate | Unmade:
    """One offline candidate (a generic dispatcher through a concrete stand-in), or why it cannot be made."""
    subs = stand_ins(command, by_key) if is_generic(command) else []
    if is_generic(command) and not subs:
        return Unmade(command.key, variant, "generic command without a documented concrete type")
    try:
        return render(command, variant, seed, subs[variant % len(subs)] if subs else None)
    except Exception as exc:  # a generator bug must not sink the build; it is counted and logged
        log.warning("api_pairs: cannot render %s #%d: %s", command.key, variant, exc)
        return Unmade(command.key, variant, f"generate: {type(exc).__name__}")


def generate_batch(chunk: list[tuple[Command, int]], backend: Any) -> list[Candidate | Unmade]:
    """LLM candidates of one batch of jobs, put back in job order (retries answer late, and near-duplicate removal
    keeps the first of a cluster, so the order must not depend on which attempt succeeded); the jobs that failed
    come first, so they are counted when their batch is generated."""
    from civilinstruct.pipelines.api_pairs.llm_pairs import generate_llm

    done, failures = generate_llm(backend, chunk)  # the part's bar shows progress (one live bar)
    order = {(command.key, variant): i for i, (command, variant) in enumerate(chunk)}
    failed: list[Candidate | Unmade] = [Unmade(key, variant, reason) for (key, variant), reason in failures.items()]
    return failed + sorted(done, key=lambda c: order[(c.command, c.variant)])


class Unique(Filter[Candidate]):
    """Not a near-duplicate of an earlier instruction of the same command (decided in build order, so a resumed
    build makes the same decisions)."""

    reason = "near-duplicate instruction"

    def __init__(self) -> None:
        self.memory = NearDuplicates()

    def keep(self, cand: Candidate) -> Verdict:
        return not self.memory.seen(cand.instruction, cand.command)


def unique(cands: Iterable[Candidate], report: BuildReport) -> Iterator[Candidate]:
    """`Unique` over a stream of candidates, counting into `report` (tools and tests)."""
    return Unique().run(cands, Context.detached(BuildOptions(), report, set()))


def verify(cands: list[Candidate], docs_by_key: dict[str, Command], options: BuildOptions,
           sandbox: Any) -> Iterator[Outcome]:
    """Run each candidate in `sandbox` and check its target call; yields in input order."""
    results = sandbox.run_many([c.code for c in cands], workers=options.workers)
    for cand, result in zip(cands, results):
        outcome = Outcome(cand, sample_id(cand, options.seed), result=result)
        if result.status != "ok":
            outcome.reason = f"run: {result.status}" + (f" {result.exception_type}" if result.exception_type else "")
        else:
            owner = docs_by_key.get(cand.signature.command)
            doc = owner.doc if owner else None
            outcome.reason = check_call(cand.code, cand.signature, doc)
            if outcome.reason is None:
                outcome.problems = problems(cand.code, result, cand.signature, doc)
                if outcome.problems:
                    outcome.reason = semantic_reason(outcome.problems)
                    log.debug("api_pairs: %s #%d dropped: %s", cand.command, cand.variant, outcome.problems)
        yield outcome


def outcomes(todo: Iterable[Candidate], docs_by_key: dict[str, Command], options: BuildOptions,
             batch: int = BATCH) -> Iterator[Outcome]:
    """Verify candidates `batch` at a time in one sandbox: a batch is rendered, run and dropped before the next."""
    with options.sandbox() as sandbox:
        for chunk in batched(todo, batch):
            yield from verify(chunk, docs_by_key, options, sandbox)
            del chunk  # before the next batch is rendered


def to_draft(o: Outcome, source: DocSource | None = None) -> Draft:
    """A verified candidate as a row to store (spec: command, page, signature, variant); `extra` names the
    documentation it came from and, for the upstream docs, their licence note."""
    c = o.candidate
    spec = {"command": c.command, "page": c.page, "signature": c.signature.raw, "variant": c.variant}
    extra = {"style": c.style, "scenario": c.scenario, "options": c.options, "stand_in": c.stand_in,
             "signature_check": "ok", "semantic_check": "ok", "units": c.units, "exercised": exercised(c.code)}
    if source is not None:
        extra.update({"docs": source.label, "docs_license": source.license})
    return Draft(o.sample_id, dict(
        messages=[Message(role="user", content=c.instruction), Message(role="assistant", content=c.answer)],
        code=c.code, spec=json.dumps(spec, sort_keys=True), execution=Execution.from_result(o.result),
        extra=json.dumps(extra, sort_keys=True)),
        Origin(generator=c.generator, prompt_template=c.prompt_template, prompt_hash=c.prompt_hash, usage=c.usage))


@dataclass
class Docs:
    """The documentation this build reads and what it has done so far (the part's state in the context)."""

    source: DocSource
    docs: Any
    commands: list[Command]
    by_key: dict[str, Command]
    have: int = 0  # verified pairs the part holds (committed before, plus written now)
    verified: Counter[str] = field(default_factory=Counter)

    def at_target(self, n: int | None) -> bool:
        return n is not None and self.have >= n


class Verified(Filter[Outcome]):
    """The run was clean and the target call matches its signature and behaves (else counted as failed)."""

    def keep(self, o: Outcome) -> Verdict:
        return (False, o.reason) if o.reason else True

    def dropped(self, o: Outcome, reason: str, ctx: Context) -> None:
        ctx.report.failed += 1


def prepare(ctx: Context) -> None:
    """Resolve and parse the documentation (`civilinstruct.opensees_docs.source`: --docs, the manifest,
    CIVILINSTRUCT_DOCS, the fetched cache, the embedded set)."""
    source = resolve_docs(ctx.options.docs, origin=ctx.options.extra.get("docs_origin"))
    docs = load_source(source)
    commands = docs.commands()
    ctx.state = Docs(source, docs, commands, {c.key: c for c in commands})


def steps(ctx: Context) -> list[Step | StepFn]:
    """candidates -> near-duplicates out -> skip committed -> (batches) run and check -> write, until `n` pairs."""
    st: Docs = ctx.state
    st.have = len(ctx.committed)  # the part holds these already; stop once it holds `n` verified pairs
    if st.at_target(ctx.options.n):
        ctx.report.skipped_existing = st.have
        return [nothing]
    seed = ctx.options.seed

    def checked(records: Records, ctx: Context) -> Iterator[Outcome]:
        for chunk in records or ():
            yield from verify(chunk, st.by_key, ctx.options, ctx.sandbox)

    def until_target(records: Records, ctx: Context) -> Iterator[Draft]:
        for draft in records or ():
            if draft.written:
                st.have += 1
                st.verified[json.loads(draft.fields["spec"])["command"]] += 1
            yield draft
            if st.at_target(ctx.options.n):
                return  # checked after the write: reaching the target renders and runs nothing more

    def drafted(records: Records, ctx: Context) -> Iterator[Draft]:
        return (to_draft(o, st.source) for o in records or ())

    return [*made(st.commands), Unique(), SkipCommitted(lambda c: sample_id(c, seed)), Batched(BATCH), checked,
            Verified(), drafted, WriteShard(), until_target]


def nothing(records: Records, ctx: Context) -> Iterator[Any]:
    return iter(())


def params(ctx: Context) -> dict[str, Any]:
    o, st = ctx.options, ctx.state
    return {**st.source.record(), "per_command": o.per_command, "seed": o.seed, "backend": o.backend,
            "generator": GENERATOR if o.backend == "offline" else o.model}


def finish(ctx: Context) -> None:
    st: Docs = ctx.state
    report, source, docs = ctx.report, st.source, st.docs
    if st.at_target(ctx.options.n):
        report.notes.append(f"stopped at the target of {ctx.options.n} pairs")
    report.notes.append(f"docs: {source.label} (from {source.origin})"
                        + (f"; licence: {source.license}" if source.license else ""))
    report.notes.append(f"{len(docs.pages)} pages, {len(docs.command_pages)} command pages, "
                        f"{sum(1 for p in docs.command_pages if p.signatures)} with a signature, "
                        f"{len(st.commands)} commands")
    report.notes.append(f"{len(st.verified)} commands got a verified pair in this run; "
                        f"{report.skipped_existing} pairs were already committed")


PART_DEF = PartDef(name=PART, version=VERSION, steps=steps, params=params, prepare=prepare, finish=finish,
                   total=lambda ctx: len(ctx.state.commands) * ctx.options.per_command)


def build(store: Store, options: BuildOptions) -> BuildReport:
    """Build (or resume) the api_pairs part from the documentation `options.docs` resolves to."""
    return build_part(PART_DEF, store, options)
