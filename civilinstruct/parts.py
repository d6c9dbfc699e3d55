"""The parts of a release and the offline generator's name: facts every layer names, defined once, here at the
bottom (no imports), so that the store, the pipelines, the release and training read the same list."""

from __future__ import annotations

# In dependency order: bug_cot and expert read the long_code shards.
PARTS: tuple[str, ...] = ("api_pairs", "long_code", "bug_cot", "expert")
SFT_PARTS: tuple[str, ...] = ("api_pairs", "long_code", "bug_cot")  # stage I (paper: parts 1-3)
RL_PARTS: tuple[str, ...] = ("expert",)  # stage II (paper: part 4, FE period as ground truth)
# Whose shards a part reads (built first; a manifest naming a part names these too). Each part's PART_DEF carries
# them into the registry of parts (civilinstruct.pipelines.registry).
DEPENDS_ON: dict[str, tuple[str, ...]] = {"bug_cot": ("long_code",), "expert": ("long_code",)}

# What a sample built by the offline backend (and the rule-based generators) records as its lineage generator.
# It is hashed into ids (long_code parents), so it never changes for v1 data.
OFFLINE_GENERATOR = "offline/rules-v1"
