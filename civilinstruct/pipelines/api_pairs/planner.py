"""The argument plan of one pair: the runnable context a command needs (or the task it sits in) and a value,
with its comment, for every argument of the documented call. `generate.render` turns the plan into text."""

from __future__ import annotations

import random
import re

from civilinstruct.pipelines.api_pairs import consumers as use
from civilinstruct.pipelines.api_pairs import contexts as cx
from civilinstruct.pipelines.api_pairs import hosts
from civilinstruct.pipelines.api_pairs import tasks
from civilinstruct.pipelines.api_pairs.hosts import pick as tasks_pick
from civilinstruct.pipelines.api_pairs.lists import _POOL_WHY, list_value
from civilinstruct.pipelines.api_pairs.elements import ElementNeeds, coordinates, needs_for
from civilinstruct.pipelines.api_pairs.scenarios import Scenario
from civilinstruct.pipelines.api_pairs.values import Value, describe, is_str_type, number_for
from civilinstruct.opensees_docs.model import ArgDoc, Command, Param, Signature

_TAG_POOLS = [
    (r"^(sectag\w*|sec[ije]|secs\w*|sectiontag|sec\w*tags?|pipesectag)$", "section"),
    (r"^(transftag|crdtransf)$", "transf"),
    (r"^(integrationtag|integrtag)$", "integration"),
    (r"^(frnmdltag|frntag\d|frntag)$", "friction"),
    (r"^(backbonetag|crvtag|curvetag)$", "backbone"),
    (r"^(tstag|dispseriestag|velseriestag|accelseriestag|timeseriestag|seriestag)$", "series"),
    (r"^(patterntag)$", "pattern"),
    (r"^(nodetag\w*|[rc]nodetag|[ijkl]node|[cs]node|lnode|ndtag|ndi|ndj|pnodetag|nodet|nodeb|dnodet|nodes?)$", "node"),
    (r"^(eletags?\d?|eles?)$", "element"),
    (r"^(nd\w*mattag|mat3dtag|threedtag|pre_def_mattag|soilmattag|ndmattag)$", "nd"),
    (r"^(\w*mat\w*tags?|othertag|mat\d\w*|mat_\d|matc|pipemattag|\w*mattag|s[xy]tag|conctag|uniTag)$", "uniaxial"),
]
_TAG_RE = [(re.compile(p, re.I), pool) for p, pool in _TAG_POOLS]


def _pool_for(name: str) -> str | None:
    return next((pool for rx, pool in _TAG_RE if rx.match(name)), None)


