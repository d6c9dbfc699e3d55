"""Semantic checks of a pair after its sandbox run: does the snippet teach correct engineering?

A run that exits 0 can still be wrong: OpenSees prints a WARNING and carries on, an analysis fails and the
script ignores the return code, a constraint ties a node to itself, a helper material is defined and never used,
a damping ratio of 9.81 is accepted. `problems` finds these from the run's stderr, its probed model and the
snippet's AST; `exercised` records what the snippet ran and read back, for the sample.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from civilinstruct.pipelines.api_pairs.ranges import out_of_range
from civilinstruct.pipelines.api_pairs.usage import unused_model_objects
from civilinstruct.pipelines.api_pairs.verify import bindings, expand
from civilinstruct.opensees_docs.model import DocPage, Signature

if TYPE_CHECKING:
    from civilinstruct.sandbox import RunResult

# OpenSees reports trouble on stderr (opserr) and often returns normally; these lines mean the run went wrong.
_TROUBLE = re.compile(r"WARNING|WANRING|ERROR|Error|failed|singular|not converge|cannot|can't|No such|unknown",
                      re.I)
_BENIGN = re.compile(r"^\s*$|^OpenSees|^\s*(Open System|Pacific Earthquake|\(c\) Copyright|All Rights)", re.I)

# Object kinds whose tag other commands refer to, the call that defines them, and the calls that consume them.
_DEFINES = {"uniaxialMaterial": "uniaxial", "nDMaterial": "nd", "section": "section", "geomTransf": "transf",
            "beamIntegration": "integration", "timeSeries": "series", "frictionModel": "friction",
            "hystereticBackbone": "backbone"}
_CONSUMERS = {
    "uniaxial": {"element", "section", "fiber", "patch", "layer", "uniaxialMaterial", "nDMaterial",
                 "testUniaxialMaterial", "parameter", "addToParameter"},
    "nd": {"element", "section", "nDMaterial", "updateMaterialStage", "parameter", "addToParameter",
           "setParameter", "block2D", "block3D"},
    "section": {"element", "section", "beamIntegration", "parameter", "addToParameter", "block2D", "block3D"},
    "transf": {"element"},
    "integration": {"element"},
    "series": {"pattern", "groundMotion", "responseSpectrumAnalysis"},
    "friction": {"element"},
    "backbone": {"uniaxialMaterial"},
}
_TAGLESS = {"fiber", "patch", "layer", "testUniaxialMaterial", "updateMaterialStage", "responseSpectrumAnalysis"}
_TIES = {"equalDOF", "equalDOF_Mixed", "rigidLink", "rigidDiaphragm"}
_RUNS = ("analyze", "eigen", "testUniaxialMaterial", "setStrain", "responseSpectrumAnalysis", "modalProperties",
         "reactions", "sensitivityAlgorithm", "computeGradients", "runFORMAnalysis")
_READS = ("nodeDisp", "nodeVel", "nodeAccel", "nodeReaction", "nodeEigenvector", "getStress", "getStrain",
          "getTangent", "eleResponse", "eleForce", "basicForce", "basicDeformation", "sectionForce",
          "sectionDeformation", "getTime", "getLoadFactor", "nodeResponse", "sensNodeDisp", "getParamValue",
          "nodeUnbalance", "eleNodes", "getEleTags", "getNodeTags", "nodeCoord", "nodeMass", "getPatterns")


def stderr_problems(stderr: str) -> list[str]:
    """The lines of OpenSees' stderr that report a warning, an error or a failure."""
    return [line.strip() for line in stderr.splitlines()
            if _TROUBLE.search(line) and not _BENIGN.match(line)]


