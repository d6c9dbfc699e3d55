"""`ModelProbe`: the OpenSees model a program actually built, as the sandbox's probe read it from the domain.

The probe (`probe.py`, inside the sandbox) sends raw snapshots of the domain (node coordinates, fixities, masses,
element types and connectivity) and the eigenvalues of the program's own `eigen` calls; `summarise` turns them into
the few numbers the reward and the spec check compare with the instruction: floors, story heights, spans, mass, T1.

Units are the program's: the project's programs use kN, m, s, so masses are in tonnes (kN s^2/m) and lengths in m.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Snapshot = Literal["eigen", "wipe", "end"]


class ModelProbe(BaseModel):
    """What the program modelled (read from the OpenSees domain, not from what it printed)."""

    ndm: int | None = Field(None, description="model dimension (2 or 3)")
    ndf: int | None = Field(None, description="degrees of freedom per node (of the first node)")
    nodes: int = 0
    elements: int = 0
    element_types: dict[str, int] = Field(default_factory=dict, description="element class name -> count")
    fixed_nodes: int = Field(0, description="nodes with at least one fixed DOF")
    vertical_axis: Literal["y", "z"] | None = Field(None, description="the axis read as vertical")
    stories: int = Field(0, description="distinct floor elevations above the base")
    floor_elevations_m: list[float] = Field(default_factory=list, description="above the base, ascending")
    story_heights_m: list[float] = Field(default_factory=list, description="differences of successive floors")
    spans_m: dict[str, list[float]] = Field(
        default_factory=dict, description="per horizontal direction ('x', 'y'): gaps between distinct column lines")
    total_mass_t: float = Field(0.0, description="sum of nodal translational mass in the first horizontal "
                                                 "direction (tonnes when the program uses kN, m, s)")
    eigen_periods_s: list[float] = Field(default_factory=list,
                                         description="2*pi/sqrt(lambda) of the program's last successful eigen call")
    eigen_calls: int = 0
    eigen_failed: bool = Field(False, description="an eigen call raised or returned no positive eigenvalue")
    snapshot: Snapshot | None = Field(None, description="when the model was read: at the last successful eigen "
                                                        "call, before a wipe, or at the program's end")
    truncated: bool = Field(False, description="the model was too large to read whole (counts stay right)")


_MM = 3  # lengths are compared to the millimetre (m units)
# The probe runs in the program's process: a program that digs into closures, frames, the collector, memory or the
# sandbox's own modules could reach the probe's key. Such a program's period is never `verified` (a frame program
# has no reason to use any of these).
INTROSPECTION = frozenset({"__closure__", "cell_contents", "__code__", "__globals__", "_getframe", "f_back",
                           "f_locals", "f_globals", "get_referrers", "get_referents", "get_objects", "ctypes", "cffi",
                           "__subclasses__", "inspect", "_civilinstruct_probe", "_civilinstruct_forker"})
_IN_STRINGS = (*INTROSPECTION, "/proc/")  # (another process's fds or memory: a frame program never reads /proc)


def reaches_into_interpreter(code: str) -> str | None:
    """The first introspection name the program uses (as a name, or in a string: getattr(f, "__closure__")), or
    None. Comments do not count; a program that does not tokenize is read as plain text."""
    import io
    import tokenize

    if not any(token in code for token in (*INTROSPECTION, "/proc")):  # the usual case: no need to tokenize
        return None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.NAME and tok.string in INTROSPECTION:
                return tok.string
            if tok.type == tokenize.STRING:
                hit = next((t for t in _IN_STRINGS if t in tok.string), None)
                if hit:
                    return hit
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return next((t for t in INTROSPECTION if t in code), None)
    return None


def summarise(probe: dict[str, Any] | None) -> ModelProbe | None:
    """The supervisor's merged probe record (`probe.merge`) as a `ModelProbe`; None when the probe saw nothing."""
    if not probe:
        return None
    raw = probe.get("raw") or {}
    calls = int(probe.get("eigen_calls") or 0)
    if not raw and not calls:
        return None
    out = ModelProbe(
        ndm=raw.get("ndm"), ndf=raw.get("ndf"), nodes=int(raw.get("nodes") or 0),
        elements=int(raw.get("elements") or 0), element_types=dict(raw.get("types") or {}),
        fixed_nodes=int(raw.get("fixed") or 0), eigen_calls=calls, eigen_failed=bool(probe.get("eigen_failed")),
        eigen_periods_s=[round(float(t), 6) for t in probe.get("eigen_periods_s") or []],
        snapshot=probe.get("snapshot") if raw else None, truncated=bool(raw.get("truncated")))
    try:
        _geometry(out, raw)
    except (ValueError, IndexError, TypeError, KeyError):  # an odd model (1D, mixed dimensions): counts only
        pass
    return out


