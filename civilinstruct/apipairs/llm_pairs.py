"""The LLM generator: `prompts/doc_pairs.j2` -> JSON validated by `DocPairOutput`; invalid output retried,
then dropped with its reason. Only used when `options.backend == "openai"`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from civilinstruct.apipairs.generate import Candidate
from civilinstruct.apipairs.scenarios import SCENARIOS
from civilinstruct.docs.model import Command

TEMPLATE = "doc_pairs"


class DocPairOutput(BaseModel):
    """What the model must return: an instruction and a complete, commented, runnable program."""

    instruction: str = Field(min_length=20, description="a user request in an engineering context")
    code: str = Field(min_length=20, description="a complete OpenSeesPy program using the command")
    explanation: str = Field("", description="one or two sentences on what the program does")

    @field_validator("code")
    @classmethod
    def _commented(cls, code: str) -> str:
        if "openseespy" not in code:
            raise ValueError("the program must import openseespy")
        if code.count("#") < 3:
            raise ValueError("the program must comment its arguments line by line")
        return code.strip("`\n ") + "\n"


def variables(command: Command, variant: int) -> dict[str, Any]:
    """Template variables: the documented signature, argument table, notes and a scenario."""
    sig = command.signatures[variant % len(command.signatures)]
    scenario = SCENARIOS[variant % len(SCENARIOS)]
    return {
        "command": command.key, "signature": sig.raw, "summary": command.doc.summary,
        "arguments": [{"name": a.name, "type": a.type, "description": _with_unit(a)} for a in command.doc.args],
        "notes": command.doc.notes[:3], "examples": command.doc.examples[:2], "scenario": scenario.story,
        "units": scenario.units.name, "variant": variant,
    }


def generate_llm(backend: Any, jobs: list[tuple[Command, int]], *, attempts: int = 3,
                 progress: bool = False) -> tuple[list[Candidate], dict[tuple[str, int], str]]:
    """Ask the backend for every (command, variant); returns candidates and, per failed job, the reason."""
    from civilinstruct.llm import GenerationRequest

    pending = list(jobs)
    done: list[Candidate] = []
    reasons: dict[tuple[str, int], str] = {}
    for _ in range(attempts):
        if not pending:
            break
        requests = [GenerationRequest(template=TEMPLATE, variables=variables(c, v), json_schema=DocPairOutput)
                    for c, v in pending]
        results = backend.generate_many(requests, progress=progress)
        retry: list[tuple[Command, int]] = []
        for (command, variant), result in zip(pending, results):
            if result.error is not None or result.parsed is None:
                reasons[(command.key, variant)] = f"llm: {result.error or 'no parsed output'}"
                retry.append((command, variant))
                continue
            out: DocPairOutput = result.parsed
            sig = command.signatures[variant % len(command.signatures)]
            answer = (f"{out.explanation}\n\n" if out.explanation else "") + f"```python\n{out.code}```\n"
            cand = Candidate(command=command.key, page=command.page, variant=variant, signature=sig,
                             instruction=out.instruction, code=out.code, answer=answer, style="llm",
                             scenario=SCENARIOS[variant % len(SCENARIOS)].story, generator=result.generator,
                             prompt_template=TEMPLATE, prompt_hash=result.prompt_hash, usage=dict(result.usage))
            reasons.pop((command.key, variant), None)
            done.append(cand)
        pending = retry
    return done, reasons


def _with_unit(arg: Any) -> str:
    """The embedded docs give a unit and a sensible range: the model gets them too (HTML pages have neither)."""
    extra = "; ".join(f"{k}: {v}" for k, v in (("unit", arg.unit), ("range", arg.range)) if v and v != "-")
    return f"{arg.description} [{extra}]" if extra else arg.description
