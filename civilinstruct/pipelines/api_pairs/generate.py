"""The offline generator (`offline/rules-v1`): command + variant number -> instruction and commented snippet.

Each variant draws, from a seed that depends only on (seed, command, variant), a project scenario with its
unit system, a documented form of the command, which optional groups to use, a comment style and an
instruction phrasing; the runnable context comes from `contexts`. Same inputs, same pair.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from civilinstruct.pipelines.api_pairs import contexts as cx
from civilinstruct.pipelines.api_pairs.planner import Planner, _pool_for
from civilinstruct.pipelines.api_pairs.semantic import exercised
from civilinstruct.pipelines.api_pairs.scenarios import SCENARIOS, Scenario, scenarios_for
from civilinstruct.pipelines.api_pairs.values import Value
from civilinstruct.pipelines.api_pairs.text import _ASKS, _ASKS_USE, _summary, _what, is_generic, stand_ins  # noqa: F401
from civilinstruct.pipelines.api_pairs.verify import Group
from civilinstruct.pipelines.api_pairs.verify import groups as _groups
from civilinstruct.opensees_docs.model import Command, DocPage, Param, Signature  # noqa: F401
from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.store.seeds import derive_seed

GENERATOR = OFFLINE_GENERATOR
# Commands whose flag groups are really a fixed recipe: exactly these switches make a working call.
_NODE_REC = {"-file", "-time", "-node", "-dof"}
_ELE_REC = {"-file", "-time", "-ele"}
FORCED_FLAGS: dict[str, set[str]] = {
    "recorder('Node')": _NODE_REC, "recorder('EnvelopeNode')": _NODE_REC,
    "recorder('Element')": _ELE_REC, "recorder('EnvelopeElement')": _ELE_REC,
    "eleLoad": {"-ele", "-type", "-beamUniform"}, "pattern('UniformExcitation')": {"-accel"},
    "groundMotion": {"-accel"}, "uniaxialMaterial('ElasticMultiLinear')": {"-strain", "-stress"},
    "region": {"-node"}, "updateMaterialStage": {"-material", "-stage"},
    "element('zeroLengthContact2D')": {"-normal"}, "randomVariable": {"-mean", "-stdv"},
}
STYLES = ("variables", "inline", "above")


@dataclass
class Candidate:
    """A generated pair before verification."""

    command: str
    page: str
    variant: int
    signature: Signature
    instruction: str
    code: str
    answer: str
    style: str
    scenario: str
    options: list[str] = field(default_factory=list)
    generator: str = GENERATOR
    prompt_template: str | None = None
    prompt_hash: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    stand_in: str | None = None
    units: str = ""


def unsupported_reason(command: Command) -> str | None:
    """Why a command gets no runnable snippet offline (MPI, PFEM, external files), or None."""
    if command.function in cx.UNSUPPORTED:
        return cx.UNSUPPORTED[command.function]
    if command.type_name and command.type_name in cx.UNSUPPORTED_TYPES:
        return cx.UNSUPPORTED_TYPES[command.type_name]
    if command.function == "mesh":
        return "needs the PFEM mesh generator set-up"
    return None


def _seed(*parts: object) -> int:
    return derive_seed(*parts, sep="|")  # the v1 recipe (ids depend on it)


def render(command: Command, variant: int, seed: int, stand_in: Command | None = None) -> Candidate:
    """One variant of one command, deterministic in (seed, command, variant).

    A generic dispatcher (`uniaxialMaterial(matType, ...)`) is shown through a concrete `stand_in` type;
    the pair still belongs to the generic command.
    """
    if stand_in is not None:
        cand = render(stand_in, variant, seed)
        cand.command, cand.page, cand.stand_in = command.key, command.page, stand_in.key
        cand.instruction = cand.instruction.replace(
            "OpenSeesPy", f"OpenSeesPy's generic `{command.function}` command", 1)
        return cand
    rng = random.Random(_seed(seed, command.key, variant))
    h = _seed(command.key) % len(SCENARIOS)
    fitting = scenarios_for(command)
    scenario = fitting[(h + variant) % len(fitting)]
    sig = command.signatures[variant % len(command.signatures)]
    planner = Planner(command, sig, scenario, rng, variant)
    planner.build_context()
    groups = _groups(sig, command.doc)
    optional = [g for g in groups if g.optional]
    mode = variant % 3
    chosen: list[Group] = []
    forced = FORCED_FLAGS.get(sig.command)
    if mode == 1:
        chosen = [g for g in optional if not g.flag]
    elif mode == 2 and optional:
        chosen = rng.sample(optional, k=min(len(optional), rng.choice([1, 2])))
    # trailing optional values are positional: include a prefix only (keep order)
    args: list[tuple[Param, Value | None]] = []
    options: list[str] = []
    index = 0
    for g in groups:
        if forced is not None and g.flag:
            if g.flag not in forced:
                continue
        elif g.optional and g not in chosen:
            continue
        for p in g.params:
            if p.kind == "flag":
                args.append((p, None))
                options.append(p.name)
            else:
                args.append((p, planner.value(p, index)))
                index += 1
    style = STYLES[(variant + h) % len(STYLES)]
    code = _code(planner, sig, args, style, scenario)
    asks = _ASKS if sig.function in cx.DEFINERS | cx.ANALYSIS_SLOTS else _ASKS_USE
    ask = asks[(variant * 3 + h) % len(asks)]
    what = _what(sig, options)
    instruction = ask.format(what=what, story=scenario.story, units=scenario.units.name)
    # engineering values the user may ask for; tags are the code's bookkeeping, never the user's choice
    key_vals = [f"{p.name} = {v.expr}" for p, v in args if v is not None and p.kind == "value"
                and _pool_for(p.name) is None and not re.search(r"tag\d?$|flag$", p.name, re.I)
                and not v.expr.startswith("'")][:3]
    if key_vals and variant % 2 == 0:
        instruction += " Use " + ", ".join(key_vals) + "."
    if scenario.units.name not in instruction:
        instruction += f" Work in {scenario.units.name} units."
    summary = _summary(command.doc)
    done = exercised(code)
    runs = ", ".join(f"`{n}`" for n in done["ran"]) or "nothing beyond the definition"
    reads = ", ".join(f"`{n}`" for n in done["read"])
    lead = (f"{summary}. " if summary else "") + (f"The snippet below uses {scenario.units.name} units"
                                                    f" for {scenario.story}. It builds only what the command"
                                                    f" needs, then runs {runs}"
                                                    + (f" and reads the result back with {reads}." if reads else "."))
    answer = f"{lead}\n\n```python\n{code}```\n"
    if command.doc.notes and variant % 2 == 1:
        answer += f"\nNote from the documentation: {command.doc.notes[0][:300]}\n"
    return Candidate(command=command.key, page=command.page, variant=variant, signature=sig,
                     instruction=instruction, code=code, answer=answer, style=style, scenario=scenario.story,
                     options=options, units=scenario.units.name)


def _code(planner: Planner, sig: Signature, args: list[tuple[Param, Value | None]], style: str,
          scenario: Scenario) -> str:
    ctx = planner.ctx
    lines = ["import openseespy.opensees as ops", ""]
    lines.append(f"# --- context: {scenario.units.name}")
    setup_at = len(lines)
    lines.append("")
    title = f"{sig.function}('{sig.type_name}')" if sig.type_name else sig.function
    lines.append(f"# --- {title}")
    call_args: list[str] = [repr(sig.type_name)] if sig.type_name else []
    used: dict[str, int] = {}
    if style == "inline":
        body = [f"    {repr(sig.type_name)},  # object type"] if sig.type_name else []
        for p, v in args:
            if v is None:
                body.append(f"    {p.name!r},  # option switch")
            else:
                star = "*" if p.kind == "varargs" else ""
                body.append(f"    {star}{v.expr},  # {p.name}: {v.comment}")
        lines.append(f"{'result = ' if planner.returns else ''}ops.{sig.function}(")
        lines.extend(body)
        lines.append(")")
    else:
        for p, v in args:
            if v is None:
                call_args.append(repr(p.name))
                continue
            var = _var(p.name, used)
            if style == "above":
                lines.append(f"# {p.name}: {v.comment}")
                lines.append(f"{var} = {v.expr}")
            else:
                lines.append(f"{var} = {v.expr}  # {v.comment}")
            call_args.append(("*" if p.kind == "varargs" else "") + var)
        lead = f"{'result = ' if planner.returns else ''}ops.{sig.function}("
        call = f"{lead}{', '.join(call_args)})"
        if len(call) > 110:
            call = f"{lead}\n    " + ",\n    ".join(call_args) + ",\n)"
        lines.append(call + "  # the documented call")
    if ctx.after:
        lines.append("")
        wrap = ctx.wrap and not any(re.match(r"\s*result\s*=", code) for code, _ in ctx.after)
        if wrap:  # the use as a function: a reader can rerun it after changing the object
            lines.append("def run_and_report():  # the analysis and the read-back in one function, easy to rerun")
        for code, comment in ctx.after:
            code = f"    {code}" if wrap else code
            lines.append(f"{code}  # {comment}" if comment else code)
        if wrap:
            lines.append("run_and_report()  # run it once")
    setup = cx.prune(ctx.setup, "\n".join(lines[setup_at:]))
    lines[setup_at:setup_at] = [f"{code}  # {comment}" if comment else code for code, comment in setup]
    return "\n".join(lines) + "\n"


_RESERVED = {"lambda", "print", "type", "id", "min", "max", "len", "list", "float", "int", "str", "ops", "pass",
             "strain", "def", "class", "for", "in", "is", "not", "and", "or", "if", "else", "return", "import"}


def _var(name: str, used: dict[str, int]) -> str:
    var = re.sub(r"\W", "_", name)
    if not var or var[0].isdigit():
        var = "v_" + var
    if var in _RESERVED:
        var += "_"
    used[var] = used.get(var, 0) + 1
    return var if used[var] == 1 else f"{var}_{used[var]}"
