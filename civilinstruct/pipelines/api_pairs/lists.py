"""Values of list arguments (`*crds`, `*matTags`, backbone points, fibre geometry ...) for a planned call, each
with a comment that says what the list is and why it holds these values."""

from __future__ import annotations

from typing import Any

from civilinstruct.pipelines.api_pairs.values import Value, describe
from civilinstruct.opensees_docs.model import ArgDoc, Param

_POOL_WHY = {"node": "a node of the model above", "element": "the element built above",
             "series": "the time series defined above", "pattern": "the load pattern defined above",
             "uniaxial": "the material defined above", "nd": "the continuum material defined above",
             "section": "the section defined above", "transf": "the transformation defined above",
             "integration": "the integration rule defined above", "friction": "the friction model defined above",
             "backbone": "the backbone defined above", "param": "the parameter declared above"}


def list_value(pl: Any, p: Param, doc: ArgDoc | None, pool: str | None) -> Value:
    """The list for parameter `p` of the planner `pl`'s call (its context, units and random stream)."""
    name, n_el = p.name.lower(), pl.element_nodes
    pool = pl._retarget(pool, p.name)
    u = pl.u
    special: dict[str, Any] = {
        "pts": ([0.002, u.fy, 0.02, 1.2 * u.fy], "strain-stress points e1, s1, e2, s2; yield, then 1.2 x fy at 2 % strain"),
        "strain": ([-0.02, -0.002, 0.0, 0.002, 0.02], "strains at the corners of the curve; symmetric, out to 10 x the yield strain"),
        "stress": ([-1.2 * u.fy, -u.fy, 0.0, u.fy, 1.2 * u.fy], "stresses at those corners; yield, then 20 % hardening"),
        "p1": ([u.fy, 0.002], "first positive backbone point (stress, strain); the yield point"),
        "p2": ([1.2 * u.fy, 0.02], "second positive backbone point (stress, strain); 20 % hardening at 2 % strain"),
        "p3": ([1.25 * u.fy, 0.05], "third positive backbone point (stress, strain); near-flat to 5 % strain"),
        "n1": ([-u.fy, -0.002], "first negative backbone point (stress, strain); yield in compression"),
        "n2": ([-1.2 * u.fy, -0.02], "second negative backbone point (stress, strain); mirror of the positive side"),
        "n3": ([-1.25 * u.fy, -0.05], "third negative backbone point (stress, strain); mirror of the positive side"),
        "args": (["globalForce"], "response to record; end forces in global axes, what a designer checks") if pl.sig.function == "recorder" else None,
    }
    if pl.sig.function == "beamIntegration" and name in {"locs", "wts", "sectags"}:
        three = {"locs": [0.0, 0.5, 1.0], "wts": [1 / 6, 2 / 3, 1 / 6]}.get(name)
        vals = three or pl.ctx.pools.get("section", [121, 122, 123])[:3]
        return Value(repr([round(v, 6) for v in vals]), describe(p.name, doc, "three points: both ends and mid-length"), 3)
    if special.get(name):
        vals, comment = special[name]
        return Value(repr([round(v, 6) if isinstance(v, float) else v for v in vals]), comment, len(vals))
    if name in {"cnodetags", "cnodes"}:
        tags = [t for t in pl.ctx.pools.get("node", []) if t not in pl.node_picks]
        tags = tags if pl.sig.function == "rigidDiaphragm" else tags[:2]
        return Value(repr(tags), describe(p.name, doc, "the other nodes that must move with it"), len(tags))
    if pl.sig.type_name == "Aggregator" and name == "mats":
        return Value("[103, 'P', 102, 'Mz']", "material and response pairs; axial from the elastic law, bending from the bilinear one", 4)
    if pl.sig.type_name == "MVLEM" and name in {"thick", "widths", "rho", "matconcretetags", "matsteeltags"}:
        m, wall = 4, 0.5 * u.length_member
        vals, why = {"thick": ([round(0.06 * wall, 6)] * m, f"wall thickness per strip [{u.length}]; 6 % of the wall length, a usual wall"),
                     "widths": ([round(wall / m, 6)] * m, f"width of each strip; {m} equal strips across a {wall:g} {u.length} wall"),
                     "rho": ([0.02, 0.005, 0.005, 0.02], "reinforcement ratio per strip; boundary elements carry more than the web"),
                     "matconcretetags": ([103] * m, "concrete material per strip; the same concrete law in every strip"),
                     "matsteeltags": ([102] * m, "steel material per strip; the same steel law in every strip")}[name]
        return Value(repr(vals), why, m)
    if name == "vecx":
        return Value("[0.0, 1.0, 0.0]", "local x axis; from node i to node j: global Y here", 3)
    if name == "vecyp":
        return Value("[-1.0, 0.0, 0.0]", "local y axis; in the model's plane, normal to the element", 3)
    if name == "vecxz":
        return Value("[0.0, 0.0, 1.0]", "local x-z plane: the column's local z points along global Z", 3)
    if name in {"di", "dj"}:
        return Value("[0.0, 0.0, 0.0]", "no rigid joint offset at this end", 3)
    if name in {"elenodes", "nodestags", "elenodes1"}:
        tags = pl.ctx.pools.get("node", [1, 2])[:n_el]
        return Value(repr(tags), describe(p.name, doc, "the nodes created above, in order"), len(tags))
    if pl.sig.function in {"patch", "layer"}:
        h, b = 0.15 * u.length_member, 0.1 * u.length_member
        geometry = {"crdsi": [-h / 2, -b / 2], "crdsj": [h / 2, -b / 2] if pl.sig.type_name == "quad" else
                    [h / 2, b / 2], "crdsk": [h / 2, b / 2], "crdsl": [-h / 2, b / 2],
                    "start": [-h / 2 + 0.1 * h, 0.0], "end": [h / 2 - 0.1 * h, 0.0], "center": [0.0, 0.0],
                    "rad": [0.3 * h, 0.5 * h], "ang": [0.0, 360.0]}
        meaning = {"rad": f"inner and outer radius [{u.length}]; a ring that holds the bars and cover", "ang": "start and end angle [degrees]: a full ring",
               "center": f"centre of the circle (y, z) [{u.length}]; on the section's axis"}
        if name in geometry:
            vals = [round(v, 6) for v in geometry[name]]
            text = meaning.get(name, f"(y, z) corner of a {h:g} x {b:g} {u.length} section; centred, so the fibres are symmetric about the axis")
            return Value(repr(vals), text, len(vals))
    if name == "crds" and pl.sig.function == "node":
        return Value(f"[0.0, {u.length_member:g}]", f"nodal coordinates; straight above the base, one storey ({u.length}) up", 2)
    if name in {"crds", "coords"}:
        crd = [round(pl.rng.uniform(0, pl.u.length_member), 2) for _ in range(pl.ctx.ndm)]
        return Value(repr(crd), describe(p.name, doc, "a point inside the model's extent"), len(crd))
    if name in {"mass", "disp", "vel", "accel", "massvalues", "constrvalues"}:
        vals = [pl.u.mass] * pl.ctx.ndf if name.startswith("mass") else [0.0] * pl.ctx.ndf
        if name == "constrvalues":
            vals = [1] * pl.ctx.ndf
        why = ("the same mass on every DOF: a lumped floor" if name.startswith("mass") else
               "every DOF held" if name == "constrvalues" else "it starts at rest")
        return Value(repr(vals), describe(p.name, doc, why), len(vals))
    if pool and pool in pl.ctx.pools:
        tags = pl.ctx.pools[pool][:2]
        pl._list_len = len(tags)
        return Value(repr(tags), describe(p.name, doc, _POOL_WHY.get(pool, "defined above")), len(tags))
    if name in {"dirs", "dir", "dofs"}:
        k = getattr(pl, "_list_len", 2)
        vals = list(range(1, k + 1))
        return Value(repr(vals), describe(p.name, doc, "one direction per material, in order"), len(vals))
    if name == "params" and pl.sig.type_name in {"Steel02", "SteelMPF", "Steel4"}:
        return Value("[18.0, 0.925, 0.15]", "R0, cR1, cR2: elastic-to-plastic transition", 3)
    k = pl.rng.choice([2, 3])
    vals = [round(pl.rng.uniform(0.1, 1.0), 3) for _ in range(k)]
    return Value(repr(vals), describe(p.name, doc, "order-one values: no engineering rule is known for them"), k)