def _geometry(out: ModelProbe, raw: dict[str, Any]) -> None:
    """Floors, story heights, spans and mass from the node coordinates and the two-node elements."""
    coords: list[list[float]] = raw.get("coords") or []
    if not coords or min(len(c) for c in coords) < 2:
        out.total_mass_t = round(sum(float(m) for m in raw.get("mass_x") or []), 6)
        return
    ndm = out.ndm or len(coords[0])
    vertical = _vertical_axis(coords, [i for i in raw.get("base") or [] if 0 <= i < len(coords)], ndm)
    out.vertical_axis = "y" if vertical == 1 else "z"
    base = min(c[vertical] for c in coords)
    pairs = [(a, b) for a, b in raw.get("pairs") or [] if 0 <= a < len(coords) and 0 <= b < len(coords)]
    levels = _floor_levels(coords, pairs, raw.get("mass_x") or [], vertical, base)
    out.floor_elevations_m = levels
    out.stories = len(levels)
    out.story_heights_m = [round(h - lo, _MM) for lo, h in zip([0.0, *levels], levels)]
    horizontal = [axis for axis in range(min(ndm, 3)) if axis != vertical]
    lines = _column_lines(coords, pairs, vertical, raw.get("base") or [])
    out.spans_m = {"xyz"[axis]: _gaps(sorted({round(c[axis], _MM) for c in lines})) for axis in horizontal}
    out.total_mass_t = round(sum(float(m) for m in raw.get("mass_x") or []), 6)


def _vertical_axis(coords: list[list[float]], base: list[int], ndm: int) -> int:
    """y in 2D; in 3D the axis (z, else y) along which every fixed node sits at the lowest level."""
    if ndm < 3 or len(coords[0]) < 3:
        return 1
    for axis in (2, 1):
        low = min(c[axis] for c in coords)
        if base and all(abs(coords[i][axis] - low) < 1e-6 for i in base) and \
                max(c[axis] for c in coords) - low > 1e-6:
            return axis
    return 2


def _floor_levels(coords: list[list[float]], pairs: list[tuple[int, int]], mass: list[float], vertical: int,
                  base: float) -> list[float]:
    """Heights above the base of the floors: where horizontal members are; else where mass is; else every node."""
    def above(indices: Any) -> list[float]:
        return sorted({round(coords[i][vertical] - base, _MM) for i in indices} - {0.0})

    beams = [i for a, b in pairs if _horizontal(coords[a], coords[b], vertical) for i in (a, b)]
    for chosen in (beams, [i for i, m in enumerate(mass[:len(coords)]) if m > 0], range(len(coords))):
        levels = [h for h in above(chosen) if h > 0]
        if levels:
            return levels
    return []


def _horizontal(a: list[float], b: list[float], vertical: int) -> bool:
    return abs(a[vertical] - b[vertical]) < 1e-6 and any(abs(x - y) > 1e-6 for x, y in zip(a, b))


def _column_lines(coords: list[list[float]], pairs: list[tuple[int, int]], vertical: int,
                  base: list[int]) -> list[list[float]]:
    """A point of each vertical member (its column line); the supports when there is none."""
    lines = []
    for a, b in pairs:
        pa, pb = coords[a], coords[b]
        if abs(pa[vertical] - pb[vertical]) > 1e-6 and all(
                abs(x - y) < 1e-6 for axis, (x, y) in enumerate(zip(pa, pb)) if axis != vertical):
            lines.append(pa)
    return lines or [coords[i] for i in base if 0 <= i < len(coords)]


def _gaps(values: list[float]) -> list[float]:
    return [round(b - a, _MM) for a, b in zip(values, values[1:])]
