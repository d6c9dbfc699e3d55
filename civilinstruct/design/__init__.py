"""Rule-based seismic design of RC frames: sampled specs in, checked designs out (DESIGN §4)."""

from civilinstruct.design.design import Design, design
from civilinstruct.design.sampling import sample_specs
from civilinstruct.design.spec import BuildingSpec, DesignError, check_spec

__all__ = ["BuildingSpec", "Design", "DesignError", "check_spec", "design", "sample_specs"]
