"""What an element type needs to be built: model dimension, DOFs, node count, and which objects it refers to.

Keys are lower-case element type names as documented. Types not listed fall back to a 2-node 2D frame
element; the sandbox run decides whether that guess holds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ElementNeeds:
    ndm: int
    ndf: int
    nodes: int
    material: str = "uniaxial"  # uniaxial | nd2 | nd3 | section | plate | none
    zero_length: bool = False


_FRAME2 = ElementNeeds(2, 3, 2, "section")
_LINK3 = ElementNeeds(3, 6, 2, "uniaxial", zero_length=True)
ELEMENTS: dict[str, ElementNeeds] = {
    "elasticbeamcolumn": _FRAME2, "modelasticbeam2d": _FRAME2, "forcebeamcolumn": _FRAME2,
    "dispbeamcolumn": _FRAME2, "nonlinearbeamcolumn": _FRAME2, "dispbeamcolumnint": _FRAME2,
    "truss": ElementNeeds(2, 2, 2), "trusssection": ElementNeeds(2, 2, 2, "section"),
    "corottruss": ElementNeeds(2, 2, 2), "corottrusssection": ElementNeeds(2, 2, 2, "section"),
    "zerolength": ElementNeeds(2, 3, 2, zero_length=True), "zerolengthsection": ElementNeeds(2, 3, 2, "section", True),
    "coupledzerolength": ElementNeeds(2, 3, 2, zero_length=True),
    "zerolengthnd": ElementNeeds(2, 2, 2, "nd2", True),
    "twonodelink": ElementNeeds(2, 3, 2),
    "elastomericbearingboucwen": ElementNeeds(2, 3, 2), "elastomericbearingplasticity": ElementNeeds(2, 3, 2),
    "flatsliderbearing": ElementNeeds(2, 3, 2), "singlefpbearing": ElementNeeds(2, 3, 2),
    "rjwatsoneqsbearing": ElementNeeds(2, 3, 2),
    "elastomericx": _LINK3, "leadrubberx": _LINK3, "hdr": _LINK3, "kikuchibearing": _LINK3,
    "multipleshearspring": _LINK3, "yamamotobiaxialhdr": _LINK3, "tfp": _LINK3, "triplefrictionpendulum": _LINK3,
    "fpbearingptv": _LINK3,
    "catenarycable": ElementNeeds(3, 3, 2, "none"), "pipe": ElementNeeds(3, 6, 2, "pipe"),
    "elastictubularjoint": ElementNeeds(2, 3, 2, "none"),
    "zerolengthcontact2d": ElementNeeds(2, 2, 2, "none", True), "zerolengthcontact3d": ElementNeeds(3, 3, 2, "none", True),
    "zerolengthimpact3d": ElementNeeds(3, 3, 2, "none", True),
    "mvlem": ElementNeeds(2, 3, 2), "sfi_mvlem": ElementNeeds(2, 3, 2, "nd2"),
    "mvlem_3d": ElementNeeds(3, 6, 4),
    "quad": ElementNeeds(2, 2, 4, "nd2"), "enhancedquad": ElementNeeds(2, 2, 4, "nd2"),
    "bbarquad": ElementNeeds(2, 2, 4, "nd2"), "sspquad": ElementNeeds(2, 2, 4, "nd2"),
    "tri31": ElementNeeds(2, 2, 3, "nd2"),
    "quadup": ElementNeeds(2, 3, 4, "nd2"), "bbarquadup": ElementNeeds(2, 3, 4, "nd2"),
    "sspquadup": ElementNeeds(2, 3, 4, "nd2"), "9_4_quadup": ElementNeeds(2, 3, 9, "nd2"),
    "masonpan12": ElementNeeds(2, 3, 12),
    "shellmitc4": ElementNeeds(3, 6, 4, "plate"), "shelldkgq": ElementNeeds(3, 6, 4, "plate"),
    "shellnldkgq": ElementNeeds(3, 6, 4, "plate"), "shelldkgt": ElementNeeds(3, 6, 3, "plate"),
    "stdbrick": ElementNeeds(3, 3, 8, "nd3"), "bbarbrick": ElementNeeds(3, 3, 8, "nd3"),
    "sspbrick": ElementNeeds(3, 3, 8, "nd3"), "20nodebrick": ElementNeeds(3, 3, 20, "nd3"),
    "fournodetetrahedron": ElementNeeds(3, 3, 4, "nd3"),
    "brickup": ElementNeeds(3, 4, 8, "nd3"), "bbarbrickup": ElementNeeds(3, 4, 8, "nd3"),
    "sspbrickup": ElementNeeds(3, 4, 8, "nd3"), "20_8_brickup": ElementNeeds(3, 4, 20, "nd3"),
    "ac3d8": ElementNeeds(3, 1, 8, "acoustic"), "av3d4": ElementNeeds(3, 1, 4, "acoustic"),
    "asi3d8": ElementNeeds(3, 3, 8, "none"), "vs3d4": ElementNeeds(3, 3, 4, "none"),
    "surfaceload": ElementNeeds(3, 4, 4, "none"),
    "beamcolumnjoint": ElementNeeds(2, 3, 4), "joint2d": ElementNeeds(2, 3, 5),
    "beamcontact2d": ElementNeeds(2, 3, 4), "simplecontact2d": ElementNeeds(2, 2, 4),
    "beamcontact3d": ElementNeeds(3, 6, 4), "simplecontact3d": ElementNeeds(3, 3, 6),
}


def needs_for(type_name: str, signature_names: set[str]) -> ElementNeeds:
    """The needs of an element type; a frame form with Iy/Jxx/G_mod is the 3D one."""
    needs = ELEMENTS.get(type_name.lower(), _FRAME2)
    if needs.ndm == 2 and needs.ndf == 3 and needs.nodes == 2 and {"Iy", "Jxx", "G_mod"} & signature_names:
        return ElementNeeds(3, 6, 2, needs.material, needs.zero_length)
    return needs


def coordinates(count: int, ndm: int, span: float, zero_length: bool) -> list[list[float]]:
    """Node coordinates for `count` nodes: a member along y, a unit quad/brick, or a grid of points."""
    if zero_length:
        return [[0.0] * ndm for _ in range(count)]
    if count == 2:
        return [[0.0] * ndm, [0.0, span] + [0.0] * (ndm - 2)]
    if ndm == 2:
        ring = [[0.0, 0.0], [span, 0.0], [span, span], [0.0, span]]
        pts = ring[:count] if count <= 4 else ring + [[span * (0.5 + 0.1 * i), span * 0.5] for i in range(count - 4)]
        if count == 3:
            pts = [[0.0, 0.0], [span, 0.0], [0.0, span]]
        if count == 9:
            pts = ring + [[span / 2, 0.0], [span, span / 2], [span / 2, span], [0.0, span / 2], [span / 2, span / 2]]
        return pts
    cube = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]]
    if count == 4:
        return [[span * c for c in p] for p in cube[:4]]
    if count == 3:
        return [[0.0, 0.0, 0.0], [span, 0.0, 0.0], [0.0, span, 0.0]]
    pts = [[span * c for c in p] for p in cube]
    extra = [[span * 0.5, span * (i % 3) * 0.5, span * (i // 3) * 0.25] for i in range(max(0, count - 8))]
    return (pts + extra)[:count]
