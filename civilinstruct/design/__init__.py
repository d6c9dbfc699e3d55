"""Rule-based seismic design of RC frames: sampled specs in, checked designs out (DESIGN §4)."""

from civilinstruct.design.design import Design, design
from civilinstruct.spec.sampling import sample_specs
from civilinstruct.spec.model import BuildingSpec, DesignError, check_spec

__all__ = ["BuildingSpec", "Design", "DesignError", "check_spec", "design", "sample_specs"]
