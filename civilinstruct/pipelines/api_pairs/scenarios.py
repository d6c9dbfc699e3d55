"""Engineering settings that make pairs distinct: a unit system with matching values, and a project story.

Variants of one command differ in the project they serve (an office frame in kN-m, a bridge pier in N-mm,
a steel warehouse in kip-in ...), so the instruction and the numbers change together and stay consistent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Units:
    """One consistent unit system and typical magnitudes expressed in it."""

    name: str
    force: str
    length: str
    stress: str
    E_steel: float
    fy: float
    E_conc: float
    fc: float
    length_member: float
    area: float
    inertia: float
    mass: float
    load: float
    density: float


KN_M = Units("kN, m, s", "kN", "m", "kPa", 2.0e8, 4.0e5, 3.0e7, 3.0e4, 3.6, 0.16, 2.1e-3, 40.0, 50.0, 2.5)
N_MM = Units("N, mm, s", "N", "mm", "MPa", 2.0e5, 400.0, 3.0e4, 30.0, 3600.0, 1.6e5, 2.1e9, 40.0, 5.0e4, 2.5e-9)
KIP_IN = Units("kip, in, s", "kip", "in", "ksi", 29000.0, 60.0, 3600.0, 4.0, 144.0, 240.0, 5000.0, 0.2, 10.0, 2.3e-7)
UNITS = (KN_M, N_MM, KIP_IN)


@dataclass(frozen=True)
class Scenario:
    """A project story for the instruction; `units` picks the magnitudes of the snippet; `kinds` says which
    objects fit the story (rc, steel, soil, isolation; general fits everything)."""

    story: str
    role: str
    units: Units
    kinds: frozenset[str] = frozenset({"general"})


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("a six-storey reinforced concrete office frame in a seismic intensity 8 zone", "column", KN_M, frozenset({'rc', 'general'})),
    Scenario("a steel warehouse portal frame on site class II", "rafter", KIP_IN, frozenset({'steel', 'general'})),
    Scenario("a hospital building checked for frequent earthquakes under GB 50011", "beam", KN_M, frozenset({'rc', 'steel', 'general'})),
    Scenario("a bridge pier test specimen calibrated against laboratory data", "pier", N_MM, frozenset({'rc', 'isolation'})),
    Scenario("a school classroom block retrofitted with steel braces", "brace", KN_M, frozenset({'steel', 'rc'})),
    Scenario("a residential tower's core wall studied for drift limits", "wall", N_MM, frozenset({'rc'})),
    Scenario("a shopping mall with long-span transfer girders", "girder", KN_M, frozenset({'rc', 'steel', 'general'})),
    Scenario("a factory crane-runway frame under repeated loading", "runway beam", KIP_IN, frozenset({'steel'})),
    Scenario("a base-isolated emergency operations centre", "isolator", KN_M, frozenset({'isolation', 'general'})),
    Scenario("a parametric study of a single-degree-of-freedom oscillator for a thesis", "spring", N_MM, frozenset({'general', 'rc', 'steel', 'soil', 'isolation'})),
    Scenario("a laterally loaded pile foundation in soft clay", "pile", KN_M, frozenset({'soil'})),
    Scenario("a cantilever column benchmark used in a structural dynamics course", "column", KIP_IN, frozenset({'general', 'rc', 'steel'})),
    Scenario("a three-storey moment-resisting steel frame for a pushover study", "beam", KIP_IN, frozenset({'steel', 'general'})),
    Scenario("a seismic assessment of an existing masonry-infilled RC school", "infill strut", KN_M, frozenset({'rc'})),
    Scenario("a site-response model of a layered soil column", "soil layer", KN_M, frozenset({'soil'})),
    Scenario("a precast concrete parking garage with ductile connections", "connection", N_MM, frozenset({'rc', 'isolation'})),
    Scenario("a timber-steel hybrid footbridge checked for vibration", "deck", N_MM, frozenset({'steel', 'general'})),
    Scenario("a nonlinear time-history analysis of a 12-storey RC frame", "column", KN_M, frozenset({'rc', 'general'})),
    Scenario("a research model reproducing a quasi-static cyclic test", "specimen", N_MM, frozenset({'rc', 'steel', 'isolation', 'general'})),
    Scenario("a liquefaction assessment of a port wharf founded on loose saturated sand", "sand layer", KN_M,
             frozenset({"soil"})),
    Scenario("a seismic settlement study of an embankment on soft foundation soil", "foundation layer", KN_M,
             frozenset({"soil"})),
    Scenario("a deep excavation support wall beside a metro station", "retained soil", KN_M, frozenset({"soil"})),
    Scenario("a seismically isolated liquefied-gas storage tank", "bearing", KN_M, frozenset({"isolation"})),
    Scenario("a highway bridge deck on lead-rubber bearings", "bearing", N_MM, frozenset({"isolation", "rc"})),
    Scenario("a performance-based design check of a steel braced frame", "brace", KIP_IN, frozenset({'steel', 'general'})),
)


_KIND_PATTERNS = (("soil", r"soil|sand|clay|py|tz|qz|liq|pressure|multiyield|cam|manzari|pm4|drucker|fluid|stressdensity|"
                           r"up$|rock|cemented|reese"),
                  ("isolation", r"bearing|rubber|hdr|isolator|friction|fp|tfp|pendulum|elastomeric|kikuchi|"
                                r"slider|damper|viscous|yamamoto|multipleshear|watson|coulomb|veldep|velnormal|velpressure"),
                  ("rc", r"concrete|rc|conc|mvlem|ecc|fsam|masonry|tdconcrete|shell|wall|bond|barslip|pinching|"
                         r"joint|limitstate|fiber|patch|layer"),
                  ("steel", r"steel|bilin|imk|cast|dodd|ramberg|reinforcing|fatigue|wf|cfs|saws|hardening|"
                            r"j2|bwbn|boucwen"))


def scenarios_for(command: object) -> tuple[Scenario, ...]:
    """Scenarios whose story fits the command's object (a p-y spring belongs to a pile, not a steel roof)."""
    import re as _re

    name = (getattr(command, "type_name", None) or getattr(command, "function", "") or "").lower()
    for kind, pattern in _KIND_PATTERNS:
        if _re.search(pattern, name):
            fitting = tuple(s for s in SCENARIOS if kind in s.kinds)
            if len(fitting) >= 4:
                return fitting
    return tuple(s for s in SCENARIOS if "general" in s.kinds) or SCENARIOS
