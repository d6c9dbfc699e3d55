"""The building along Y: every Y frame line side by side, carrying the whole floors' masses.

The design sizes its X frame on one plane model; the Y direction is checked on the building as a whole (a symmetric
plan whose rigid floors translate without twisting): the condensed lateral stiffnesses of the bays_x + 1 Y frames
(span_y bays, Y beams with the flange factor of their position, JGJ 3-2010 5.2.2: 1.5 edge, 2.0 interior, the
same gross columns) are summed, and the floor masses are those of the whole plan (every X frame line's strip, as
the 3D program lumps them). The spectrum, psi_T, minimum shear and P-Delta are the X direction's (`design.py`).
This is the physics of the 3D space-frame program along Y (`codegen.space.reference_periods`).
"""

from __future__ import annotations

import numpy as np

from civilinstruct.design import basis
from civilinstruct.design.frame import Frame, FrameModel
from civilinstruct.design.loads import Loads, frame_loads
from civilinstruct.spec.model import BuildingSpec


def line_tributaries(spec: BuildingSpec) -> list[float]:
    """Floor strip of each X frame line j = 0..bays_y: half a span for the edge lines, a full span inside."""
    return [round((0.5 if j in (0, spec.bays_y) else 1.0) * spec.span_y_m, 4) for j in range(spec.bays_y + 1)]


def flanges(bays: int) -> list[float]:
    """Flange factor of the beams of each frame line 0..bays across them (JGJ 3-2010 5.2.2)."""
    return [basis.FLANGE_EDGE if k in (0, bays) else basis.FLANGE_INTERIOR for k in range(bays + 1)]


def line_loads(spec: BuildingSpec, dead: float, live: float, beam: tuple[float, float],
               beam_y: tuple[float, float], sizes: list[float]) -> list[Loads]:
    """Loads of every X frame line (the slab spans one way onto the X beams; Y beams weigh on the joints)."""
    return [frame_loads(spec, dead, live, beam, beam_y, sizes, t) for t in line_tributaries(spec)]


def floor_masses(lines: list[Loads]) -> tuple[list[float], list[float]]:
    """(mass D + 0.5L per floor in t, design gravity 1.3D + 1.5L per floor in kN) of the whole plan."""
    stories = len(lines[0].node_mass)
    mass = [round(sum(sum(line.node_mass[f]) for line in lines), 4) for f in range(stories)]
    gravity = [round(sum(line.floor_gravity_design[f] for line in lines), 2) for f in range(stories)]
    return mass, gravity


def condensed_stiffness(E: float, sizes: list[float], h: float, bays: int, span: float,
                        beam: tuple[float, float], flange: float, col_crack: float = basis.COLUMN_STIFFNESS
                        ) -> np.ndarray:
    """Lateral stiffness (kN/m) of one plane frame condensed to its floor DOFs, symmetrised."""
    stories = len(sizes)
    zeros = [0.0] * stories
    frame = Frame(bays=bays, stories=stories, span=span, h=h, E=E, col_b=list(sizes), beam_b=beam[0],
                  beam_h=beam[1], col_crack=col_crack, beam_crack=flange, beam_w=zeros,
                  node_load=[[0.0] * (bays + 1) for _ in zeros], mass=[[1.0] for _ in zeros])
    k = np.linalg.inv(FrameModel(frame).F[:stories, :stories])
    return (k + k.T) / 2.0


def direction_stiffness(E: float, sizes: list[float], h: float, bays: int, span: float,
                        beam: tuple[float, float], lines: int) -> np.ndarray:
    """Summed condensed stiffness of `lines` parallel frames of `bays` bays: the two edge frames with flange 1.5,
    the others 2.0 (each distinct frame solved once)."""
    edge = condensed_stiffness(E, sizes, h, bays, span, beam, basis.FLANGE_EDGE)
    if lines <= 2:
        return np.asarray(lines * edge)
    inner = condensed_stiffness(E, sizes, h, bays, span, beam, basis.FLANGE_INTERIOR)
    return np.asarray(2 * edge + (lines - 2) * inner)


class Condensed:
    """A shear-building model from a condensed stiffness and floor masses: the `modes` that
    `design.response_spectrum` reads, in the plane model's normalisation (max 1, roof positive)."""

    def __init__(self, K: np.ndarray, mass_t: list[float]) -> None:
        self.K = K
        self.m = np.array(mass_t, dtype=float)

    def modes(self, n_modes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ms = 1.0 / np.sqrt(self.m)
        w2, v = np.linalg.eigh(ms[:, None] * self.K * ms[None, :])
        n = min(n_modes, len(self.m))
        phi = ms[:, None] * v[:, :n]
        phi = phi / np.abs(phi).max(axis=0) * np.sign(phi[-1])
        return 2 * np.pi / np.sqrt(w2[:n]), phi, self.m


def y_model(spec: BuildingSpec, E: float, sizes: list[float], beam_y: tuple[float, float],
            mass_t: list[float]) -> Condensed:
    """The building along Y: bays_x + 1 Y frames of bays_y spans of span_y, with the whole floors' masses."""
    K = direction_stiffness(E, sizes, spec.story_height_m, spec.bays_y, spec.span_y_m, beam_y, spec.bays_x + 1)
    return Condensed(K, mass_t)
