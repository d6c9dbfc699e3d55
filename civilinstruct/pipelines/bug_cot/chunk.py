"""The steps Bug-CoT runs on each chunk of cases: run the broken programs, keep the intended failures, ask for a
diagnosis and a repair, re-run every distinct repair once, keep the verified ones (at most the room left).

Each step takes and yields a list (one chunk); a record grows from `Case` to `Triaged` (the broken run and its
failure type), `Answered` (the backend's answer) and `Repair` (the diagnosis used, how it was made, the repaired run).
The part's counters live in `Tally` (`ctx.state`).
"""

from __future__ import annotations

import difflib
import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot.classify import classify
from civilinstruct.pipelines.bug_cot.diagnose import Diagnosis, write_diagnosis
from civilinstruct.pipelines.bug_cot.evidence import Evidence
from civilinstruct.pipelines.bug_cot.harvest import explain, taxonomy_label
from civilinstruct.pipelines.bug_cot.plan import Case, Parent
from civilinstruct.pipelines.bug_cot.questions import QUESTION_TASKS, assistant_message, question_kind, user_message
from civilinstruct.pipelines.bug_cot.realrules import why_not
from civilinstruct.pipelines.bug_cot.source import ops_calls
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.steps import Filter, InBatches, Records, Step, StepFn, Verdict
from civilinstruct.pipelines.write import Draft, Origin
from civilinstruct.store.seeds import derive_seed

PERIOD_TOLERANCE = 0.02  # a repaired mutation must reproduce its parent's T1 within 2 %


@dataclass
class Tally:
    """What the part carries from chunk to chunk: its target and how far it is, the parents' reference periods,
    the failure mix the harvest showed, and the fixed inputs of every request."""

    target: int
    env: str
    prompt_hash: str
    generator: str
    harvesting: bool
    done: int = 0  # samples written or already committed
    parents: Iterable[Parent] = ()
    reference: dict[str, float | None] = field(default_factory=dict)
    mix: Counter[str] = field(default_factory=Counter)

    @property
    def room(self) -> int:
        return self.target - self.done


@dataclass
class Triaged:
    case: Case
    run: Any
    evidence: Evidence
    observed: str | None


@dataclass
class Answered:
    triaged: Triaged
    answer: Any


@dataclass
class Repair:
    triaged: Triaged
    answer: Any
    diagnosis: Diagnosis
    method: str  # rule / llm / inverse
    fixed: Any = None  # the repaired program's run


def reference_periods(records: Records, ctx: Context) -> Iterator[list[Case]]:
    """T1 of each good parent (from upstream, else run once), to judge period failures and repairs. A chunk that
    arrives once the target is reached is not worked on."""
    tally: Tally = ctx.state
    for cases in records or ():
        if tally.room <= 0:
            continue
        missing = list(dict.fromkeys(c.parent for c in cases if not c.parent.failed
                                     and c.parent.id not in tally.reference))
        for parent in [p for p in missing if p.period_s is not None]:
            tally.reference[parent.id] = parent.period_s
        todo = [p for p in missing if p.period_s is None]
        for parent, run in zip(todo, ctx.sandbox.run_many([p.code for p in todo])):
            clean = run.status == "ok" and classify(Evidence.from_result(run), parent.code) is None
            tally.reference[parent.id] = run.period_s if clean else None  # None: not a good program to mutate
        yield cases


class ParentClean(Filter[Case]):
    reason = "parent_not_clean"

    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    def keep(self, case: Case) -> Verdict:
        return case.parent.failed or self.tally.reference.get(case.parent.id) is not None


def run_broken(records: Records, ctx: Context) -> Iterator[list[Triaged]]:
    """Each broken program run and classified; the harvest's failure mix is counted here."""
    tally: Tally = ctx.state
    for cases in records or ():
        out = []
        for case, run in zip(cases, ctx.sandbox.run_many([c.broken for c in cases], workers=ctx.options.workers)):
            ev = Evidence.from_result(run)
            observed = classify(ev, case.broken, tally.reference.get(case.parent.id))
            if case.parent.origin and observed is not None:
                tally.mix[observed] += 1
            out.append(Triaged(case, run, ev, observed))
        yield out