def _calls(tree: ast.Module) -> list[tuple[str, list[object] | None, int]]:
    """Every `ops.name(...)` call in source order: (name, expanded args or None, line)."""
    values = bindings(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            out.append((node.func.attr, expand(list(node.args), values), node.lineno))
    return sorted(out, key=lambda c: c[2])


def self_ties(calls: list[tuple[str, list[object] | None, int]]) -> list[str]:
    """Constraints whose retained node is also a constrained node (`equalDOF(2, 2)`)."""
    found = []
    for name, args, line in calls:
        if name not in _TIES or not args:
            continue
        if name == "rigidLink" and len(args) >= 3:
            master, slaves = args[1], args[2:3]
        elif name == "rigidDiaphragm" and len(args) >= 3:
            master, slaves = args[1], args[2:]
        elif name in {"equalDOF", "equalDOF_Mixed"} and len(args) >= 2:
            master, slaves = args[0], args[1:2]
        else:
            continue
        if master is not None and master in slaves:
            found.append(f"line {line}: {name} ties node {master} to itself")
    return found


def _defined(name: str, args: list[object]) -> int | None:
    """The tag a defining call gives its object (after the type literal, if any)."""
    if name not in _DEFINES or not args:
        return None
    pos = 1 if isinstance(args[0], str) else 0
    tag = args[pos] if len(args) > pos else None
    return int(tag) if isinstance(tag, (int, float)) and not isinstance(tag, bool) else None


def unused_objects(calls: list[tuple[str, list[object] | None, int]]) -> list[str]:
    """Materials, sections, transformations, integrations, series... defined and never referred to by a call
    that consumes that kind of object (a tag value among its arguments counts as a reference)."""
    found = []
    for i, (name, args, line) in enumerate(calls):
        tag = _defined(name, args or [])
        if tag is None:
            continue
        kind = _DEFINES[name]
        used = False
        for j, (other, oargs, _) in enumerate(calls):
            if j == i or other not in _CONSUMERS[kind] or oargs is None:
                continue
            start = 1 if oargs and isinstance(oargs[0], str) else 0
            # the consumer's own tag (args[start]) is not a reference, except where it names the object
            # a consumer's own tag is not a reference; fibres, patches, layers and tests have none
            refs = oargs[start:] if other in _TAGLESS else oargs[start + 1:]
            if any(isinstance(a, (int, float)) and not isinstance(a, bool) and a == tag for a in refs):
                used = True
                break
        if not used:
            found.append(f"line {line}: {name} {tag} is never used")
    return found


def failed_runs(result: RunResult) -> list[str]:
    """Eigen solutions the probe saw fail (analysis failures show on stderr)."""
    model = getattr(result, "model", None)
    if model is not None and getattr(model, "eigen_failed", False):
        return ["eigen failed"]
    return []


def problems(code: str, result: RunResult, sig: Signature, doc: DocPage | None) -> list[str]:
    """Everything semantically wrong with a run snippet; empty when it teaches a correct call."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ["syntax error"]
    calls = _calls(tree)
    found = [f"opensees: {line}" for line in stderr_problems(getattr(result, "stderr", "") or "")[:3]]
    found += failed_runs(result)
    found += self_ties(calls)
    found += unused_objects(calls)
    found += unused_model_objects(calls, tree, bindings(tree))
    if doc is not None:
        found += out_of_range(code, sig, doc)
    return found


def reason(found: list[str]) -> str:
    """The drop reason counted in the build report: the kind of the first problem."""
    first = found[0]
    if first.startswith("opensees:"):
        return "semantic: OpenSees warning or error"
    if "ties node" in first:
        return "semantic: self-tie"
    if "never used" in first:
        kind = first.split(": ", 1)[-1].split(" ", 1)[0]
        return f"semantic: unused {kind}" if kind in {"node", "element", "pattern", "recorder"} else \
            "semantic: unused object"
    if first.startswith("range:"):
        return "semantic: value out of range"
    if "eigen failed" in first:
        return "semantic: failed analysis"
    return "semantic: " + first.split(":")[0]


def exercised(code: str) -> dict[str, list[str]]:
    """What the snippet ran (analyses, strain drives) and what it read back (queries), in first-use order."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {"ran": [], "read": []}
    names = [name for name, _, _ in _calls(tree)]
    ran = list(dict.fromkeys(n for n in names if n in _RUNS))
    read = list(dict.fromkeys(n for n in names if n in _READS))
    return {"ran": ran, "read": read}
