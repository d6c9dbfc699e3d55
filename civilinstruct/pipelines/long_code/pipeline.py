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
from typing import Any

from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.pipelines.base import BuildOptions, BuildReport, PartProgress, batched

PART = "long_code"
VERSION = "v1"
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


def generator_name(options: BuildOptions) -> str:
    return OFFLINE_GENERATOR if options.backend == "offline" else f"openai/{options.model}"


def seeds_for(seed: int, index: int) -> tuple[int, int]:
    """(instruction variant seed, program style seed) of the index-th spec."""
    base = seed * 1_000_003 + index
    return base, base * 7 + 3


def make_jobs(options: BuildOptions, committed: set[str], report: BuildReport) -> list[Job]:
    """Every job at once (for tests and tools; the build designs them chunk by chunk with `iter_jobs`)."""
    return list(iter_jobs(options, committed, report))


def iter_jobs(options: BuildOptions, committed: set[str], report: BuildReport) -> Iterator[Job]:
    """Sampled specs minus those already committed, designed as they are asked for (a design is not made before
    its chunk runs); undesignable specs are counted by rule."""
    from civilinstruct.codegen import TEMPLATE_VERSION
    from civilinstruct.codegen.negative import EXPECTED_FAIL, is_negative
    from civilinstruct.design import DesignError, design
    from civilinstruct.spec.sampling import iter_specs
    from civilinstruct.store import make_id

    generator = generator_name(options)
    specs = iter_specs(options.n if options.n is not None else DEFAULT_N, options.seed)
    for index, spec in enumerate(specs):
        variant_seed, style_seed = seeds_for(options.seed, index)
        sid = make_id(PART, spec=spec.canonical(), generator=generator, template=TEMPLATE_VERSION,
                      variant_seed=variant_seed, style_seed=style_seed, version=VERSION)
        if sid in committed:
            report.skipped_existing += 1
            continue
        try:
            d = design(spec)
        except DesignError as exc:
            report.drop("not designable: " + rule_of(str(exc)))
            continue
        job = Job(index=index, spec=spec, sample_id=sid, variant_seed=variant_seed, style_seed=style_seed, design=d)
        if options.backend == "offline" and options.extra.get("negatives", True) and is_negative(options.seed, index):
            job.notes.update(negative=True, expected_fail=EXPECTED_FAIL)
        yield job


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


def write_llm(jobs: list[Job], options: BuildOptions, report: BuildReport) -> list[Job]:
    """LLM path: rewrite each offline instruction, then ask for the program; unusable answers are dropped."""
    from civilinstruct.spec.instructions import parse_instruction, render_instruction
    from civilinstruct.llm import GenerationRequest, get_backend

    backend = get_backend(options)
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
    kept: list[Job] = []
    for job, res in zip(jobs, answers):
        match = _ANSWER_CODE.search(res.text or "")
        # an answer cut at the token limit keeps the program it started: it fails when run and is written as a
        # failed row, the real truncation failures Bug-CoT (`bug_cot`) learns from
        code = match.group(1) if match else (cut_program(res.text) if res.ok else None)
        if code is None:
            report.drop("llm answer without a python block in <answer>")
            continue
        if match is None:
            job.notes["cut_answer"] = True
        job.answer, job.code = res.text, code
        job.generator, job.prompt_template, job.prompt_hash = res.generator, res.prompt_template, res.prompt_hash
        job.usage = dict(res.usage)
        kept.append(job)
    return kept


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


def to_sample(job: Job, result: Any, seed: int) -> Any:
    """The stored row: chat, program, spec, execution, score and the design summary the expert filter reads."""
    from civilinstruct.codegen import style_for
    from civilinstruct.scoring.program import score_run, verdict_consistent
    from civilinstruct.store import Execution, Lineage, Message, Sample

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
    return Sample(
        id=job.sample_id, part=PART,
        messages=[Message(role="user", content=job.instruction), Message(role="assistant", content=job.answer)],
        code=job.code, spec=job.spec.to_json(), execution=Execution.from_result(result), score=score,
        score_parts=parts, ground_truth=result.period_s if ok else None, failure_type=failure,
        extra=json.dumps(extra, sort_keys=True),
        lineage=Lineage(pipeline=PART, pipeline_version=VERSION, generator=job.generator,
                        prompt_template=job.prompt_template, prompt_hash=job.prompt_hash, seed=seed,
                        prompt_tokens=job.usage.get("prompt_tokens"),
                        completion_tokens=job.usage.get("completion_tokens")),
    )


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


def build(store: Any, options: BuildOptions) -> BuildReport:
    """Build (or resume) the long_code part: `options.n` sampled specs from `options.seed`."""
    report = BuildReport(part=PART, version=VERSION)
    params = {"n": options.n if options.n is not None else DEFAULT_N, "seed": options.seed,
              "backend": options.backend, "generator": generator_name(options)}
    with store.writer(PART, VERSION, pipeline=PART, params=params, shard_size=options.shard_size) as w:
        chunks = batched(iter_jobs(options, set(w.committed_ids), report), CHUNK)
        chunk = next(chunks, None)
        if chunk is None:  # nothing to do: do not start the sandbox
            return report
        total = options.n if options.n is not None else DEFAULT_N
        with options.sandbox() as sandbox, PartProgress(PART, total, enabled=options.progress) as bar:
            ran = 0
            while chunk is not None:
                if options.backend == "offline":
                    write_offline(chunk)
                else:
                    chunk = write_llm(chunk, options, report)
                results = sandbox.run_many([j.code for j in chunk], workers=options.workers)
                for job, result in zip(chunk, results):
                    ran += 1
                    if (reason := spec_reject(job, result) or negative_reject(job, result)) is not None:
                        report.drop(reason)
                        continue
                    if result.status != "ok":
                        report.failed += 1
                    if w.add(to_sample(job, result, options.seed)):
                        report.written += 1
                    bar.update(report.skipped_existing + sum(report.dropped.values()) + ran)
                del chunk, results  # this chunk's programs go before the next chunk is designed
                chunk = next(chunks, None)
    if report.dropped:
        designable = sum(v for k, v in report.dropped.items() if k.startswith("not designable"))
        if designable:
            report.notes.append(f"{designable} sampled specs could not be designed (reasons in 'dropped')")
    return report
