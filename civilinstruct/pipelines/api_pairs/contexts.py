"""Runnable contexts: the few lines a snippet needs before (and after) its target call so it really runs.

A material is exercised through a strain history, an element sits on nodes of the right dimension, an
analysis option plugs into a small cantilever, a query runs after that cantilever is analysed. Referenced
objects (other materials, sections, transformations, ...) use tags 101+ so the target keeps small tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from civilinstruct.pipelines.api_pairs.scenarios import Units

DEFINERS = {"uniaxialMaterial", "nDMaterial", "section", "element", "geomTransf", "beamIntegration", "timeSeries",
            "pattern", "frictionModel", "hystereticBackbone", "groundMotion", "recorder", "region", "randomVariable",
            "mesh", "node"}
ANALYSIS_SLOTS = {"constraints", "numberer", "system", "test", "algorithm", "integrator"}
TRANSIENT = {"transient", "variabletransient", "newmark", "hht", "generalizedalpha", "centraldifference", "trbdf2", "explicitdifference", "pfem",
             "newmarkexplicit", "alphaos", "kre", "collocation", "bathe", "wilsontheta"}
UNSUPPORTED = {
    "Bcast": "needs the parallel (MPI) interpreter", "send": "needs the parallel (MPI) interpreter",
    "recv": "needs the parallel (MPI) interpreter", "barrier": "needs the parallel (MPI) interpreter",
    "partition": "needs the parallel (MPI) interpreter", "database": "needs a database back end",
    "remesh": "needs a PFEM background mesh", "stripXML": "needs an XML recorder file as input",
    "convertBinaryToText": "needs a binary recorder file as input",
    "convertTextToBinary": "needs a recorder file as input", "sdfResponse": "needs a ground-motion file as input",
    "start": "a profiling timer pair with stop(), not a model command", "DiscretizeMember": "not in OpenSeesPy 3.7.1",
    "InitialStateAnalysis": "needs a soil model with initial state",
}
UNSUPPORTED_TYPES = {
    "PFEMElementBubble": "needs the PFEM (particle) solver set-up", "PFEMElementCompressible":
    "needs the PFEM (particle) solver set-up", "PFEM": "needs the PFEM (particle) solver set-up",
    "ParallelDisplacementControl": "needs the parallel (MPI) interpreter",
    "ParallelPlain": "needs the parallel (MPI) interpreter", "ParallelRCM": "needs the parallel (MPI) interpreter",
    "Mumps": "needs OpenSees built with MUMPS (parallel)", "PythonSparse": "needs a user Python solver object",
    "BgPVD": "needs a PFEM background mesh", "bg": "needs a PFEM background mesh",
    "part": "needs a PFEM mesh", "Collapse": "needs infill-wall model objects (collapse recorder)",
}


@dataclass
class Context:
    """Lines before the target call, lines after it, and the tags the target may refer to."""

    setup: list[tuple[str, str]] = field(default_factory=list)  # (code, comment)
    after: list[tuple[str, str]] = field(default_factory=list)
    pools: dict[str, list[int]] = field(default_factory=dict)
    ndm: int = 2
    ndf: int = 3
    new_tag: int = 1
    variant: int = 0  # picks how the snippet uses its result (one run, a stepped run, a reaction check)
    wrap: bool = False  # put the lines after the target in a function that is then called

    def add(self, code: str, comment: str = "") -> None:
        self.setup.append((code, comment))


def model_lines(ctx: Context, ndm: int, ndf: int, u: Units) -> None:
    ctx.ndm, ctx.ndf = ndm, ndf
    ctx.add("ops.wipe()", "start from an empty domain")
    ctx.add(f"ops.model('basic', '-ndm', {ndm}, '-ndf', {ndf})",
            f"{ndm}D model, {ndf} DOF per node (units: {u.name})")


def ref_uniaxial(ctx: Context, u: Units) -> None:
    if "uniaxial" in ctx.pools:
        return
    ctx.add(f"ops.uniaxialMaterial('Elastic', 101, {u.E_steel:g})", "elastic material referenced below")
    ctx.add(f"ops.uniaxialMaterial('Steel01', 102, {u.fy:g}, {u.E_steel:g}, 0.01)", "bilinear steel referenced below")
    ctx.add(f"ops.uniaxialMaterial('Elastic', 103, {u.E_conc:g})", "elastic concrete-like material")
    ctx.pools["uniaxial"] = [101, 102, 103]


def ref_nd(ctx: Context, u: Units, kind: str) -> None:
    if "nd" in ctx.pools:
        return
    ctx.add(f"ops.nDMaterial('ElasticIsotropic', 111, {u.E_conc:g}, 0.2, {u.density:g})", "isotropic continuum")
    pool = [111]
    if kind == "plate":
        ctx.add("ops.nDMaterial('PlateFiber', 112, 111)", "plate-fibre wrapper for layered shells")
        pool = [112]
    if kind == "acoustic":
        ctx.add(f"ops.nDMaterial('AcousticMedium', 113, {u.E_conc / 10:g}, {u.density:g})", "acoustic fluid")
        pool = [113]
    ctx.pools["nd"] = pool


def ref_section(ctx: Context, u: Units, plate: bool = False) -> None:
    if "section" in ctx.pools:
        return
    if plate:
        ctx.add(f"ops.section('ElasticMembranePlateSection', 121, {u.E_conc:g}, 0.2, {0.05 * u.length_member:g}, "
                f"{u.density:g})", "shell section")
        ctx.pools["section"] = [121]
        return
    if ctx.ndm == 3:
        ctx.add(f"ops.section('Elastic', 121, {u.E_conc:g}, {u.area:g}, {u.inertia:g}, {u.inertia:g}, "
                f"{0.4 * u.E_conc:g}, {2 * u.inertia:g})", "3D elastic section")
        ctx.add(f"ops.section('Elastic', 122, {u.E_steel:g}, {u.area / 10:g}, {u.inertia / 10:g}, {u.inertia / 10:g}, "
                f"{0.4 * u.E_steel:g}, {u.inertia / 5:g})", "3D steel section")
    else:
        ctx.add(f"ops.section('Elastic', 121, {u.E_conc:g}, {u.area:g}, {u.inertia:g})", "2D elastic section")
        ctx.add(f"ops.section('Elastic', 122, {u.E_steel:g}, {u.area / 10:g}, {u.inertia / 10:g})", "2D steel section")
    ctx.add(f"ops.section('Elastic', 123, {u.E_conc:g}, {u.area:g}, {u.inertia:g}"
            + (f", {u.inertia:g}, {0.4 * u.E_conc:g}, {2 * u.inertia:g})" if ctx.ndm == 3 else ")"), "section 3")
    ctx.pools["section"] = [121, 122, 123]


def ref_transf(ctx: Context) -> None:
    if "transf" in ctx.pools:
        return
    vec = ", 1.0, 0.0, 0.0" if ctx.ndm == 3 else ""
    ctx.add(f"ops.geomTransf('Linear', 131{vec})", "linear coordinate transformation")
    ctx.pools["transf"] = [131]


def ref_integration(ctx: Context, u: Units) -> None:
    ref_section(ctx, u)
    if "integration" in ctx.pools:
        return
    ctx.add("ops.beamIntegration('Lobatto', 141, 121, 5)", "5-point Gauss-Lobatto integration")
    ctx.pools["integration"] = [141]


def ref_friction(ctx: Context) -> None:
    if "friction" not in ctx.pools:
        ctx.add("ops.frictionModel('Coulomb', 151, 0.06)", "Coulomb friction, mu = 0.06")
        ctx.pools["friction"] = [151]


def ref_backbone(ctx: Context, u: Units) -> None:
    if "backbone" not in ctx.pools:
        ctx.add(f"ops.hystereticBackbone('Bilinear', 161, 0.002, {u.fy:g}, 0.02, {1.2 * u.fy:g})", "bilinear backbone")
        ctx.pools["backbone"] = [161]


def ref_series(ctx: Context) -> None:
    if "series" not in ctx.pools:
        ctx.add("ops.timeSeries('Linear', 171)", "linear time series referenced below")
        ctx.pools["series"] = [171]


def nodes(ctx: Context, coords: list[list[float]], ndf: int | None = None, start: int = 1) -> list[int]:
    tags = []
    for i, crd in enumerate(coords):
        tag = start + i
        extra = f", '-ndf', {ndf}" if ndf else ""
        ctx.add(f"ops.node({tag}, {', '.join(f'{c:g}' for c in crd)}{extra})", f"node {tag}")
        tags.append(tag)
    ctx.pools["node"] = tags
    return tags


def cantilever(ctx: Context, u: Units, analysed: bool, *, skip: str | None = None, transient: bool = False,
               explicit_target: bool = False) -> None:
    """A 2D elastic cantilever with a tip load; `skip` leaves out one analysis slot for the target to fill."""
    explicit = skip == "integrator" and transient and explicit_target
    model_lines(ctx, 2, 3, u)
    nodes(ctx, [[0.0, 0.0], [0.0, u.length_member]])
    ctx.add("ops.fix(1, 1, 1, 1)", "fixed base")
    ctx.add(f"ops.mass(2, {u.mass:g}, {u.mass:g}, {u.mass * (0.05 * u.length_member) ** 2:.3g})",
            "lumped mass at the tip, with a small rotary inertia so every DOF has mass")
    ctx.add("ops.geomTransf('Linear', 1)", "linear transformation")
    ctx.add(f"ops.element('elasticBeamColumn', 1, 1, 2, {u.area:g}, {u.E_conc:g}, {u.inertia:g}, 1)",
            "elastic column")
    ctx.add("ops.timeSeries('Linear', 1)", "load factor grows linearly")
    ctx.add("ops.pattern('Plain', 1, 1)", "plain load pattern")
    ctx.add(f"ops.load(2, {0.1 * u.load:g}, {-u.load:g}, 0.0)", "lateral and gravity load at the tip")
    ctx.pools.update({"node": [2, 1], "element": [1], "pattern": [1], "series": [1], "transf": [1]})
    slots = [("constraints", "ops.constraints('Transformation')"), ("numberer", "ops.numberer('RCM')"),
             ("system", "ops.system('BandGeneral')"), ("test", "ops.test('NormDispIncr', 1e-08, 20)"),
             ("algorithm", "ops.algorithm('Linear')" if explicit else "ops.algorithm('Newton')"),
             ("integrator", "ops.integrator('Newmark', 0.5, 0.25)" if transient else "ops.integrator('LoadControl', 0.1)")]
    for slot, code in slots:
        if slot != skip:
            ctx.add(code, f"{slot} handler")
    run = ("ops.analysis('Transient')", "transient analysis") if transient else ("ops.analysis('Static')",
                                                                                  "static analysis")
    if skip == "analysis":
        run = ("", "")
    steps = ("ops.analyze(10, 0.01)" if transient else "ops.analyze(10)", "ten steps")
    use = [steps, ("print('tip displacement:', ops.nodeDisp(2, 1))", "report the result")]
    if ctx.variant % 3 == 1:
        dt = ", 0.01" if transient else ""
        use = [("for step in range(10):", "ten steps, checking each one"),
               (f"    assert ops.analyze(1{dt}) == 0, f'step {{step}} failed'", ""),
               ("    print(f'step {step}: tip drift {ops.nodeDisp(2, 1):.4g}')", "")]
    elif ctx.variant % 3 == 2:
        use = [(f"ok = {steps[0]}", "ten steps; 0 means every one converged"),
               ("assert ok == 0, 'analysis failed'", "stop loudly on failure"),
               ("ops.reactions()", "compute the support reactions"),
               ("print('base shear:', -ops.nodeReaction(1, 1), 'tip drift:', ops.nodeDisp(2, 1))",
                "equilibrium check: the base shear balances the lateral load")]
    if analysed:
        ctx.add(*run)
        ctx.add(*steps)
    else:
        ctx.after += [r for r in (run,) if r[0]] + use


_HELPER = re.compile(r"ops\.(uniaxialMaterial|nDMaterial|section|geomTransf|beamIntegration|timeSeries|frictionModel|"
                     r"hystereticBackbone)\((?:'[^']*', )?(1\d\d)\b")


def prune(setup: list[tuple[str, str]], rest: str) -> list[tuple[str, str]]:
    """The set-up without helper objects (tags 100-199) that nothing else in the snippet refers to: a snippet
    defines only what it uses. Repeats until stable, since one helper may be the only user of another."""
    lines = list(setup)
    while True:
        for i, (code, _) in enumerate(lines):
            m = _HELPER.match(code)
            if not m:
                continue
            others = "\n".join(c for j, (c, _) in enumerate(lines) if j != i) + "\n" + rest
            if not re.search(rf"(?<![\w.]){m.group(2)}(?![\w.])", others):
                del lines[i]
                break
        else:
            return lines