class Planner:
    """Builds the context and the argument values for one variant of one command."""

    def __init__(self, command: Command, sig: Signature, scenario: Scenario, rng: random.Random,
                 variant: int = 0) -> None:
        self.variant = variant
        self.command, self.sig, self.sc, self.u, self.rng = command, sig, scenario, scenario.units, rng
        self.doc = command.doc
        self.ctx = cx.Context(variant=tasks_pick(command.key, variant, 3, "use"))  # the cantilever's use flavour
        self.names = {p.name for p in sig.params}
        self.element_nodes: int = 2
        self.needs: ElementNeeds | None = None
        self.returns = False
        self.node_picks: list[int] = []
        self.file_name = f"{(sig.type_name or sig.function).lower()}_{variant}.txt"

    # -- context by family
    def build_context(self) -> None:
        f, t, u, ctx = self.sig.function, (self.sig.type_name or ""), self.u, self.ctx
        needed = {_pool_for(p.name) for p in self.sig.params if p.kind != "flag"} - {None}
        ctx.wrap = tasks_pick(self.command.key, self.variant, 2, "layout") == 1
        if tasks.place(ctx, f, u, self.variant):
            self.returns = f in tasks.QUERIES
            return
        if f == "uniaxialMaterial":
            cx.model_lines(ctx, 2, 3, u)
            if "series" in needed:
                cx.ref_series(ctx)
            if "backbone" in needed:
                cx.ref_backbone(ctx, u)
            if "element" in needed or "node" in needed:
                cx.nodes(ctx, [[0.0, 0.0], [0.0, 0.0]])
                cx.ref_uniaxial(ctx, u)
                ctx.add("ops.element('zeroLength', 191, 1, 2, '-mat', 101, '-dir', 1)", "spring used by the material")
                ctx.pools["element"] = [191]
            if "uniaxial" in needed:
                cx.ref_uniaxial(ctx, u)
            ctx.after = use.material_test(tasks_pick(self.command.key, self.variant, use.MATERIAL_TESTS, "mat")
                                          if t != "Viscous" else 0, ctx.new_tag, u)
            return
        if f == "nDMaterial" and t in {"PlaneStress", "PlaneStrain", "PlateFiber"}:
            plate = t == "PlateFiber"
            cx.model_lines(ctx, 3 if plate else 2, 6 if plate else 2, u)
            cx.ref_nd(ctx, u, "nd3")
            if plate:
                ctx.after = [(f"ops.section('PlateFiber', 905, {ctx.new_tag}, {0.02 * u.length_member:g})",
                              "a plate section of the material")] + use.shell_patch(ctx, 905, u)
            else:
                ctx.after = use.plane_patch(ctx, ctx.new_tag, u, t)
            return
        if f == "nDMaterial":
            cx.model_lines(ctx, 3, 3, u)
            if {"uniaxial", "nd"} & needed:
                cx.ref_uniaxial(ctx, u)
                cx.ref_nd(ctx, u, "nd3")
            side = 0.1 * u.length_member
            cube = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
            tags = list(range(901, 909))
            ctx.after = [(f"ops.node({t}, {', '.join(f'{c * side:g}' for c in crd)})", "" if i else
                          f"a {side:g} {u.length} cube of the material") for i, (t, crd) in enumerate(zip(tags, cube))]
            ctx.after.append((f"ops.element('stdBrick', 901, {', '.join(map(str, tags))}, {ctx.new_tag})",
                              "one 8-node brick made of the material"))
            ctx.after += self._vary(use.loaded_member(ctx, tags, 0.001 * u.load), tags, 1, 901)
            return
        if f in {"section", "fiber", "layer", "patch"}:
            three_d = bool({"Iy", "Jxx", "GJ"} & self.names) and f == "section" and t == "Elastic"
            if t in {"LayeredShell", "PlateFiber", "ElasticMembranePlateSection"}:
                cx.model_lines(ctx, 3, 6, u)
                cx.ref_nd(ctx, u, "plate")
                ctx.after = use.shell_patch(ctx, ctx.new_tag, u)
                return
            cx.model_lines(ctx, 3 if three_d else 2, 6 if three_d else 3, u)
            cx.ref_uniaxial(ctx, u)
            if t in {"NDFiber", "LayeredShell", "PlateFiber", "ElasticMembranePlateSection"}:
                cx.ref_nd(ctx, u, "plate" if t != "NDFiber" else "nd3")
            if "section" in needed:
                cx.ref_section(ctx, u)
            if f != "section":
                ctx.add("ops.section('Fiber', 1, '-GJ', 1.0e6)", "fibre section that receives the fibres below")
                ctx.new_tag = 2
                mirror = [(f"ops.fiber({s * 0.05 * u.length_member:g}, 0.0, {0.01 * u.area:g}, 101)",
                           "a bar on each face so the section resists bending") for s in (-1, 1)]
                task = self._pick(("moment-curvature",) + use.COLUMN_TASKS, "section")
                ctx.after = (mirror if f == "fiber" else []) + (
                    use.moment_curvature(ctx, 1, u) if task == "moment-curvature" else self._fibre_column(1, task))
            elif t not in {"NDFiber", "LayeredShell", "PlateFiber", "ElasticMembranePlateSection"}:
                h, b = 0.15 * u.length_member, 0.1 * u.length_member
                fill = [(f"ops.patch('rect', 101, 8, 2, {-h / 2:g}, {-b / 2:g}, {h / 2:g}, {b / 2:g})",
                         f"a {h:g} x {b:g} {u.length} rectangle of fibres")] if t == "Fiber" else []
                task = self._pick(("moment-curvature",) + use.COLUMN_TASKS, "section") \
                    if t != "Uniaxial" and not three_d else "moment-curvature"
                ctx.after = fill + (use.moment_curvature(ctx, ctx.new_tag, u, axial=t != "Uniaxial")
                                    if task == "moment-curvature" else self._fibre_column(ctx.new_tag, task))
            return
        if f == "element":
            self._element_context()
            return
        if f == "beamIntegration":
            cx.model_lines(ctx, 2, 3, u)
            cx.ref_section(ctx, u)
            ctx.after = use.column_with(ctx, u, transf="ops.geomTransf('Linear', 931)",
                                        element=f"ops.element('forceBeamColumn', 901, 901, 902, 931, {ctx.new_tag})",
                                        task=self._pick(use.COLUMN_TASKS, "column"))
            return
        if f == "geomTransf":
            three_d = any(p.name in {"vecxz"} for p in self.sig.params)
            cx.model_lines(ctx, 3 if three_d else 2, 6 if three_d else 3, u)
            props = (f"{u.area:g}, {u.E_conc:g}, {0.4 * u.E_conc:g}, {2 * u.inertia:g}, {u.inertia:g}, {u.inertia:g}"
                     if three_d else f"{u.area:g}, {u.E_conc:g}, {u.inertia:g}")
            ctx.after = use.column_with(ctx, u, transf="",
                                        element=f"ops.element('elasticBeamColumn', 901, 901, 902, {props}, 1)",
                                        task=self._pick(use.COLUMN_TASKS, "column"))
            return
        if f in {"frictionModel", "hystereticBackbone"}:
            cx.model_lines(ctx, 2, 3, u)
            if "uniaxial" in needed:
                cx.ref_uniaxial(ctx, u)
            if f == "hystereticBackbone":
                ctx.after = [(f"ops.uniaxialMaterial('Backbone', 201, {ctx.new_tag})", "a material on this backbone")]
                ctx.after += use.strain_history(201, u.fy / u.E_steel)
            return
        if f in cx.ANALYSIS_SLOTS or f == "analysis":
            transient = t.lower() in cx.TRANSIENT
            explicit = f == "integrator" and t.lower() in {"centraldifference", "explicitdifference", "newmarkexplicit"}
            shapes = hosts.shapes_for(f, transient, explicit)
            hosts.place(ctx, u, shapes[tasks_pick(self.command.key, self.variant, shapes, "host")], False, skip=f,
                        transient=transient, explicit_target=explicit)
            return
        if f in {"timeSeries", "pattern", "groundMotion", "recorder", "region"}:
            ground = f == "timeSeries" and self._pick(("load", "ground"), "series") == "ground"
            cx.cantilever(ctx, u, analysed=False, transient=ground or f == "pattern" and t in {"UniformExcitation",
                                                                                                "MultipleSupport"})
            ctx.new_tag = 2
            cx.ref_series(ctx)
            if ground:  # the series as a base acceleration record shaking the loaded cantilever
                ctx.after = [("ops.pattern('UniformExcitation', 2, 1, '-accel', 2)",
                              "the series read as a ground acceleration along x")] + ctx.after
            elif f == "timeSeries":
                ctx.after = [("ops.pattern('Plain', 2, 2)", "a second pattern whose loads follow this series"),
                             (f"ops.load(2, {0.05 * u.load:g}, 0.0, 0.0)", "lateral load scaled by the series")] + \
                    ctx.after
            if f == "pattern" and t in {"UniformExcitation", "MultipleSupport"}:
                ctx.add("ops.timeSeries('Sine', 172, 0.0, 10.0, 0.5, '-factor', 1.0)", "harmonic acceleration record")
                ctx.pools["series"] = [172]
            if f == "pattern" and t == "Plain":
                ctx.after = [(f"ops.load(2, {0.05 * u.load:g}, 0.0, 0.0)", "a lateral load held by this pattern")] + \
                    ctx.after
            if f == "recorder":  # close the file after the run (remove flushes it), then read it back
                ctx.after += [("ops.remove('recorders')", "close the recorder so its file is complete"),
                              (f"rows = open('{self.file_name}').read().split('\\n')", "the recorded lines"),
                              ("print('last recorded row:', rows[-2])", "time first, then the recorded values")]
            if f == "pattern" and t == "MultipleSupport":
                ctx.after = [("ops.groundMotion(1, 'Plain', '-accel', 172)", "a ground motion for the pattern"),
                             ("ops.imposedMotion(1, 1, 1)", "impose it at the base")] + ctx.after
            return
        if f in {"node", "mass", "fixX", "fixY", "fixZ"}:
            hosts.node_family(ctx, u, f)
            return
        if f in {"model", "wipe", "setStartNodeTag"}:
            if f != "model" and f != "wipe":
                cx.model_lines(ctx, 2, 3, u)
            return
        before_analysis = {"equalDOF", "equalDOF_Mixed", "rigidDiaphragm", "rigidLink", "sp", "eleLoad",
                           "imposedMotion", "setNodeCoord", "setElementRayleighDampingFactors", "modalDamping",
                           "block2D", "block3D", "randomVariable", "setParameter", "addToParameter"}
        analysed = f not in before_analysis
        shapes = ("cantilever",) if not analysed or f in hosts.CANTILEVER_ONLY else \
            hosts.SHAPES[:3] if f in hosts.STATIC_ONLY else hosts.SHAPES
        hosts.place(ctx, u, shapes[tasks_pick(self.command.key, self.variant, shapes, "host")], analysed)
        if analysed:  # a query: keep what it returns and show it
            self.returns = True
            ctx.after = [(f"print('{f} ->', result)", "show what the command returned")]
        if f == "nodeReaction":
            ctx.add("ops.reactions()", "compute support reactions first")
            ctx.pools["node"] = [1] + [n for n in ctx.pools["node"] if n != 1]
        if f in {"equalDOF", "equalDOF_Mixed", "rigidLink", "rigidDiaphragm"}:
            ctx.add(f"ops.node(3, {0.5 * u.length_member:g}, {u.length_member:g})", "top of a second column")
            ctx.add(f"ops.node(4, {0.5 * u.length_member:g}, 0.0)", "base of the second column")
            ctx.add("ops.fix(4, 1, 1, 1)", "fixed base")
            ctx.add(f"ops.element('elasticBeamColumn', 2, 4, 3, {u.area:g}, {u.E_conc:g}, {u.inertia:g}, 1)",
                    "second column, to be tied to the first at the top")
            ctx.pools["node"] = [2, 3]
        if f in {"eigen", "modalProperties", "responseSpectrumAnalysis", "nodeEigenvector", "modalDamping"}:
            if f != "eigen":
                ctx.add("ops.eigen(1)" if f != "responseSpectrumAnalysis" else "ops.eigen('-fullGenLapack', 1)",
                        "modal analysis first")

    def _fibre_column(self, sec_tag: int, task: str) -> list[tuple[str, str]]:
        """The section in a force-based column (five Lobatto points), then a column task."""
        return [(f"ops.beamIntegration('Lobatto', 932, {sec_tag}, 5)", "5 Gauss-Lobatto points, each with this section")
                ] + use.column_with(self.ctx, self.u, transf="ops.geomTransf('Linear', 931)",
                                    element="ops.element('forceBeamColumn', 901, 901, 902, 931, 932)", task=task)

    def _pick(self, options: tuple[str, ...], salt: str) -> str:
        return options[tasks_pick(self.command.key, self.variant, options, salt)]

    def _element_context(self) -> None:
        ctx, u = self.ctx, self.u
        needs = needs_for(self.sig.type_name or "", self.names)
        self.needs = needs
        cx.model_lines(ctx, needs.ndm, needs.ndf, u)
        span = u.length_member if needs.nodes == 2 else u.length_member / 3
        solid = needs.material in {"nd3", "acoustic", "none"} and needs.ndm == 3
        coords = coordinates(needs.nodes, needs.ndm, span, needs.zero_length)
        if solid and needs.nodes == 4:
            coords = [[0.0, 0.0, 0.0], [span, 0.0, 0.0], [0.0, span, 0.0], [0.0, 0.0, span]]
        cx.nodes(ctx, coords)
        self.element_nodes = needs.nodes
        if needs.material in {"nd2", "nd3", "plate", "acoustic"}:
            cx.ref_nd(ctx, u, needs.material)
        if needs.material == "plate":
            cx.ref_section(ctx, u, plate=True)
        pools = {_pool_for(p.name) for p in self.sig.params}
        if "uniaxial" in pools or needs.material == "uniaxial":
            cx.ref_uniaxial(ctx, u)
        if "section" in pools and needs.material != "plate":
            cx.ref_section(ctx, u)
        if "transf" in pools:
            cx.ref_transf(ctx)
        if "integration" in pools:
            cx.ref_integration(ctx, u)
        if "friction" in pools:
            cx.ref_friction(ctx)
        if needs.material == "pipe":
            ctx.add(f"ops.uniaxialMaterial('Pipe', 181, 1, 20.0, {u.E_steel:g}, 0.3, 1.2e-5)", "pipe material")
            ctx.add(f"ops.section('Pipe', 182, {0.1 * u.length_member:g}, {0.005 * u.length_member:g})", "pipe section")
            ctx.pools["pipe"] = [181, 182]
        tags = list(range(1, needs.nodes + 1))
        dof = 1 if needs.zero_length or needs.nodes != 2 else 2
        ctx.after = [(f"print('element', {ctx.new_tag}, 'nodes:', ops.eleNodes({ctx.new_tag}))", "check the connectivity")]
        member = use.loaded_member(ctx, tags, 0.001 * u.load, dof)
        ctx.after += self._vary(member, tags, dof, ctx.new_tag)

    def _vary(self, member: list[tuple[str, str]], tags: list[int], dof: int, ele: int) -> list[tuple[str, str]]:
        """One load step, four load steps printed one by one, one step plus the reaction check, or one step plus
        the element's own end forces."""
        how = self._pick(("one step", "stepped", "reactions", "forces"), "member")
        if how == "forces":
            return member + [(f"print('element end forces:', ops.eleForce({ele}))",
                              "what the element carries: balances the push")]
        if how == "stepped":
            return use.stepped(member, 4, tags[-1], dof)
        return use.with_reactions(member, tags[0], dof) if how == "reactions" else member

    # -- values
    def value(self, p: Param, index: int) -> Value:
        name, doc = p.name, self.doc.arg(p.name)
        f = self.sig.function
        pool = _pool_for(name)
        is_new = (index == 0 and f in cx.DEFINERS and re.search(r"tag$", name, re.I) is not None)
        if is_new:
            return Value(str(self.ctx.new_tag), describe(name, doc, "a fresh tag: the lines below refer to it"))
        if self.sig.type_name == "Pipe" and name in {"pipeMatTag", "pipeSecTag"}:
            return Value(str(self.ctx.pools["pipe"][0 if "Mat" in name else 1]), describe(name, doc, "the pipe object defined above"))
        if p.kind == "varargs":
            return self._list(p, doc, pool)
        pool = self._retarget(pool, name)
        if f == "constraints" and name in {"alphaS", "alphaM"} and self.sig.type_name == "Penalty":
            return Value("1e12", "penalty factor: many orders stiffer than the column, so the constraint holds")
        if f == "rayleigh" and name == "alphaM":
            return Value("0.2", "mass-proportional coefficient [1/s]: about 5 % damping near the first mode")
        if f == "rigidDiaphragm" and name == "perpDirn":
            return Value(str(self.ctx.ndm), "the floor is perpendicular to global Z (3): vertical is z")
        if f in {"fixX", "fixY", "fixZ"} and name in {"x", "y", "z"}:
            return Value("0.0", f"the support line {name} = 0: the node there is held, the free end is not")
        if self.sig.type_name == "HHT" and name == "alpha":
            return Value("0.9", "HHT alpha (2/3 to 1): 0.9 damps spurious high modes, keeps second-order accuracy")
        if f == "randomVariable" and name in {"dist", "mean", "stdv"}:
            e, dist = self.u.E_conc, ("normal", "lognormal")[self.variant % 2]
            return {"dist": Value(repr(dist), f"{dist}: the modulus scatters {'symmetrically' if dist == 'normal' else 'and stays positive'}"),
                    "mean": Value(f"{e:g}", f"mean of E [{self.u.stress}]; the design modulus, the uncertain input"),
                    "stdv": Value(f"{0.1 * e:g}", "standard deviation; 10 % coefficient of variation, usual for concrete stiffness")}[name]
        if f in tasks.SENSITIVITY and name in {"tag", "paramTag"}:
            return Value("1", "parameter tag; the one that stands for the column's E")
        if f == "parameter" and name in {"objType", "eleTag", "paramName"}:
            return {"objType": Value("'element'", "owner kind; the parameter lives in an element"),
                    "eleTag": Value("1", "element tag; the force-based column"),
                    "paramName": Value("'E'", "property name; its elastic modulus E")}[name]
        if self.sig.type_name == "MVLEM" and name in {"m", "c"}:
            return Value("4", "number of macro-fibres; four resolve the neutral axis of a wall") if name == "m" else \
                Value("0.4", "centre-of-rotation height ratio; 0.4 of the storey, the usual choice")
        if name in {"code", "quantity"} and self.sig.type_name == "Uniaxial":
            return Value("'Mz'", "section response it gives; bending about z")
        if name == "respType":
            return Value("'disp'", "response to record; displacements: the drift a designer checks")
        if re.fullmatch(r"numEigenvalues|eigenvector|mode|numModes", name):
            return Value("1", describe(name, doc, "the first mode: the one that governs this model"))
        if pool and pool in self.ctx.pools:
            tags = self.ctx.pools[pool]
            pick = self.rng.choice(tags)
            if pool == "node":  # distinct nodes in call order: never a node tied to itself
                pick = tags[min(len(self.node_picks), len(tags) - 1)]
                self.node_picks.append(pick)
            return Value(str(pick), describe(name, doc, _POOL_WHY.get(pool, "defined above")))
        if self.sig.function == "beamIntegration" and name == "N" and any(q.kind == "varargs" for q in self.sig.params):
            return Value("3", "number of integration points (one per section listed below)")
        if name.lower() in {"ndm"}:
            return Value(str(self.ctx.ndm), describe(name, doc, "the same as the model's"))
        if name.lower() in {"ndf"}:
            return Value(str(self.ctx.ndf), describe(name, doc, "the same as the model's"))
        if is_str_type(doc) or name.lower() in {"filename", "filename_", "reportfilename", "name"}:
            if "file" in name.lower():
                return Value(repr(self.file_name), "output file in the working folder; read back after the run")
            quoted = re.findall(r"'(-?[A-Za-z][\w-]*)'", f"{doc.range} {doc.description}" if doc else "")
            return Value(repr(quoted[0] if quoted else name), describe(name, doc, "the common choice for this task"))
        return number_for(name, doc, self.u, self.rng, p.default)

    def _retarget(self, pool: str | None, name: str) -> str | None:
        """Material references point at nD materials where the object is a continuum one."""
        if pool not in {"uniaxial", "nd"}:
            return pool
        if self.sig.function == "element" and self.needs is not None:
            return "nd" if self.needs.material in {"nd2", "nd3", "acoustic", "plate"} else "uniaxial"
        if self.sig.function == "nDMaterial":
            uni = self.sig.type_name in {"PlateRebar", "FSAM"} or re.fullmatch(r"s[XY]Tag|concTag", name)
            return "uniaxial" if uni else "nd"
        if self.sig.function == "section" and self.sig.type_name in {"NDFiber", "LayeredShell", "PlateFiber"}:
            return "nd"
        return pool

    def _list(self, p: Param, doc: ArgDoc | None, pool: str | None) -> Value:
        return list_value(self, p, doc, pool)
