"""Bug-CoT (part 3): failed runs -> structured diagnoses and repairs, each repair re-executed and kept only if
it runs and the failure is gone.

Inputs are the failed programs of the long_code part and mutations of its good programs (or, with no long_code
part in the store, programs designed and rendered here). Per chunk: run the broken programs, keep those whose
observed failure is the intended one, ask the backend for a diagnosis and a repair (`prompts/bugfix.j2`; offline:
rules), fall back on the mutation's inverse where no rule applies, run every distinct repair once, verify, write.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import platform
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.classify import classify
from civilinstruct.pipelines.bug_cot.diagnose import Diagnosis, write_diagnosis
from civilinstruct.pipelines.bug_cot.evidence import Evidence
from civilinstruct.pipelines.bug_cot.mutations import Mutation, mutate
from civilinstruct.pipelines.bug_cot.questions import QUESTION_TASKS, assistant_message, question_kind, user_message
from civilinstruct.pipelines.bug_cot.harvest import explain, taxonomy_label
from civilinstruct.pipelines.bug_cot.repair import why_not
from civilinstruct.pipelines.bug_cot.source import ops_calls
from civilinstruct.errors import CivilError
from civilinstruct.llm.offline import GENERATOR as OFFLINE_GENERATOR
from civilinstruct.pipelines.base import BuildOptions, BuildReport, PartProgress
from civilinstruct.store import Execution, Lineage, Message, Sample, Store, iter_shard, make_id

PART = "bug_cot"
VERSION = "v2"  # v2: harvested real failures (--from), origin in extra, period failure classes
DEFAULT_N = 3500
CHUNK = 64  # cases run, diagnosed and repaired together: what the pipeline holds at once (programs, runs, repairs)
PERIOD_TOLERANCE = 0.02  # a repaired mutation must reproduce its parent's T1 within 2 %


@dataclass(frozen=True)
class Parent:
    """A program from upstream: good (to mutate) or failed (to repair as it is)."""

    id: str
    code: str
    period_s: float | None
    failed: bool
    spec: str = "{}"
    origin: str = ""  # JSON: where a harvested program came from (source file, row, generator); "" for the store


@dataclass
class Case:
    """One failure to turn into a sample: the broken program, and (for mutations) how it was made."""

    parent: Parent
    broken: str
    key: str
    variant: int
    sample_id: str
    mutation: Mutation | None = None


def environment(options: BuildOptions) -> str:
    try:
        ops_version = version("openseespy")
    except PackageNotFoundError:
        ops_version = "unknown"
    return (f"Python {sys.version.split()[0]}, OpenSeesPy {ops_version}, {platform.system()} {platform.machine()}; "
            f"isolated sandbox (no network), wall-clock limit {options.timeout_s:g} s")


PARENT_COLUMNS = ["id", "code", "spec", "execution"]


def parent_kinds(batch: pa.RecordBatch) -> tuple[pa.Array, pa.Array]:
    """(failed, good) masks of a batch of long_code rows, computed in Arrow so rows that are not used are never
    turned into Python objects. Failed: a program that did not run ok (repaired as it is); good: it ran and its
    verdict is not FAIL (mutated). Rows without code or execution are neither."""
    execution = batch.column("execution")
    usable = pc.and_(execution.is_valid(), pc.fill_null(pc.greater(pc.utf8_length(batch.column("code")), 0), False))
    ran_ok = pc.fill_null(pc.equal(pc.struct_field(execution, "status"), "ok"), False)
    not_fail = pc.fill_null(pc.not_equal(pc.struct_field(execution, "compliance"), "fail"), True)
    return pc.and_(usable, pc.invert(ran_ok)), pc.and_(usable, pc.and_(ran_ok, not_fail))


def count_parents(paths: list[Path]) -> tuple[int, int]:
    """(failed, good) upstream programs, reading only the code and execution columns a batch at a time."""
    failed = good = 0
    for path in paths:
        for batch in iter_shard(path, ["code", "execution"]):
            is_failed, is_good = parent_kinds(batch)
            failed += pc.sum(is_failed).as_py() or 0
            good += pc.sum(is_good).as_py() or 0
    return failed, good


def iter_parents(paths: list[Path]) -> Iterator[Parent]:
    """Real failures first, then good programs (to mutate), each in store order: two streaming passes instead of
    sorting a list of every program, so memory is one batch of rows however large long_code is."""
    for want_failed in (True, False):
        for path in paths:
            for batch in iter_shard(path, PARENT_COLUMNS):
                is_failed, is_good = parent_kinds(batch)
                for row in batch.filter(is_failed if want_failed else is_good).to_pylist():
                    yield to_parent(row, want_failed)


def to_parent(row: dict[str, Any], failed: bool) -> Parent:
    """A long_code row as a parent; an upstream period is trusted only with a passing verdict (else re-run)."""
    ex = row["execution"]
    period = None if failed or ex["compliance"] != "pass" else ex["period_s"]
    return Parent(row["id"], row["code"], period, failed, row["spec"])


def load_parents(store: Store, options: BuildOptions) -> tuple[Iterable[Parent], int, int]:
    """(parents, failed, total): the programs of the `from` sources (real generations, each run as it is); else
    long_code programs streamed from the store; with none there, programs designed and rendered from seeded specs."""
    sources = options.extra.get("from")
    if sources:
        from civilinstruct.pipelines.bug_cot.harvest import harvest, parent_id

        harvested = [Parent(parent_id(h), h.program, None, True, origin=h.origin) for h in harvest(list(sources))]
        return harvested, len(harvested), len(harvested)
    paths = store.shard_paths("long_code") if store.exists() else []
    failed, good = count_parents(paths)
    if failed + good:
        return iter_parents(paths), failed, failed + good
    generated = generated_parents(options)
    return generated, 0, len(generated)


def generated_parents(options: BuildOptions) -> list[Parent]:
    from civilinstruct.codegen import TEMPLATE_VERSION, render
    from civilinstruct.design import design
    from civilinstruct.spec.sampling import iter_specs

    count = int(options.extra.get("programs", max(1, (options.n or DEFAULT_N) // 12 + 1)))
    parents = []
    for index, spec in enumerate(iter_specs(count, options.seed)):
        try:
            code = render(design(spec), options.seed + index)
        except CivilError:
            continue
        spec_json = spec.model_dump_json()
        pid = make_id("long_code", spec=json.loads(spec_json), generator=OFFLINE_GENERATOR, seed=options.seed + index,
                      template=TEMPLATE_VERSION)  # a new design basis or template makes new parents
        parents.append(Parent(pid, code, None, False, spec_json))
    return parents


def _seed(*parts: Any) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def plan(parents: Iterable[Parent], options: BuildOptions, generator: str, prompt_hash: str) -> Iterator[Case]:
    """Cases in a stable order: each parent's mutations (or its observed failure, as a few different questions:
    fix it, explain the log or why no period, review the diff)."""
    sites = int(options.extra.get("sites_per_class", 2))
    # a harvested failure is one case (one sample); store failures get a few differently worded variants
    variants = int(options.extra.get("variants_per_failure", 1 if options.extra.get("from") else 2))
    classes = options.extra.get("failure_types")

    def sid(parent: Parent, key: str, variant: int) -> str:
        return make_id(PART, parent=parent.id, failure=key, variant=variant, generator=generator,
                       prompt_hash=prompt_hash, seed=options.seed)

    for parent in parents:
        if parent.failed:
            for v in range(variants):
                yield Case(parent, parent.code, "observed", v, sid(parent, "observed", v))
            continue
        rng = random.Random(_seed(options.seed, parent.id))
        for m in mutate(parent.code, rng, sites_per_class=sites, classes=classes):
            yield Case(parent, m.program, m.key, 0, sid(parent, m.key, 0), m)


def build(store: Store, options: BuildOptions) -> BuildReport:
    """Write up to `options.n` (default 3,500) verified Bug-CoT samples; committed ids are skipped (resume)."""
    from civilinstruct.llm import get_backend
    from civilinstruct.llm.prompts import load_template

    report = BuildReport(part=PART, version=VERSION)
    target = options.n if options.n is not None else DEFAULT_N
    backend = get_backend(options)
    template = load_template("bugfix")
    parents, failed, total = load_parents(store, options)
    harvesting = bool(options.extra.get("from"))
    report.notes.append(f"{total} harvested programs (each run here)" if harvesting
                        else f"{total} upstream programs ({failed} failed runs)")
    env = environment(options)
    params = {"n": target, "seed": options.seed, "generator": backend.name, "prompt_hash": template.hash,
              **{k: v for k, v in options.extra.items() if k in ("sites_per_class", "variants_per_failure")}}
    with store.writer(PART, VERSION, pipeline="bug_cot", params=params, shard_size=options.shard_size) as writer, \
            options.sandbox() as sandbox:
        done = 0
        if len(writer.committed_ids) >= target:  # nothing to do: do not even plan
            report.skipped_existing = done = target
        progress = PartProgress(PART, target, done) if options.progress and done < target else None
        pending: list[Case] = []
        reference: dict[str, float | None] = {}
        mix: Counter[str] = Counter()  # failure types the harvested programs showed
        try:
            for case in _with_synthetic(plan(parents, options, backend.name, template.hash), store, options,
                                        backend.name, template.hash, mix):
                if case is None:  # the harvest is planned: process it, so its mix is known before mutating
                    if pending and done < target:
                        done += _process(pending, sandbox, backend, template.hash, env, options, writer, report,
                                         reference, target - done, mix)
                    pending = []
                    continue
                if done >= target:
                    break
                if case.sample_id in writer.committed_ids:
                    report.skipped_existing += 1
                    done += 1
                    continue
                pending.append(case)
                if len(pending) >= min(CHUNK, max(8, 2 * (target - done))):
                    done += _process(pending, sandbox, backend, template.hash, env, options, writer, report,
                                     reference, target - done, mix)
                    pending = []
                    if progress:
                        progress.update(done)
            if pending and done < target:
                done += _process(pending, sandbox, backend, template.hash, env, options, writer, report, reference,
                                 target - done, mix)
        finally:
            if progress:
                progress.close()
    report.written = writer.written  # counted at the writer's final flush
    if done < target:
        report.notes.append(f"only {done} of {target} samples: " + (
            "the sources hold no more repairable failures (add sources, or extra.synthetic)" if harvesting
            else "add upstream programs or raise sites_per_class"))
    return report


def _process(cases: list[Case], sandbox: Any, backend: Any, prompt_hash: str, env: str, options: BuildOptions,
             writer: Any, report: BuildReport, reference: dict[str, float | None], room: int,
             mix: Counter[str] | None = None) -> int:
    """Run, classify, diagnose, repair, re-run and write one chunk; returns the samples written."""
    from civilinstruct.llm import GenerationRequest

    _reference_periods(cases, sandbox, reference)
    usable = [c for c in cases if c.parent.failed or reference.get(c.parent.id) is not None]
    if len(usable) < len(cases):
        report.drop("parent_not_clean", len(cases) - len(usable))
        cases = usable
    broken_runs = list(sandbox.run_many([c.broken for c in cases], workers=options.workers))
    kept: list[tuple[Case, Any, Evidence, str]] = []
    for case, run in zip(cases, broken_runs):
        ev = Evidence.from_result(run)
        observed = classify(ev, case.broken, reference.get(case.parent.id))
        if case.parent.origin and observed is not None and mix is not None:
            mix[observed] += 1
        if observed is None:
            report.drop("did_not_fail")
        elif case.parent.origin and observed in F.UNREPAIRABLE:
            report.drop(f"unrepairable:{observed}")
            explain(report, case.parent.origin, observed, F.UNREPAIRABLE[observed])
        elif case.mutation is not None and observed != case.mutation.failure_type:
            report.drop(f"failed_otherwise:{case.mutation.failure_type}")
        elif observed in (F.TIMEOUT, F.CRASH):
            report.drop(f"unrepairable:{observed}")
        else:
            kept.append((case, run, ev, observed))
    requests = [GenerationRequest(template="bugfix", json_schema=Diagnosis, variables={
        "program": case.broken, "error_log": ev.log(), "return_code": run.exit_code, "error_line": ev.error_line,
        "status": run.status, "environment": env, "failure_hint": _hint(observed, ev),
        "evidence": ev, "failure_type": observed, "reference_period_s": reference.get(case.parent.id),
        "seed": _seed(options.seed, case.sample_id),
        # the variant's question: a distinct request per variant on the LLM path, not the same prompt twice
        "task": QUESTION_TASKS[question_kind(observed, case.variant)]},
        # seeded per sample, and later variants sampled warmer, so an endpoint gives each its own answer
        params={"seed": _seed(options.seed, case.sample_id) % 2**31,
                **({"temperature": float(options.extra.get("variant_temperature", 0.8))} if case.variant else {})})
        for case, run, ev, observed in kept]
    answers = backend.generate_many(requests, concurrency=int(options.extra.get("concurrency", 16)))
    repairs: list[tuple[Case, Any, Evidence, str, Diagnosis, str, Any]] = []
    for (case, run, ev, observed), answer in zip(kept, answers):
        if answer.error:
            report.drop(f"llm:{answer.error}")
            continue
        diagnosis: Diagnosis = answer.parsed
        method = "rule" if backend.name.startswith("offline/") else "llm"
        if not diagnosis.repaired_program.strip():
            if case.mutation is None:
                report.drop(f"no_repair:{observed}")
                explain(report, case.parent.origin, observed, why_not(case.broken, ev, observed))
                continue
            rng = random.Random(_seed(options.seed, case.sample_id, "inverse"))
            diagnosis = write_diagnosis(observed, ev, case.broken, case.parent.code,
                                        "restore the intended code", rng)
            method = "inverse"
        repairs.append((case, run, ev, observed, diagnosis, method, answer))
    distinct = list(dict.fromkeys(r[4].repaired_program for r in repairs))
    runs = dict(zip(distinct, sandbox.run_many(distinct, workers=options.workers)))
    written = 0
    for case, run, ev, observed, diagnosis, method, answer in repairs:
        if written >= room:
            break
        fixed = runs[diagnosis.repaired_program]
        reason = _verify(fixed, diagnosis.repaired_program, case.broken, reference.get(case.parent.id))
        if reason:
            report.drop(f"repair_{reason}:{observed}")
            continue
        writer.add(_sample(case, run, ev, observed, diagnosis, method, answer, fixed, prompt_hash, env, options))
        written += 1
    ops_calls.cache_clear()  # the chunk's programs do not come back: keep the parse cache to one chunk
    return written


def _reference_periods(cases: list[Case], sandbox: Any, reference: dict[str, float | None]) -> None:
    """T1 of each good parent (from upstream, else run once), to judge period failures and repairs."""
    missing = list(dict.fromkeys(c.parent for c in cases if not c.parent.failed and c.parent.id not in reference))
    for parent in [p for p in missing if p.period_s is not None]:
        reference[parent.id] = parent.period_s
    todo = [p for p in missing if p.period_s is None]
    for parent, run in zip(todo, sandbox.run_many([p.code for p in todo])):
        clean = run.status == "ok" and classify(Evidence.from_result(run), parent.code) is None
        reference[parent.id] = run.period_s if clean else None  # None: not a good program to mutate


def _verify(run: Any, program: str, broken: str, reference_s: float | None) -> str | None:
    """None when the repair ran and the failure is gone; else why not."""
    if _rewritten(broken, program):
        return "rewrote"  # another program (an unrelated original, a fresh answer), not a repair of this one
    if run.status != "ok":
        return "failed"
    if (reference_s or "eigen" in broken) and run.period_s is None:
        return "no_period"  # a "repair" that drops the modal analysis does not repair the program
    if classify(Evidence.from_result(run), program, reference_s) is not None:
        return "still_failing"
    if reference_s or "eigen" in broken:
        if reference_s and abs(run.period_s - reference_s) / reference_s > PERIOD_TOLERANCE:
            return "period_changed"
    return None


def _with_synthetic(cases: Iterator[Case], store: Store, options: BuildOptions, generator: str, prompt_hash: str,
                    mix: Counter[str]) -> Iterator[Case | None]:
    """The harvested cases, then (with `extra.synthetic`) mutations of good programs whose classes are drawn by
    the frequency the harvest observed, so planted failures follow the real mix. `None` marks the switch."""
    yield from cases
    if not options.extra.get("from") or not int(options.extra.get("synthetic", 0)):
        return
    yield None
    from civilinstruct.pipelines.bug_cot.mutations import MUTATORS

    weighted = {k: v for k, v in mix.items() if k in MUTATORS}
    if not weighted:
        return
    synthetic = options.model_copy(update={"extra": {k: v for k, v in options.extra.items() if k != "from"}})
    parents, _, _ = load_parents(store, synthetic)
    good = (p for p in parents if not p.failed)
    rng = random.Random(_seed(options.seed, "mix"))
    classes, weights = list(weighted), list(weighted.values())

    def drawn() -> Iterator[Case]:
        for parent in good:
            chosen = sorted(set(rng.choices(classes, weights, k=3)))
            picked = synthetic.model_copy(update={"extra": {**synthetic.extra, "failure_types": chosen,
                                                            "sites_per_class": 1}})
            yield from plan([parent], picked, generator, prompt_hash)
    yield from drawn()


def _rewritten(broken: str, repaired: str) -> bool:
    """A repair that keeps under 80 % of the broken program's lines is a different program."""
    return difflib.SequenceMatcher(None, broken.splitlines(), repaired.splitlines(), autojunk=False).ratio() < 0.8


