"""The words of an API pair: the instruction templates, the name of what is defined, and the stand-in types that
illustrate a generic dispatcher such as `uniaxialMaterial(matType, ...)`."""

from __future__ import annotations

from civilinstruct.opensees_docs.model import Command, DocPage, Signature

_ASKS = (
    "Write OpenSeesPy code that defines {what} for {story}, and comment every argument.",
    "For {story}, I need {what}. Show the OpenSeesPy call with a comment on each argument.",
    "How do I create {what} in OpenSeesPy? The model is {story}; explain each argument line by line.",
    "Give me a runnable OpenSeesPy snippet for {story} that uses {what}, with line-by-line comments.",
    "Model {what} with OpenSeesPy as part of {story}. Annotate what every value means.",
    "I am building {story}. Set up {what} in OpenSeesPy and document the arguments in comments.",
    "Show, with commented OpenSeesPy code, how {what} is declared in {story}.",
    "Using OpenSeesPy ({units}), define {what} for {story}; comment each parameter.",
)
_ASKS_USE = (
    "Write OpenSeesPy code for {story} that calls {what}, and comment every argument.",
    "In {story}, how do I use {what} in OpenSeesPy? Explain each argument line by line.",
    "Show a runnable OpenSeesPy example of {what} in the setting of {story}, commenting each value.",
    "For {story}, demonstrate {what} in OpenSeesPy with a comment on every line that matters.",
    "I am working on {story}. Where and how does {what} fit in an OpenSeesPy script? Annotate the arguments.",
    "Give me commented OpenSeesPy code that applies {what} to {story}.",
    "Using OpenSeesPy ({units}), show {what} on a small model of {story}; comment each parameter.",
    "Explain with a short, runnable OpenSeesPy script how {what} is called for {story}.",
)
_FAMILY_NOUN = {"uniaxialMaterial": "uniaxial material", "nDMaterial": "multi-dimensional (nD) material",
                "section": "section", "element": "element", "beamIntegration": "beam integration rule",
                "geomTransf": "geometric transformation", "timeSeries": "time series", "pattern": "load pattern",
                "system": "linear system of equations solver", "numberer": "DOF numberer",
                "constraints": "constraint handler", "test": "convergence test", "algorithm": "solution algorithm",
                "integrator": "integrator", "recorder": "recorder", "frictionModel": "friction model",
                "hystereticBackbone": "hysteretic backbone", "groundMotion": "ground motion"}


def _what(sig: Signature, options: list[str]) -> str:
    noun = _FAMILY_NOUN.get(sig.function)
    base = f"the {sig.type_name} {noun}" if noun and sig.type_name else f"the `{sig.function}` command"
    if options:
        base += f" with the {', '.join(options)} option" + ("s" if len(options) > 1 else "")
    return base


def _summary(doc: DocPage) -> str:
    text = doc.summary.split(". ")[0].strip().rstrip(".")
    return text if 10 < len(text) < 220 else ""


GENERIC_STAND_INS: dict[str, tuple[str, ...]] = {
    "uniaxialMaterial": ("Steel01", "Elastic", "Concrete01", "Steel02", "Hysteretic"),
    "nDMaterial": ("ElasticIsotropic", "J2Plasticity", "ElasticOrthotropic"),
    "element": ("elasticBeamColumn", "forceBeamColumn", "Truss", "quad", "zeroLength"),
    "section": ("Elastic", "Fiber"), "geomTransf": ("Linear", "PDelta", "Corotational"),
    "timeSeries": ("Linear", "Constant", "Trig"), "pattern": ("Plain", "UniformExcitation"),
    "beamIntegration": ("Lobatto", "Legendre", "Radau"), "system": ("BandGen", "ProfileSPD", "UmfPack"),
    "constraints": ("Plain", "Transformation", "Penalty"), "frictionModel": ("Coulomb", "VelDependent"),
    "layer": ("straight",), "patch": ("rect", "quad"), "integrator": ("LoadControl", "Newmark", "HHT"),
    "algorithm": ("Newton", "ModifiedNewton", "KrylovNewton"), "test": ("NormDispIncr", "EnergyIncr"),
    "numberer": ("RCM", "Plain"),
}


def is_generic(command: Command) -> bool:
    """A dispatcher form such as `uniaxialMaterial(matType, matTag, *matArgs)`: no concrete type given."""
    sig = command.signatures[0]
    return (command.type_name is None and command.function in GENERIC_STAND_INS and bool(sig.params)
            and sig.params[0].name.lower().endswith("type"))


def stand_ins(command: Command, by_key: dict[str, Command]) -> list[Command]:
    """Concrete documented commands that illustrate a generic dispatcher, in preference order."""
    keys = [f"{command.function}('{t}')" for t in GENERIC_STAND_INS.get(command.function, ())]
    return [by_key[k] for k in keys if k in by_key]


