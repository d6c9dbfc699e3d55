"""Splits by building: no building (or command group) in two splits, BMEval buildings in none."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from civilinstruct.release.manifest import Splits
from civilinstruct.release.splits import (assign_splits, building_key, find_building, group_key, index_store,
                                          plan_release)
from civilinstruct.store import Store
from release_fixtures import building, instruction


def _groups_per_split(index: dict, plan) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = defaultdict(set)
    for rows in index.values():
        for sid, key in rows:
            seen[key].add(plan.split_of(sid))
    return seen


def test_find_building_top_level_nested_and_absent() -> None:
    b = building(1)
    assert find_building(b) == b
    assert find_building({"building": b, "variant": 3}) == b
    assert find_building({"command": "node"}) is None
    assert building_key({**b, "intensity": 8}) == building_key({**b, "intensity": 8.0})
    assert group_key({"building": b}, []) == building_key(b)
    assert group_key({"error": "x"}, ["building:abc"]) == "building:abc"
    assert group_key({"command": "node", "variant": 1}, []) == group_key({"command": "node", "variant": 2}, [])


def test_every_group_in_one_split(release_data: tuple[Path, dict]) -> None:
    data, samples = release_data
    store = Store(data)
    index, dirty = index_store(store, ["api_pairs", "long_code", "bug_cot", "expert"])
    assert dirty == set()
    # bug_cot specs carry no building: the parent id ties them to their long_code building
    lc_keys = {sid: key for sid, key in index["long_code"]}
    for s, (sid, key) in zip(samples["bug_cot"], index["bug_cot"]):
        assert key == lc_keys[s.lineage.parent_ids[0]]
    plan = assign_splits(index, Splits(seed=0, validation=0.2, test=0.3, expert_out_of_sft=False))
    for key, splits in _groups_per_split(index, plan).items():
        assert len(splits) == 1, (key, splits)
    assert set(plan.counts["expert"]) <= {"train", "test"} and plan.counts["expert"]["test"] >= 1
    assert plan.counts["long_code"]["validation"] >= 1 and plan.counts["api_pairs"]["train"] >= 1
    # the RL test buildings are held out of every part's training rows
    test_keys = {key for sid, key in index["expert"] if plan.split_of(sid) == "test"}
    for part in ("long_code", "bug_cot"):
        assert all(plan.split_of(sid) == "test" for sid, key in index[part] if key in test_keys)


def test_counts_follow_the_config(release_data: tuple[Path, dict]) -> None:
    data, _ = release_data
    plan, parts = plan_release(Store(data), Splits(seed=1, validation=10, test=3))
    assert parts == ["api_pairs", "long_code", "bug_cot", "expert"]
    assert plan.counts["expert"]["test"] == 3
    sft_val = sum(plan.counts[p]["validation"] for p in ("api_pairs", "long_code", "bug_cot"))
    assert 10 <= sft_val <= 12  # whole groups: at most one group's rows over the target


def test_same_inputs_same_plan_other_seed_other_plan(release_data: tuple[Path, dict]) -> None:
    data, _ = release_data
    a, _ = plan_release(Store(data), Splits(seed=0, validation=0.2, test=0.3, expert_out_of_sft=False))
    b, _ = plan_release(Store(data), Splits(seed=0, validation=0.2, test=0.3, expert_out_of_sft=False))
    c, _ = plan_release(Store(data), Splits(seed=7, validation=0.2, test=0.3))
    assert a.labels == b.labels and a.labels != c.labels


def case_row(i: int, spec: dict | None, instruction: str) -> dict:
    return {"case_id": f"case{i}", "instruction": instruction, "spec": json.dumps(spec or {}), "t_ref_fe": 0.5,
            "t_ref_empirical": 0.6, "ground_truth": 0.5}


def test_contaminated_buildings_are_left_out(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    from civilinstruct.bench.cases import write_cases
    from civilinstruct.release.contamination import load_contamination
    from civilinstruct.release.manifest import Decontaminate

    data, samples = release_data
    cases = [case_row(0, building(0), "Model a building please"),  # same spec as building 0
             case_row(1, None, instruction(3)),              # no spec: caught by its instruction text
             case_row(2, {**building(99), "stories": 40}, "A forty story tower near the coast with many bays")]
    path = write_cases(cases, tmp_path / "cases.parquet")
    leaks = load_contamination(Decontaminate(cases=path))
    plan, _ = plan_release(Store(data), Splits(validation=0.2, test=0.3), leaks)
    assert plan.contaminated_buildings == 2
    # building 0 has long_code, bug_cot and expert rows; building 3 has long_code and expert rows
    assert plan.contaminated_rows == 3 + 2
    lc, ex = samples["long_code"], samples["expert"]  # expert rows are buildings 0, 3, 6, ...
    assert [plan.split_of(s.id) is None for s in (lc[0], lc[1], lc[3], ex[0], ex[1], ex[2])] == [
        True, False, True, True, True, False]
    assert plan.split_of(samples["bug_cot"][0].id) is None
    assert load_contamination(None) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["api_pairs", "long_code", "bug_cot", "expert"]),
                          st.integers(0, 12)), min_size=1, max_size=60),
       st.floats(0, 0.9), st.floats(0, 0.9), st.integers(0, 3))
def test_property_no_group_in_two_splits(rows, val, test, seed) -> None:
    index: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, (part, g) in enumerate(rows):
        index[part].append((f"id{i}", f"g{g}"))
    plan = assign_splits(dict(index), Splits(seed=seed, validation=val, test=test, expert_out_of_sft=False), contaminated={"g0"})
    for key, splits in _groups_per_split(index, plan).items():
        assert len(splits) == 1
        assert (None in splits) == (key == "g0")
    expert_splits = {plan.split_of(sid) for sid, _ in index.get("expert", [])} - {None}
    assert expert_splits <= {"train", "test"}


def test_bench_seed_cases_are_rebuilt_once_and_cached(tmp_path: Path) -> None:
    from civilinstruct.bench.cases import read_cases
    from civilinstruct.release.contamination import load_contamination
    from civilinstruct.release.manifest import Decontaminate

    leaks = load_contamination(Decontaminate(bench_seed=3, bench_n=2), data_dir=tmp_path, allow_weak_isolation=True)
    cache = tmp_path / "bench" / "cases-bmeval-specs-seed3-n2.parquet"
    cases = read_cases(cache)
    assert leaks is not None and leaks.cases == 2 and len(cases) == 2
    spec = json.loads(cases[0]["spec"])
    assert leaks.matches([{"role": "user", "content": "anything"}], {"building": spec})
    assert not leaks.matches([{"role": "user", "content": "anything"}], {**spec, "stories": spec["stories"] + 1})
    stamp = cache.stat().st_mtime_ns
    again = load_contamination(Decontaminate(bench_seed=3, bench_n=2), data_dir=tmp_path)
    assert again.digest == leaks.digest and cache.stat().st_mtime_ns == stamp


def test_a_building_with_most_bug_cot_rows_is_held_out_only_if_nothing_else_fits() -> None:
    """Small builds draw bug_cot from a few programs: the building first in hash order holds 20 of 27 bug_cot rows.
    Held out, it would put most of bug_cot in `test`; the planner takes the next expert buildings instead, and
    takes bulky buildings only when no other can fill the split. Rows still follow their building."""
    from civilinstruct.release.splits import _rank

    keys = [f"building:{i}" for i in range(8)]
    heavy = min(keys, key=lambda k: _rank(0, k))  # the old planner held this one out first

    def index_with(bug_rows: dict[str, int]) -> dict[str, list[tuple[str, str]]]:
        return {"long_code": [(f"lc-{k}", k) for k in keys], "expert": [(f"ex-{k}", k) for k in keys],
                "bug_cot": [(f"bug-{k}-{j}", k) for k in keys for j in range(bug_rows[k])]}

    index = index_with({k: 20 if k == heavy else 1 for k in keys})
    plan = assign_splits(index, Splits(seed=0, validation=0, test=0.25, expert_out_of_sft=False))
    assert plan.split_of(f"lc-{heavy}") == "train" and plan.split_of(f"bug-{heavy}-0") == "train"
    assert plan.counts["expert"]["test"] == 2 and plan.counts["bug_cot"]["test"] <= 7  # 25 % of 27, rounded up
    assert all(len(splits) == 1 for splits in _groups_per_split(index, plan).values())

    bulky = index_with({k: 20 for k in keys})  # every building is bulky: the split is filled all the same
    plan = assign_splits(bulky, Splits(seed=0, validation=0, test=0.25, expert_out_of_sft=False), contaminated={heavy})
    assert plan.counts["expert"]["test"] == 2 and plan.split_of(f"bug-{heavy}-0") is None


def test_expert_buildings_stay_out_of_sft_by_default() -> None:
    from civilinstruct.release.manifest import RL_PARTS, SFT_PARTS

    rl_part, sft_part = RL_PARTS[0], SFT_PARTS[0]
    index = {sft_part: [(f"lc-{k}", f"building:{k}") for k in ("a", "b", "c", "d")] + [("lc-s", "spec:s")],
             rl_part: [("ex-a", "building:a"), ("ex-b", "building:b"), ("ex-s", "spec:s")]}
    plan = assign_splits(index, Splits(seed=0, validation=0, test=0.4))
    assert plan.split_of("lc-a") is None and plan.split_of("lc-b") is None and plan.expert_sft_rows == 2
    assert plan.split_of("ex-a") is not None and plan.split_of("ex-b") is not None  # the RL rows themselves stay
    assert plan.split_of("lc-c") == plan.split_of("lc-d") == "train"
    assert plan.split_of("lc-s") is not None  # not a building: nothing to memorise
    kept = assign_splits(index, Splits(seed=0, validation=0, test=0.5, expert_out_of_sft=False))
    assert kept.split_of("lc-a") is not None and kept.expert_sft_rows == 0
