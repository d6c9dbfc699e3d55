"""The result of a design: sections, bars, hoops, loads, modal results and check ratios (pydantic models).

Everything the program generator, the chain of thought and the pipelines read; see `design.py` for how each
number is made.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from civilinstruct.design import basis
from civilinstruct.spec.model import BuildingSpec
from civilinstruct.physics import codes

DAMPING = 0.05


class Bars(BaseModel):
    count: int
    diameter_mm: int
    area_m2: float
    layers: int = 1

    @property
    def label(self) -> str:
        """`4C25`, or `6C25 3/3` for two layers (Chinese drawing notation)."""
        first = -(-self.count // self.layers)
        return f"{self.count}C{self.diameter_mm}" + (f" {first}/{self.count - first}" if self.layers == 2 else "")

    @property
    def cover_m(self) -> float:
        """Centroid of the bars from the face (one layer 40 mm, two 65 mm)."""
        return basis.BEAM_COVER[self.layers]


class Hoops(BaseModel):
    diameter_mm: int
    legs: int
    spacing_m: float

    @property
    def label(self) -> str:
        return f"{self.legs}-leg C{self.diameter_mm}@{self.spacing_m * 1000:.0f}"


class ColumnGroup(BaseModel):
    """Stories first..last (1-based) share one square column section, its bars per side (the two corner bars
    included, so the column has 4 (count - 1) bars) and its end-zone hoops."""

    first_story: int
    last_story: int
    size_m: float
    bars_side: Bars
    hoops: Hoops


class Design(BaseModel):
    """A complete, checked design: everything the program generator and the chain of thought need."""

    spec: BuildingSpec
    concrete: str
    Ec_mpa: float
    fc_mpa: float
    fy_mpa: float = codes.REBAR_FY_MPA
    category: str = Field(description="fortification category, GB 50223 (B: schools, hospitals)")
    seismic_grade: int = Field(description="seismic grade for the measures (eta factors), GB 50011 6.1.2")
    details_grade: int = Field(description="seismic grade for the details (axial ratio, steel), GB 50011 3.3.2-3")
    axial_limit: float
    drift_limit: float = codes.DRIFT_LIMIT_FRAME
    tg_s: float
    alpha_max: float
    damping: float = DAMPING
    dead_kn_m2: float
    live_kn_m2: float
    roof_live_kn_m2: float = codes.ROOF_LIVE_KN_M2
    infill_kn_m: float = codes.INFILL_KN_M
    frame_position: str = Field(description="interior or edge: the analysed X frame")
    tributary_m: float
    col_crack: float = Field(basis.COLUMN_STIFFNESS, description="column stiffness factor (gross: 1.0)")
    beam_crack: float = Field(description="beam stiffness factor for the slab flange (JGJ 3-2010 5.2.2)")
    beam_b_m: float
    beam_h_m: float
    beam_y_b_m: float
    beam_y_h_m: float
    beam_bars: Bars
    beam_hoops: Hoops
    column_groups: list[ColumnGroup]
    beam_w_kn_m: list[float] = Field(description="gravity line load on the X beams of each floor (D + 0.5L)")
    beam_w_dead_kn_m: list[float]
    beam_w_live_kn_m: list[float]
    node_load_kn: list[list[float]] = Field(description="dead point loads at the nodes [floor][line]")
    node_mass_t: list[list[float]] = Field(description="lateral mass at the nodes [floor][line]")
    floor_weight_kn: list[float]
    floor_gravity_design_kn: list[float] = Field(description="1.3D + 1.5L per floor (JGJ 3-2010 5.4.1)")
    n_modes: int
    periods_s: list[float]
    alphas: list[float]
    participation: list[float]
    mass_ratio: float
    story_shear_kn: list[float]
    story_drift: list[float]
    max_drift: float
    min_shear_coeff: float = Field(description="lambda of GB 50011 5.2.5")
    shear_amplification: float = Field(description="largest story-shear amplification to reach lambda")
    stability_theta: list[float] = Field(description="sum G_j / (D_i h_i) per story (JGJ 3-2010 5.4.1/5.4.4)")
    max_theta: float
    max_axial_ratio: float
    max_beam_dc: float
    max_column_dc: float
    max_gravity_dc: float = Field(description="largest D/C under 1.3D + 1.5L (GB 50068-2018)")
    max_shear_dc: float = Field(description="largest shear D/C with eta_vb / eta_vc (GB 50011 6.2.4-5)")
    scwb_ratio: float = Field(description="max eta_c |sum M_b| / sum (M_cu / gamma_RE) at joints (6.2.2)")
    min_shear_span_ratio: float
    empirical_t1_s: float
    psi_t: float = basis.PSI_T
    # the building along Y, every Y frame with the whole floors (`design.ydir`): checked to the same limits
    periods_y_s: list[float] = Field(default_factory=list, description="periods along Y, s (building model)")
    story_drift_y: list[float] = Field(default_factory=list, description="drift per story along Y (with F1)")
    max_drift_y: float = Field(0.0, description="largest drift along Y, <= 1/550 (GB 50011 5.5.1)")
    max_theta_y: float = Field(0.0, description="largest stability coefficient along Y (JGJ 3-2010 5.4.4)")
    iterations: list[str]

    def column_size(self, story: int) -> float:
        for group in self.column_groups:
            if group.first_story <= story <= group.last_story:
                return group.size_m
        raise IndexError(story)

    @property
    def t1_s(self) -> float:
        return self.periods_s[0]

    @property
    def base_shear_kn(self) -> float:
        return self.story_shear_kn[0]