class Intended(Filter[Triaged]):
    """The program failed, the way its mutation meant it to, and in a way a repair can fix."""

    def keep(self, t: Triaged) -> Verdict:
        observed, case = t.observed, t.case
        if observed is None:
            return False, "did_not_fail"
        if case.parent.origin and observed in F.UNREPAIRABLE:
            return False, f"unrepairable:{observed}"
        if case.mutation is not None and observed != case.mutation.failure_type:
            return False, f"failed_otherwise:{case.mutation.failure_type}"
        if observed in (F.TIMEOUT, F.CRASH):
            return False, f"unrepairable:{observed}"
        return True

    def dropped(self, t: Triaged, reason: str, ctx: Context) -> None:
        if t.case.parent.origin and t.observed in F.UNREPAIRABLE:
            explain(ctx.report, t.case.parent.origin, t.observed, F.UNREPAIRABLE[t.observed])


def diagnose(records: Records, ctx: Context) -> Iterator[list[Answered]]:
    """One `bugfix` request per case (offline: rules), answered concurrently."""
    from civilinstruct.llm import GenerationRequest

    tally: Tally = ctx.state
    options = ctx.options
    for chunk in records or ():
        requests = []
        for t in chunk:
            case, run, ev, observed = t.case, t.run, t.evidence, t.observed
            seed = derive_seed(options.seed, case.sample_id)
            requests.append(GenerationRequest(template="bugfix", json_schema=Diagnosis, variables={
                "program": case.broken, "error_log": ev.log(), "return_code": run.exit_code,
                "error_line": ev.error_line, "status": run.status, "environment": tally.env,
                "failure_hint": hint(observed or "", ev), "evidence": ev, "failure_type": observed,
                "reference_period_s": tally.reference.get(case.parent.id), "seed": seed,
                # the variant's question: a distinct request per variant on the LLM path, not the same prompt twice
                "task": QUESTION_TASKS[question_kind(observed, case.variant)]},
                # seeded per sample, and later variants sampled warmer, so an endpoint gives each its own answer
                params={"seed": seed % 2**31,
                        **({"temperature": float(options.extra.get("variant_temperature", 0.8))}
                           if case.variant else {})}))
        answers = ctx.backend.generate_many(requests, concurrency=int(options.extra.get("concurrency", 16)))
        yield [Answered(t, a) for t, a in zip(chunk, answers)]


class AnswerOk(Filter[Answered]):
    def keep(self, a: Answered) -> Verdict:
        return (False, f"llm:{a.answer.error}") if a.answer.error else True


class HasRepair(Filter[Answered]):
    """An answer without a repaired program is kept only for a mutation (its inverse is the fallback)."""

    def keep(self, a: Answered) -> Verdict:
        if a.answer.parsed.repaired_program.strip() or a.triaged.case.mutation is not None:
            return True
        return False, f"no_repair:{a.triaged.observed}"

    def dropped(self, a: Answered, reason: str, ctx: Context) -> None:
        t = a.triaged
        explain(ctx.report, t.case.parent.origin, str(t.observed), why_not(t.case.broken, t.evidence, str(t.observed)))


def repaired(records: Records, ctx: Context) -> Iterator[list[Repair]]:
    """The diagnosis each case keeps (the mutation's inverse where the answer repaired nothing), and every
    distinct repaired program run once."""
    seed = ctx.options.seed
    offline = ctx.backend.name.startswith("offline/")
    for chunk in records or ():
        repairs = []
        for a in chunk:
            t, diagnosis, method = a.triaged, a.answer.parsed, "rule" if offline else "llm"
            if not diagnosis.repaired_program.strip():
                rng = random.Random(derive_seed(seed, t.case.sample_id, "inverse"))
                diagnosis = write_diagnosis(str(t.observed), t.evidence, t.case.broken, t.case.parent.code,
                                            "restore the intended code", rng)
                method = "inverse"
            repairs.append(Repair(t, a.answer, diagnosis, method))
        distinct = list(dict.fromkeys(r.diagnosis.repaired_program for r in repairs))
        runs = dict(zip(distinct, ctx.sandbox.run_many(distinct, workers=ctx.options.workers)))
        for r in repairs:
            r.fixed = runs[r.diagnosis.repaired_program]
        yield repairs