def _hint(failure_type: str, ev: Evidence) -> str | None:
    if failure_type == F.WRONG_UNITS and ev.period_s:
        return f"the program runs but reports a first period T1 = {ev.period_s:.4g} s"
    if failure_type == F.DRIFT:
        return "the program runs but its interstory drift check fails"
    return None


def _sample(case: Case, run: Any, ev: Evidence, observed: str, diagnosis: Diagnosis, method: str, answer: Any,
            fixed: Any, prompt_hash: str, env: str, options: BuildOptions) -> Sample:
    rng = random.Random(_seed(options.seed, case.sample_id, "question"))
    kind = question_kind(observed, case.variant)
    question = user_message(case.broken, ev, run.exit_code, env, _hint(observed, ev), rng, kind,
                            diagnosis.repaired_program)
    failure = {"status": run.status, "exit_code": run.exit_code, "exception_type": run.exception_type,
               "exception_message": run.exception_message, "error_line": run.error_line,
               "total_lines": run.total_lines, "period_s": run.period_s, "compliance": run.compliance,
               "log": ev.log()}
    origin = json.loads(case.parent.origin) if case.parent.origin else {
        "kind": "synthetic", "mutation": case.mutation.key.split(":")[0] if case.mutation else None}
    _, label = taxonomy_label(case.broken, run)  # the benchmark's label; the stage is this failure type's
    extra = {"origin": origin, "stage": F.stage(observed), "taxonomy": label, "question": kind, "failure": failure,
             "broken_program": case.broken, "mutation": case.mutation.key if case.mutation else None,
             "mutation_description": case.mutation.description if case.mutation else None,
             "repair_method": method, "diagnosis": diagnosis.model_dump(exclude={"repaired_program"}),
             "environment": env}
    return Sample(
        id=case.sample_id, part=PART,
        messages=[Message(role="user", content=question),
                  Message(role="assistant", content=assistant_message(diagnosis, kind))],
        code=diagnosis.repaired_program, spec=case.parent.spec, execution=Execution.from_result(fixed),
        failure_type=observed, extra=json.dumps(extra, ensure_ascii=False),
        lineage=Lineage(pipeline="bug_cot", pipeline_version=VERSION,
                        # an inverse-edit fallback is written by the offline rules, whatever answered first
                        generator=OFFLINE_GENERATOR if method == "inverse" else answer.generator,
                        prompt_template="bugfix", prompt_hash=prompt_hash, seed=options.seed,
                        parent_ids=[case.parent.id], prompt_tokens=answer.usage.get("prompt_tokens"),
                        completion_tokens=answer.usage.get("completion_tokens")))
