"""Part 2, long code: sampled buildings -> rule-based design -> complete OpenSeesPy programs, executed and scored.

Steps per spec: sample (seeded) -> skip committed ids (resume) -> design (an undesignable spec is counted with
the rule it breaks) -> instruction (offline variant, or LLM rewrite with `prompts/rewrite.j2` kept only when it
reads back the same building) -> answer (offline rules, or the LLM with `prompts/codegen.j2`) -> run in the
sandbox -> score (`civilinstruct.scoring.program`) -> write. Failed runs are kept with their status: they feed Bug-CoT.
A clean run whose probed model is not the building its instruction asks for (spec conformance, issue 15) is
dropped with the wrong fields as its reason.
Work goes in chunks (specs are designed chunk by chunk too), so a killed build loses at most one chunk and memory
is one chunk of programs whatever `n` is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.pipelines.base import BuildOptions, BuildReport
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.executor import PartDef, build_part
from civilinstruct.pipelines.steps import (Batched, Filter, InBatches, Records, SkipCommitted, Step, StepFn, Verdict,
                                           chain, unbatched)
from civilinstruct.pipelines.write import Draft, Origin, WriteShard

PART = "long_code"
VERSION = "v2"  # v2: the Chinese design basis in X and Y, codegen-v4..v6 skeletons (3D, recorders), negatives
DEFAULT_N = 100
CHUNK = 64  # specs designed, written and run together: what the pipeline holds at once
_ANSWER_CODE = re.compile(r"<answer>.*?```(?:python)?\s*\n(.*?)```", re.S)


@dataclass
class Job:
    """One spec on its way to a sample; steps fill in the fields."""

    index: int
    spec: Any
    sample_id: str
    variant_seed: int
    style_seed: int
    design: Any = None
    instruction: str = ""
    answer: str = ""
    code: str = ""
    generator: str = OFFLINE_GENERATOR
    prompt_template: str | None = None
    prompt_hash: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    style: str = ""
    notes: dict[str, Any] = field(default_factory=dict)
    answered: bool = True  # False: the LLM's answer held no program (dropped before it runs)
    result: Any = None  # the sandbox's run of `code`


def generator_name(options: BuildOptions) -> str:
    return OFFLINE_GENERATOR if options.backend == "offline" else f"openai/{options.model}"


def seeds_for(seed: int, index: int) -> tuple[int, int]:
    """(instruction variant seed, program style seed) of the index-th spec."""
    base = seed * 1_000_003 + index
    return base, base * 7 + 3


def make_jobs(options: BuildOptions, committed: set[str], report: BuildReport) -> list[Job]:
    """Every job at once (for tests and tools; the build designs them chunk by chunk)."""
    return list(iter_jobs(options, committed, report))


def iter_jobs(options: BuildOptions, committed: set[str], report: BuildReport) -> Iterator[Job]:
    """Sampled specs minus those already committed, designed as they are asked for; undesignable specs are
    counted by rule. The first three steps of the part, run on their own."""
    ctx = Context.detached(options, report, committed)
    return cast(Iterator[Job], chain(_design_steps(), ctx))


def sampled(records: Records, ctx: Context) -> Iterator[Job]:
    """One job per seeded spec, with its id (known before any design work, so resume skips it cheaply)."""
    from civilinstruct.codegen import TEMPLATE_VERSION
    from civilinstruct.codegen.negative import EXPECTED_FAIL, is_negative
    from civilinstruct.spec.sampling import iter_specs
    from civilinstruct.store import make_id

    options = ctx.options
    generator = generator_name(options)
    negatives = options.backend == "offline" and options.extra.get("negatives", True)
    for index, spec in enumerate(iter_specs(options.n if options.n is not None else DEFAULT_N, options.seed)):
        variant_seed, style_seed = seeds_for(options.seed, index)
        sid = make_id(PART, spec=spec.canonical(), generator=generator, template=TEMPLATE_VERSION,
                      variant_seed=variant_seed, style_seed=style_seed, version=VERSION)
        job = Job(index=index, spec=spec, sample_id=sid, variant_seed=variant_seed, style_seed=style_seed)
        if negatives and is_negative(options.seed, index):
            job.notes.update(negative=True, expected_fail=EXPECTED_FAIL)
        yield job


class Designable(Filter[Job]):
    """Designs each spec (a design is not made before its chunk runs); one that breaks a design rule is dropped
    with the rule's name."""

    name = "design"

    def keep(self, job: Job) -> Verdict:
        from civilinstruct.design import DesignError, design

        try:
            job.design = design(job.spec)
        except DesignError as exc:
            return False, "not designable: " + rule_of(str(exc))
        return True


def _design_steps() -> list[Step | StepFn]:
    return [sampled, SkipCommitted(lambda job: job.sample_id), Designable()]


def rule_of(message: str) -> str:
    """The rule named at the start of a DesignError message, without its numbers (a drop-reason key)."""
    words = re.match(r"[A-Za-z ]+", message)
    return (words.group(0).strip() if words else message)[:60] or "unknown"


