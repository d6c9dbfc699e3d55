"""A small linear 2D frame solver in numpy: the design's own analysis model.

It is the same model the generated OpenSeesPy program builds (elastic beam-columns, gross columns and flanged beams,
one shared lateral DOF per floor for the rigid diaphragm, lateral masses only), written independently, so the
design can iterate member sizes in milliseconds and the FE program's T1 and drifts can be checked against it.
Units: kN, m, s, t.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

G = 9.81


@dataclass
class Frame:
    """A regular plane frame: `bays` spans of `span` m, `stories` of height `h` m, fixed at the base."""

    bays: int
    stories: int
    span: float
    h: float
    E: float                       # kPa
    col_b: list[float]             # column section side per story (square), m
    beam_b: float
    beam_h: float
    col_crack: float               # stiffness factor of the columns (1.0: gross section)
    beam_crack: float              # stiffness factor of the beams (slab flange, JGJ 3-2010 5.2.2)
    beam_w: list[float]            # uniform gravity load on the beams of each floor, kN/m (downward)
    node_load: list[list[float]]   # extra gravity point load at each node [floor][line], kN (downward)
    mass: list[list[float]] = field(default_factory=list)  # lateral mass [floor][line], t

    def node(self, line: int, floor: int) -> int:
        return floor * (self.bays + 1) + line

    @property
    def n_nodes(self) -> int:
        return (self.bays + 1) * (self.stories + 1)

    def elements(self) -> list[tuple[str, int, int, float, float, int]]:
        """(kind, node_i, node_j, A, I, floor) for columns (floor = story) then beams (floor = level)."""
        out: list[tuple[str, int, int, float, float, int]] = []
        for s in range(1, self.stories + 1):
            b = self.col_b[s - 1]
            for line in range(self.bays + 1):
                out.append(("column", self.node(line, s - 1), self.node(line, s), b * b,
                            self.col_crack * b ** 4 / 12.0, s))
        for f in range(1, self.stories + 1):
            for bay in range(self.bays):
                out.append(("beam", self.node(bay, f), self.node(bay + 1, f), self.beam_b * self.beam_h,
                            self.beam_crack * self.beam_b * self.beam_h ** 3 / 12.0, f))
        return out

    def coords(self, n: int) -> tuple[float, float]:
        floor, line = divmod(n, self.bays + 1)
        return line * self.span, floor * self.h

    def dof_map(self) -> np.ndarray:
        """Equation number of (ux, uy, rz) per node; -1 fixed. ux is shared by every node of a floor."""
        dofs = -np.ones((self.n_nodes, 3), dtype=int)
        eq = self.stories  # the first `stories` equations are the floor lateral DOFs
        for n in range(self.bays + 1, self.n_nodes):
            floor = n // (self.bays + 1)
            dofs[n] = (floor - 1, eq, eq + 1)
            eq += 2
        return dofs


class FrameModel:
    """Assembled stiffness of a `Frame`, with gravity, modal and static lateral solutions.

    The stiffness is inverted once (a few hundred equations): the flexibility gives the condensed lateral
    stiffness, and every load case is then a matrix-vector product.
    """

    def __init__(self, frame: Frame) -> None:
        self.f = frame
        self.dofs = frame.dof_map()
        self.n_eq = int(self.dofs.max()) + 1
        self.elements = frame.elements()
        n_el = len(self.elements)
        xy = np.array([frame.coords(n) for n in range(frame.n_nodes)])
        ni = np.array([e[1] for e in self.elements])
        nj = np.array([e[2] for e in self.elements])
        A = np.array([e[3] for e in self.elements])
        I = np.array([e[4] for e in self.elements])
        d = xy[nj] - xy[ni]
        L = np.hypot(d[:, 0], d[:, 1])
        c, s = d[:, 0] / L, d[:, 1] / L
        E = frame.E
        a, b, cc, dd = E * A / L, 12 * E * I / L ** 3, 6 * E * I / L ** 2, E * I / L
        z = np.zeros(n_el)
        k = np.stack([
            np.stack([a, z, z, -a, z, z], 1), np.stack([z, b, cc, z, -b, cc], 1),
            np.stack([z, cc, 4 * dd, z, -cc, 2 * dd], 1), np.stack([-a, z, z, a, z, z], 1),
            np.stack([z, -b, -cc, z, b, -cc], 1), np.stack([z, cc, 2 * dd, z, -cc, 4 * dd], 1)], 1)
        T = np.zeros((n_el, 6, 6))
        for off in (0, 3):
            T[:, off, off], T[:, off, off + 1], T[:, off + 1, off], T[:, off + 1, off + 1] = c, s, -s, c
            T[:, off + 2, off + 2] = 1.0
        kg = np.einsum("eji,ejk,ekl->eil", T, k, T)
        idx = np.concatenate([self.dofs[ni], self.dofs[nj]], axis=1)
        idx = np.where(idx < 0, self.n_eq, idx)  # fixed DOFs go to a dummy row that is dropped
        K = np.zeros((self.n_eq + 1, self.n_eq + 1))
        np.add.at(K, (idx[:, :, None], idx[:, None, :]), kg)  # a floor's shared ux repeats: accumulate
        self.K = K[: self.n_eq, : self.n_eq]
        self.F = np.linalg.inv(self.K)
        self._k, self._T, self._idx = k, T, idx

    def _end_forces(self, u: np.ndarray, fixed_end: np.ndarray | None = None) -> np.ndarray:
        full = np.concatenate([u, [0.0]])  # the dummy index reads the trailing zero
        f = np.einsum("eij,ejk,ek->ei", self._k, self._T, full[self._idx])
        return f if fixed_end is None else f + fixed_end

    def gravity(self, beam_w: list[float] | None = None, node_load: list[list[float]] | None = None) -> np.ndarray:
        """End forces (N1 V1 M1 N2 V2 M2) of every element under beam line loads and joint loads (default: the
        frame's own, D + 0.5L); linear, so dead and live cases can be solved apart and combined."""
        f = self.f
        beam_w = f.beam_w if beam_w is None else beam_w
        node_load = f.node_load if node_load is None else node_load
        P = np.zeros(self.n_eq)
        fixed_end = np.zeros((len(self.elements), 6))
        for e, (kind, i, j, _, _, floor) in enumerate(self.elements):
            if kind == "beam":
                w, L = beam_w[floor - 1], f.span
                r = np.array([0.0, w * L / 2, w * L ** 2 / 12, 0.0, w * L / 2, -w * L ** 2 / 12])
                for node, fy, mz in ((i, -r[1], -r[2]), (j, -r[4], -r[5])):
                    P[self.dofs[node, 1]] += fy
                    P[self.dofs[node, 2]] += mz
                fixed_end[e] = r
        for floor in range(1, f.stories + 1):
            for line in range(f.bays + 1):
                P[self.dofs[f.node(line, floor), 1]] -= node_load[floor - 1][line]
        return self._end_forces(self.F @ P, fixed_end)

    def lateral(self, floor_forces: np.ndarray) -> np.ndarray:
        """Local end forces under lateral forces applied at the floor diaphragms."""
        s = self.f.stories
        return self._end_forces(self.F[:, :s] @ floor_forces)

    def modes(self, n_modes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(periods, floor mode shapes normalised to max 1, floor masses) from the condensed lateral stiffness."""
        s = self.f.stories
        Kc = np.linalg.inv(self.F[:s, :s])
        Kc = (Kc + Kc.T) / 2
        m = np.array([sum(row) for row in self.f.mass])
        ms = 1.0 / np.sqrt(m)
        w2, v = np.linalg.eigh(ms[:, None] * Kc * ms[None, :])
        phi = ms[:, None] * v
        n = min(n_modes, s)
        phi = phi[:, :n] / np.abs(phi[:, :n]).max(axis=0) * np.sign(phi[-1, :n])
        periods = 2 * np.pi / np.sqrt(w2[:n])
        return periods, phi, m
