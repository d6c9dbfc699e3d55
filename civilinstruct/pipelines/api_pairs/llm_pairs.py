"""The LLM generator: `prompts/doc_pairs.j2` -> JSON validated by `DocPairOutput`; invalid output retried,
then dropped with its reason. Only used when `options.backend == "openai"`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, field_validator

from civilinstruct.pipelines.api_pairs.generate import Candidate
from civilinstruct.pipelines.api_pairs.scenarios import SCENARIOS
from civilinstruct.opensees_docs.model import Command

if TYPE_CHECKING:
    from civilinstruct.llm import Backend

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


def generate_llm(backend: Backend, jobs: list[tuple[Command, int]], *, attempts: int = 3,
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


_SIGNATURE = re.compile(r"^Signature: (?P<function>[A-Za-z_]\w*)\((?P<params>.*)\)\s*$", re.M)
_COMMAND = re.compile(r"^Documented command: (?P<key>.+)$", re.M)
_VARIANT = re.compile(r"Write pair number (?P<variant>\d+)")
_ARGUMENT = re.compile(r"^- (?P<name>[^\s:(]+)(?: \((?P<type>[^)]*)\))?: (?P<description>.*)$", re.M)


def offline_answer(text: str, seed: int = 0) -> DocPairOutput:
    """The offline `doc_pairs` handler: the rule-based pair for the prompt's command, signature and variant.

    Everything comes from the prompt itself (command, signature, argument table, summary), so `serve` can
    answer the api_pairs pipeline's requests without the documentation at hand.
    """
    from civilinstruct.pipelines.api_pairs.generate import render
    from civilinstruct.opensees_docs.model import ArgDoc, DocPage
    from civilinstruct.opensees_docs.signature import parse_signature
    from civilinstruct.errors import CivilError

    command, signature = _COMMAND.search(text), _SIGNATURE.search(text)
    if command is None or signature is None:
        raise CivilError("this doc-pairs prompt names no documented command and Python signature")
    sig = parse_signature(signature["function"], signature["params"])
    if sig.style != "python":
        raise CivilError(f"cannot write a pair for the non-Python signature {sig.raw!r}")
    variant = int(m["variant"]) if (m := _VARIANT.search(text)) else 0
    summary = re.search(r"^Summary: (.*)$", text, re.M)
    head = text.split("Arguments:", 1)[-1].split("\nNotes:", 1)[0].split("\nDocumented examples:", 1)[0]
    args = [ArgDoc(name=a["name"], type=a["type"] or "", description=a["description"])
            for a in _ARGUMENT.finditer(head)]
    doc = DocPage(path="<prompt>", title=command["key"].strip(), signatures=[sig], args=args,
                  summary=summary.group(1).strip() if summary else "")
    pair = render(Command(key=command["key"].strip(), page="<prompt>", signatures=[sig], doc=doc), variant, seed)
    explanation = f"Calls {sig.command} for {pair.scenario} in a complete, commented program."
    return DocPairOutput(instruction=pair.instruction, code=pair.code, explanation=explanation)