def write_offline(jobs: list[Job]) -> None:
    """Instruction variant and rule-based answer for each job."""
    from civilinstruct.codegen import answer_for, instruction_language
    from civilinstruct.codegen.negative import given_members, light_design
    from civilinstruct.spec.instructions import render_instruction

    for job in jobs:
        job.instruction = render_instruction(job.spec, job.variant_seed)
        given = job.notes.get("negative", False)
        if given:  # a negative sample: the instruction gives light members, the right answer is FAIL (issue 16)
            job.design = light_design(job.design)
            job.instruction += given_members(job.design, instruction_language(job.instruction))
        # thinking and comments in the instruction's language; what it leaves out stated as assumptions
        style, job.code, job.answer = answer_for(job.design, job.instruction, job.style_seed, given)
        job.style = style.name


def write_llm(jobs: list[Job], backend: Any, report: BuildReport) -> None:
    """LLM path: rewrite each offline instruction, then ask for the program; a job whose answer holds no program
    is marked unanswered (the `Answered` filter drops it)."""
    from civilinstruct.llm import GenerationRequest
    from civilinstruct.spec.instructions import parse_instruction, render_instruction

    for job in jobs:
        job.instruction = render_instruction(job.spec, job.variant_seed)
    rewrites = backend.generate_many([GenerationRequest(template="rewrite", variables={"instruction": j.instruction})
                                      for j in jobs])
    for job, res in zip(jobs, rewrites):
        text = res.text.strip()
        try:
            same = bool(text) and res.ok and parse_instruction(text) == job.spec
        except Exception:
            same = False
        if same:
            job.instruction = text
        else:
            job.notes["rewrite_rejected"] = True
    rejected = sum(1 for j in jobs if j.notes.get("rewrite_rejected"))
    if rejected:
        report.notes.append(f"{rejected} LLM rewrites changed the building; the offline variant was kept")
    answers = backend.generate_many([GenerationRequest(template="codegen", variables={
        "instruction": j.instruction, "design": design_brief(j.design)}) for j in jobs])
    for job, res in zip(jobs, answers):
        match = _ANSWER_CODE.search(res.text or "")
        # an answer cut at the token limit keeps the program it started: it fails when run and is written as a
        # failed row, the real truncation failures Bug-CoT (`bug_cot`) learns from
        code = match.group(1) if match else (cut_program(res.text) if res.ok else None)
        if code is None:
            job.answered = False
            continue
        if match is None:
            job.notes["cut_answer"] = True
        job.answer, job.code = res.text, code
        job.generator, job.prompt_template, job.prompt_hash = res.generator, res.prompt_template, res.prompt_hash
        job.usage = dict(res.usage)


def cut_program(text: str) -> str | None:
    """The program of an answer whose code block opens inside <answer> and never closes (a cut answer)."""
    from civilinstruct.pipelines.bug_cot.harvest import program_of

    tail = text.split("<answer>", 1)[1] if "<answer>" in text else None
    return program_of(tail) if tail is not None and tail.count("```") % 2 == 1 else None


def design_brief(d: Any) -> str:
    """The validated design handed to the LLM with `prompts/codegen.j2` (paper Fig. 9: design in, code out)."""
    brief = {
        "concrete": d.concrete, "Ec_MPa": d.Ec_mpa, "fc_MPa": d.fc_mpa, "rebar": "HRB400, fy 360 MPa",
        "seismic_grade": d.seismic_grade, "Tg_s": d.tg_s, "alpha_max": d.alpha_max, "damping": d.damping,
        "column_sections_mm": {f"{g.first_story}-{g.last_story}": round(g.size_m * 1000) for g in d.column_groups},
        "beam_section_mm": [round(d.beam_b_m * 1000), round(d.beam_h_m * 1000)],
        "stiffness_factors": {"columns_gross": d.col_crack, "beams_flange": d.beam_crack}, "psi_T": d.psi_t,
        "frame": {"position": d.frame_position, "tributary_m": d.tributary_m},
        "category_and_grades": [d.category, d.seismic_grade, d.details_grade],
        "beam_line_load_kN_per_m": d.beam_w_kn_m, "joint_mass_t": d.node_mass_t,
        "expected_T1_s": round(d.t1_s, 4), "axial_ratio_limit": d.axial_limit,
    }
    return json.dumps(brief)