class Verified(Filter[Repair]):
    """The repair ran and the failure is gone (`verify`)."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    def keep(self, r: Repair) -> Verdict:
        t = r.triaged
        why = verify(r.fixed, r.diagnosis.repaired_program, t.case.broken, self.tally.reference.get(t.case.parent.id))
        return (False, f"repair_{why}:{t.observed}") if why else True


def written(tally: Tally) -> StepFn:
    """The verified repairs of each chunk as drafts, at most the room left before the target."""
    check = Verified(tally)

    def step(records: Records, ctx: Context) -> Iterator[Draft]:
        for chunk in records or ():
            room, kept = tally.room, 0
            for r in chunk:
                if kept >= room:
                    break
                if check.judge(r, ctx):
                    kept += 1
                    tally.done += 1
                    yield to_draft(r, tally, ctx.options.seed)
            ops_calls.cache_clear()  # the chunk's programs do not come back: keep the parse cache to one chunk
    return step


def chunk_steps(tally: Tally) -> list[Step | StepFn]:
    return [reference_periods, InBatches(ParentClean(tally)), run_broken, InBatches(Intended()), diagnose,
            InBatches(AnswerOk()), InBatches(HasRepair()), repaired, written(tally)]


def verify(run: Any, program: str, broken: str, reference_s: float | None) -> str | None:
    """None when the repair ran and the failure is gone; else why not."""
    if rewritten(broken, program):
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


def rewritten(broken: str, repaired: str) -> bool:
    """A repair that keeps under 80 % of the broken program's lines is a different program."""
    return difflib.SequenceMatcher(None, broken.splitlines(), repaired.splitlines(), autojunk=False).ratio() < 0.8


def hint(failure_type: str, ev: Evidence) -> str | None:
    if failure_type == F.WRONG_UNITS and ev.period_s:
        return f"the program runs but reports a first period T1 = {ev.period_s:.4g} s"
    if failure_type == F.DRIFT:
        return "the program runs but its interstory drift check fails"
    return None


def to_draft(r: Repair, tally: Tally, seed: int) -> Draft:
    """The sample: the question (its kind chosen per variant), the diagnosis, the repaired program and its run."""
    t = r.triaged
    case, run, ev, observed, diagnosis = t.case, t.run, t.evidence, str(t.observed), r.diagnosis
    rng = random.Random(derive_seed(seed, case.sample_id, "question"))
    kind = question_kind(observed, case.variant)
    question = user_message(case.broken, ev, run.exit_code, tally.env, hint(observed, ev), rng, kind,
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
             "repair_method": r.method, "diagnosis": diagnosis.model_dump(exclude={"repaired_program"}),
             "environment": tally.env}
    from civilinstruct.store import Execution, Message

    return Draft(case.sample_id, dict(
        messages=[Message(role="user", content=question),
                  Message(role="assistant", content=assistant_message(diagnosis, kind))],
        code=diagnosis.repaired_program, spec=case.parent.spec, execution=Execution.from_result(r.fixed),
        failure_type=observed, extra=json.dumps(extra, ensure_ascii=False)),
        # an inverse-edit fallback is written by the offline rules, whatever answered first
        Origin(generator=OFFLINE_GENERATOR if r.method == "inverse" else r.answer.generator,
               prompt_template="bugfix", prompt_hash=tally.prompt_hash, parent_ids=(case.parent.id,),
               usage=r.answer.usage))
