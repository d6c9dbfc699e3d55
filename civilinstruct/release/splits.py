"""Splits made by building: every sample of one building (its long code, the bugs found in it, its expert row)
lands in the same split, so a model is never evaluated on a building it was trained on.

How the labels are chosen (deterministic in the split seed and the set of buildings):
1. buildings a BMEval case uses are left out of the release altogether (`contaminated`);
2. the RL test split takes expert buildings in hash order until it holds the requested number of expert rows;
3. the SFT validation split takes other buildings (and api_pairs command groups) that have no expert row, in hash
   order, until it holds the requested number of rows of parts 1-3;
4. everything else is `train`;
5. with `expert_out_of_sft` (default on), the SFT rows (parts 1-3) of a building that has an expert row are left
   out, so the RL prompts are not memorised in SFT.
A long_code or bug_cot row of a test building is therefore in its part's `test` split: held out, never trained on.

bug_cot rows come in bulk per building (one long_code program gives up to ~20 mutations), and a small build draws
them from a handful of programs, so holding out one of those buildings could put most of bug_cot in `test`. Steps 2
and 3 therefore pass over a building whose bug_cot rows would take the split past its share of bug_cot (the split's
own share of its part: 25 % of the expert rows in test allow 25 % of the bug_cot rows there), and take such
buildings only if the split cannot be filled without them. Rows still follow their building into one split.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civilinstruct.release.manifest import RL_PARTS, SFT_PARTS, Splits
from civilinstruct.spec.model import BuildingSpec
from civilinstruct.store import SampleStore, canonical_json, iter_shard, version_key

if TYPE_CHECKING:
    from civilinstruct.release.contamination import Contamination

# The fields that identify a building: those of the spec model, so a field added there counts here too.
BUILDING_FIELDS: tuple[str, ...] = tuple(BuildingSpec.model_fields)
_MIN_FIELDS = {"stories", "intensity"}
# Parts whose rows hang off another part's building in bulk: a held-out split takes at most its share of them.
BULK_PARTS: tuple[str, ...] = ("bug_cot",)
SPLIT_NAMES: tuple[str, ...] = ("train", "validation", "test")


def find_building(spec: Any, depth: int = 0) -> dict[str, Any] | None:
    """The building inside a spec: the spec itself, or a nested mapping (e.g. `{"building": {...}}`)."""
    if not isinstance(spec, dict):
        return None
    if _MIN_FIELDS <= spec.keys():
        return {k: spec[k] for k in BUILDING_FIELDS if k in spec}
    if depth < 2:
        for value in spec.values():
            found = find_building(value, depth + 1)
            if found is not None:
                return found
    return None


def building_key(building: dict[str, Any]) -> str:
    """A stable key for a building; numbers are compared as floats, so 8 and 8.0 are the same intensity."""
    norm = {k: round(float(v), 6) if isinstance(v, int | float) and not isinstance(v, bool) else v
            for k, v in building.items() if k in BUILDING_FIELDS}
    return "building:" + hashlib.sha256(canonical_json(norm).encode()).hexdigest()[:32]


def group_key(spec: dict[str, Any], parent_keys: list[str]) -> str:
    """What ties samples together: the building, else the parent's group, else the documented command."""
    building = find_building(spec)
    if building is not None:
        return building_key(building)
    if parent_keys:
        return sorted(parent_keys)[0]
    if isinstance(spec.get("command"), str):
        return "command:" + spec["command"]
    rest = {k: v for k, v in spec.items() if k not in ("variant", "seed")}
    return "spec:" + hashlib.sha256(canonical_json(rest).encode()).hexdigest()[:32]


def _rank(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}\x00{key}".encode()).hexdigest()


def _target(amount: float, total: int) -> int:
    """A count (>= 1) is rows, a fraction in (0, 1) is a share of `total`."""
    if amount >= 1:
        return min(int(amount), total)
    return round(amount * total)


@dataclass
class SplitPlan:
    """The split of every sample id (None: left out as contaminated) and the counts a card reports."""

    labels: dict[str, str | None] = field(default_factory=dict)
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    contaminated_rows: int = 0
    contaminated_buildings: int = 0
    expert_sft_rows: int = 0  # SFT rows left out because their building has an expert row
    groups: int = 0
    shards: dict[str, list[Path]] = field(default_factory=dict)  # the snapshot the plan was made from

    def split_of(self, sample_id: str) -> str | None:
        return self.labels.get(sample_id)

    def summary(self) -> dict[str, Any]:
        return {"counts": {part: dict(c) for part, c in self.counts.items()},
                "contaminated_rows": self.contaminated_rows,
                "contaminated_buildings": self.contaminated_buildings, "groups": self.groups,
                "expert_sft_rows": self.expert_sft_rows}


def latest_shards(store: SampleStore, parts: list[str]) -> dict[str, list[Path]]:
    """The registered shards of each part's latest version, from one catalog query (connections are not free)."""
    if not store.exists():
        return {}
    found: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for row in store.query("SELECT part, version, path FROM shards ORDER BY part, version, shard_index"):
        found[row["part"]][row["version"]].append(store.data_dir / row["path"])
    return {part: found[part][max(found[part], key=version_key)] for part in parts if found.get(part)}