def to_draft(job: Job) -> Draft:
    """The row to store: chat, program, spec, execution, score and the design summary the expert filter reads."""
    from civilinstruct.codegen import style_for
    from civilinstruct.scoring.program import score_run, verdict_consistent
    from civilinstruct.store import Execution, Message

    result = job.result
    score, parts = score_run(result, job.code, job.design)
    d = job.design
    ok = result.status == "ok"
    extra = {
        "style": job.style or style_for(job.style_seed).name, "variant_seed": job.variant_seed, "style_seed": job.style_seed,
        "index": job.index, "lines": len(job.code.splitlines()),
        "verdict_consistent": bool(ok and verdict_consistent(result.stdout or "")),
        "design": {"t1_model_s": d.t1_s, "empirical_t1_s": d.empirical_t1_s, "psi_t": d.psi_t,
                   "max_drift_model": d.max_drift, "concrete": d.concrete, "seismic_grade": d.seismic_grade,
                   "columns_mm": [round(g.size_m * 1000) for g in d.column_groups],
                   "beam_mm": [round(d.beam_b_m * 1000), round(d.beam_h_m * 1000)],
                   "base_shear_kn": d.base_shear_kn, "iterations": len(d.iterations) - 2},
        **job.notes,
    }
    failure = None if ok else (result.exception_type or result.status)
    return Draft(job.sample_id, dict(
        messages=[Message(role="user", content=job.instruction), Message(role="assistant", content=job.answer)],
        code=job.code, spec=job.spec.to_json(), execution=Execution.from_result(result), score=score,
        score_parts=parts, ground_truth=result.period_s if ok else None, failure_type=failure,
        extra=json.dumps(extra, sort_keys=True)),
        Origin(generator=job.generator, prompt_template=job.prompt_template, prompt_hash=job.prompt_hash,
               usage=job.usage))


def spec_reject(job: Job, result: Any) -> str | None:
    """The drop reason of a clean run whose probed model is not the building of its spec (issue 15), else None.

    Failed runs are kept for Bug-CoT (their model is incomplete by nature), and runs without a probe are not judged.
    """
    from civilinstruct.physics.conformance import check_conformance, wrong_fields

    model = getattr(result, "model", None)
    if result.status != "ok" or model is None:
        return None
    checked = check_conformance(job.spec, model)
    if checked["conforms"]:
        return None
    wrong = wrong_fields(checked)
    return "spec conformance: " + (", ".join(wrong) + " wrong" if wrong else "the building is not modelled")


def negative_reject(job: Job, result: Any) -> str | None:
    """A negative sample whose clean run does not print FAIL on the check it was made to fail, else None."""
    if not job.notes.get("negative") or result.status != "ok":
        return None
    expected = job.notes["expected_fail"]
    stdout = result.stdout or ""
    if re.search(rf"^{re.escape(expected)}:.*-> FAIL$", stdout, re.M) and "Compliance: FAIL" in stdout:
        return None
    return f"negative sample: {expected.lower()} did not fail"


class Answered(Filter[Job]):
    reason = "llm answer without a python block in <answer>"

    def keep(self, job: Job) -> Verdict:
        return job.answered


class Conforms(Filter[Job]):
    """A clean run must model the building its spec asks for; a negative sample must fail the check it names."""

    def keep(self, job: Job) -> Verdict:
        reason = spec_reject(job, job.result) or negative_reject(job, job.result)
        return (False, reason) if reason is not None else True


def answer(records: Records, ctx: Context) -> Iterator[list[Job]]:
    """Instruction and program for each job of a batch: offline rules, or the LLM (one backend for the build)."""
    for jobs in records or ():
        if ctx.options.backend == "offline":
            write_offline(jobs)
        else:
            write_llm(jobs, ctx.backend, ctx.report)
        yield jobs


def run(records: Records, ctx: Context) -> Iterator[list[Job]]:
    """Each batch's programs through the sandbox (started by the first batch that gets here)."""
    for jobs in records or ():
        for job, result in zip(jobs, ctx.sandbox.run_many([j.code for j in jobs], workers=ctx.options.workers)):
            job.result = result
        yield jobs


def drafted(records: Records, ctx: Context) -> Iterator[Draft]:
    for job in records or ():
        if job.result.status != "ok":
            ctx.report.failed += 1  # kept with its status: failed runs feed Bug-CoT
        yield to_draft(job)


def steps(ctx: Context) -> list[Step | StepFn]:
    """sample -> skip committed -> design -> (chunks) answer, run -> conforms -> write."""
    return [*_design_steps(), Batched(CHUNK), answer, InBatches(Answered()), run, unbatched, Conforms(), drafted,
            WriteShard()]


def params(ctx: Context) -> dict[str, Any]:
    o = ctx.options
    return {"n": o.n if o.n is not None else DEFAULT_N, "seed": o.seed, "backend": o.backend,
            "generator": generator_name(o)}


def finish(ctx: Context) -> None:
    designable = sum(v for k, v in ctx.report.dropped.items() if k.startswith("not designable"))
    if designable:
        ctx.report.notes.append(f"{designable} sampled specs could not be designed (reasons in 'dropped')")


PART_DEF = PartDef(name=PART, version=VERSION, steps=steps, params=params, finish=finish,
                   total=lambda ctx: ctx.options.n if ctx.options.n is not None else DEFAULT_N)


def build(store: Any, options: BuildOptions) -> BuildReport:
    """Build (or resume) the long_code part: `options.n` sampled specs from `options.seed`."""
    return build_part(PART_DEF, store, options)
