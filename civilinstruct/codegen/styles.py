"""Styles of generated programs: presentation (naming, comment language, tag numbering) and program skeleton
(layout, how the model is built, the column element, how modal quantities are read, cross-check and report).

A style changes how a program is written, never what it computes: every style of one design prints the same
periods, drifts and check lines (a test checks this). The skeleton axes change which commands a program calls and
in what order, and its kinds of blocks (issue 16: 2 skeletons in 38 programs before; see
`civilinstruct.codegen.skeleton` and benchmarks/skeleton_diversity.py).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

LAYOUTS = ("flat", "functions", "class")
GEOMETRIES = ("literal", "table")  # unrolled literal commands, or loops over data tables and tag functions
ELEMENTS = ("elastic", "fiber")  # elasticBeamColumn columns, or forceBeamColumn with a fiber section
MODALS = ("hand", "props", "rsa")  # participation by hand, from ops.modalProperties, or ops.responseSpectrumAnalysis
CROSSCHECKS = ("none", "base_shear")  # equivalent base shear of GB 50011 5.2.1 as a cross-check
REPORTS = ("lines", "table")  # check lines only, or also a story table
FRAMES = ("plane", "space")  # 2D plane frame, or 3D space frame with rigidDiaphragm floors (drawn 1 in 4)
RESULTS = ("memory", "recorder")  # lateral results read in memory (eleForce), or written by recorders and read back
NAMINGS = ("descriptive", "short")
LANGUAGES = ("en", "zh")
NUMBERINGS = ("grid", "sequential")

NAMES: dict[str, dict[str, str]] = {
    "descriptive": {
        "n_story": "NUM_STORIES", "story_h": "STORY_HEIGHT", "n_bay": "NUM_BAYS", "bay_w": "BAY_WIDTH",
        "trib_w": "TRIBUTARY_WIDTH", "g": "GRAVITY", "E": "CONCRETE_E", "fc": "CONCRETE_FC", "fy": "REBAR_FY",
        "col_crack": "COLUMN_STIFFNESS_FACTOR", "beam_crack": "BEAM_FLANGE_FACTOR", "alpha_max": "ALPHA_MAX",
        "tg": "SITE_TG", "zeta": "DAMPING_RATIO", "drift_limit": "DRIFT_LIMIT", "min_shear": "MIN_SHEAR_COEFF", "axial_limit": "AXIAL_RATIO_LIMIT",
        "n_modes": "NUM_MODES", "cover": "COVER", "xi_b": "XI_BALANCED", "gamma_g": "GAMMA_G",
        "gamma_eh": "GAMMA_EH", "col_size": "COLUMN_SIZE", "col_bars": "COLUMN_BARS_PER_SIDE",
        "beam_b": "BEAM_WIDTH", "beam_h": "BEAM_DEPTH", "beam_bars": "BEAM_BARS",
        "floor_nodes": "floor_nodes", "columns": "column_elements", "beams": "beam_elements",
        "col_props": "column_properties", "grav_force": "gravity_forces", "eq_force": "seismic_forces",
        "results": "results", "ft": "CONCRETE_FT", "psi_t": "PERIOD_REDUCTION", "gamma_d": "GAMMA_DEAD",
        "gamma_l": "GAMMA_LIVE", "gre_beam": "GAMMA_RE_BEAM", "gre_shear": "GAMMA_RE_SHEAR", "eta_c": "ETA_C",
        "eta_vb": "ETA_VB", "eta_vc": "ETA_VC", "fyv": "HOOP_FYV", "floor_gravity": "FLOOR_GRAVITY_DESIGN",
        "w_dead": "BEAM_DEAD_LOAD", "w_live": "BEAM_LIVE_LOAD", "col_hoops": "COLUMN_HOOPS", "beam_hoops": "BEAM_HOOPS",
        "beam_cover": "BEAM_COVER",
    },
    "short": {
        "n_story": "NS", "story_h": "H", "n_bay": "NB", "bay_w": "L", "trib_w": "BT", "g": "g", "E": "Ec",
        "fc": "fc", "fy": "fy", "col_crack": "kc", "beam_crack": "kb", "alpha_max": "amax", "tg": "Tg",
        "zeta": "zeta", "drift_limit": "theta_lim", "min_shear": "lam_min", "axial_limit": "mu_lim", "n_modes": "nm", "cover": "a_s",
        "xi_b": "xi_b", "gamma_g": "gG", "gamma_eh": "gEh", "col_size": "bc", "col_bars": "col_as",
        "beam_b": "bb", "beam_h": "hb", "beam_bars": "beam_as", "floor_nodes": "fl_nodes", "columns": "cols",
        "beams": "bms", "col_props": "cprop", "grav_force": "fG", "eq_force": "fE", "results": "res",
        "ft": "ft", "psi_t": "psiT", "gamma_d": "gD", "gamma_l": "gL", "gre_beam": "gRE_b", "gre_shear": "gRE_v",
        "eta_c": "eta_c", "eta_vb": "eta_vb", "eta_vc": "eta_vc", "fyv": "fyv", "floor_gravity": "G_floor",
        "w_dead": "wD", "w_live": "wL", "col_hoops": "col_sv", "beam_hoops": "beam_sv", "beam_cover": "a_sb",
    },
}


@dataclass(frozen=True)
class Style:
    layout: str = "flat"
    naming: str = "descriptive"
    language: str = "en"
    numbering: str = "grid"
    geometry: str = "literal"
    element: str = "elastic"
    modal: str = "hand"
    crosscheck: str = "none"
    report: str = "lines"
    frame: str = "plane"
    results: str = "memory"

    @property
    def name(self) -> str:
        # the axes added later show only when not at their default, so older styles keep their names
        return (f"{self.layout}-{self.naming}-{self.language}-{self.numbering}-{self.geometry}-{self.element}-"
                f"{self.modal}-{self.crosscheck}-{self.report}" + ("-space" if self.frame == "space" else "")
                + ("-recorder" if self.results == "recorder" else ""))


def style_for(style_seed: int, language: str | None = None) -> Style:
    """The style a seed picks (uniform over every axis); `language` (that of the instruction) overrides the comment
    language, so an answer reads in the language it was asked in."""
    return _draw(style_seed, language, reference=False)


def reference_style(style_seed: int, language: str | None = None) -> Style:
    """The style of a reference program (`render`, the offline model): the older axes as `style_for` draws them,
    a plane frame with in-memory results, so the reference programs of codegen-v4 stay byte-identical."""
    return _draw(style_seed, language, reference=True)


def _draw(style_seed: int, language: str | None, reference: bool) -> Style:
    rng = random.Random(f"civilinstruct-style-{style_seed}")
    style = Style(rng.choice(LAYOUTS), rng.choice(NAMINGS), rng.choice(LANGUAGES), rng.choice(NUMBERINGS),
                  rng.choice(GEOMETRIES), rng.choice(ELEMENTS), rng.choice(MODALS), rng.choice(CROSSCHECKS),
                  rng.choice(REPORTS))
    # drawn after the older axes, so every older axis picks what it picked before these were added
    frame = "space" if rng.random() < 0.25 else "plane"
    results = rng.choice(RESULTS)
    if not reference:
        style = replace(style, frame=frame, results=results)
    if style.frame == "space":
        style = replace(style, modal="hand")  # the 3D skeleton reads participation per direction by hand
    if style.element == "fiber" and style.modal == "rsa":
        # responseSpectrumAnalysis over force-based fibre columns gave drifts up to 5% off the hand superposition
        # of the same modes (openseespy 3.7.1.2); not understood, so that pair is not generated
        style = replace(style, modal="props")
    return style if language is None else replace(style, language=language)


_CJK = re.compile(r"[\u4e00-\u9fff]")


def instruction_language(text: str) -> str:
    """"zh" for an instruction with Chinese characters, else "en"."""
    return "zh" if _CJK.search(text) else "en"