def index_store(store: SampleStore, parts: list[str] | dict[str, list[Path]],
                contamination: Contamination | None = None) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    """(id, group key) of every sample of each part, and the group keys a BMEval case leaks into.

    Reads shard by shard and only the columns it needs (the messages only when checking contamination), so
    memory stays flat in the size of the data.
    """
    keys_by_id: dict[str, str] = {}
    index: dict[str, list[tuple[str, str]]] = {}
    dirty: set[str] = set()
    columns = ["id", "spec", "lineage"] + (["messages"] if contamination is not None else [])
    shards = parts if isinstance(parts, dict) else latest_shards(store, parts)
    for part, paths in shards.items():  # dependency order: parents are indexed before the parts derived from them
        rows: list[tuple[str, str]] = []
        for path in paths:
            for row in (r for b in iter_shard(path, columns) for r in b.to_pylist()):
                try:
                    spec = json.loads(row["spec"] or "{}")
                except json.JSONDecodeError:
                    spec = {}
                spec = spec if isinstance(spec, dict) else {}
                parents = [keys_by_id[p] for p in (row["lineage"] or {}).get("parent_ids") or [] if p in keys_by_id]
                key = group_key(spec, parents)
                keys_by_id[row["id"]] = key
                rows.append((row["id"], key))
                if contamination is not None and key not in dirty and contamination.matches(row["messages"], spec):
                    dirty.add(key)
        index[part] = rows
    return index, dirty


def assign_splits(index: dict[str, list[tuple[str, str]]], config: Splits,
                  contaminated: set[str] | frozenset[str] = frozenset()) -> SplitPlan:
    """Label every sample train / validation / test by its group (see the module docstring)."""
    plan = SplitPlan()
    rows_per_group: dict[str, Counter[str]] = defaultdict(Counter)
    for part, rows in index.items():
        for _, key in rows:
            rows_per_group[key][part] += 1
    plan.groups = len(rows_per_group)
    dirty = {k for k in rows_per_group if k in contaminated}
    plan.contaminated_buildings = len(dirty)
    label: dict[str, str] = {}

    rl_groups = sorted((k for k in rows_per_group if any(rows_per_group[k][p] for p in RL_PARTS) and k not in dirty),
                       key=lambda k: _rank(config.seed, k))
    rl_rows = sum(sum(rows_per_group[k][p] for p in RL_PARTS) for k in rl_groups)
    wanted = _target(config.test, rl_rows)
    _fill(label, rl_groups, "test", wanted, lambda k: sum(rows_per_group[k][p] for p in RL_PARTS),
          _share_of_bulk(rows_per_group, dirty, wanted / rl_rows if rl_rows else 0.0))

    pool = sorted((k for k in rows_per_group if k not in dirty and k not in label
                   and not any(rows_per_group[k][p] for p in RL_PARTS)), key=lambda k: _rank(config.seed, k))
    sft_rows = sum(rows_per_group[k][p] for k in rows_per_group if k not in dirty for p in SFT_PARTS)
    wanted = _target(config.validation, sft_rows)
    _fill(label, pool, "validation", wanted, lambda k: sum(rows_per_group[k][p] for p in SFT_PARTS),
          _share_of_bulk(rows_per_group, dirty, wanted / sft_rows if sft_rows else 0.0))

    expert_groups = {k for k, c in rows_per_group.items()  # buildings only: other groups are not RL prompts' buildings
                     if k.startswith("building:") and any(c[p] for p in RL_PARTS)}
    for part, rows in index.items():
        for sid, key in rows:
            split = None if key in dirty else label.get(key, "train")
            if split is not None and config.expert_out_of_sft and part in SFT_PARTS and key in expert_groups:
                plan.labels[sid] = None  # an RL prompt's building: not trained on in SFT
                plan.expert_sft_rows += 1
                continue
            plan.labels[sid] = split
            if split is None:
                plan.contaminated_rows += 1
            else:
                plan.counts[part][split] += 1
    return plan


def _fill(label: dict[str, str], ordered: list[str], name: str, wanted: int, rows: Callable[[str], int],
          fits: Callable[[str], bool]) -> None:
    """Label groups `name` in order until they hold `wanted` rows. A group that does not `fit` is passed over, and
    taken (in order) only if the groups that fit cannot reach `wanted`."""
    taken = 0
    passed: list[str] = []
    for key in ordered:
        if taken >= wanted:
            return
        if fits(key):
            label[key] = name
            taken += rows(key)
        else:
            passed.append(key)
    for key in passed:
        if taken >= wanted:
            return
        label[key] = name
        taken += rows(key)


def _share_of_bulk(rows_per_group: dict[str, Counter[str]], dirty: set[str],
                   fraction: float) -> Callable[[str], bool]:
    """A `fits` test for `_fill`: a group fits while the split's rows of each bulk part stay within `fraction` of
    that part's rows (rounded up). It counts the groups it admits, so call it once per group, in order."""
    budget = {p: math.ceil(fraction * sum(c[p] for k, c in rows_per_group.items() if k not in dirty))
              for p in BULK_PARTS}
    used: Counter[str] = Counter()

    def fits(key: str) -> bool:
        if any(used[p] + rows_per_group[key][p] > budget[p] for p in BULK_PARTS):
            return False
        used.update({p: rows_per_group[key][p] for p in BULK_PARTS})
        return True

    return fits


def plan_release(store: SampleStore, config: Splits, contamination: Contamination | None = None,
                 parts: list[str] | None = None) -> tuple[SplitPlan, list[str]]:
    """Index the store and assign splits; returns the plan and the parts that have samples."""
    from civilinstruct.release.manifest import PART_ORDER

    wanted = parts or list(PART_ORDER)
    shards = latest_shards(store, [p for p in PART_ORDER if p in wanted])
    index, dirty = index_store(store, shards, contamination)
    plan = assign_splits(index, config, dirty)
    plan.shards = shards
    return plan, list(shards)
