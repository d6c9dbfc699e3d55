"""Helpers for the release tests: a small data directory written through the real Store, four parts tied
together by buildings. (A uniquely named module: `conftest` is a name every test folder may use.)"""

from __future__ import annotations

import json
from pathlib import Path

from civilinstruct.opensees_docs.source import UPSTREAM_LICENSE
from civilinstruct.store import Lineage, Message, Sample, Store, make_id


def instruction(i: int) -> str:
    b = building(i)
    return (f"Generate OpenSeesPy code for reinforced concrete frame number {i}: {b['stories']} stories of "
            f"{b['story_height_m']} m, a {b['function']} at intensity {b['intensity']}. Compute the period.")


def building(i: int) -> dict:
    return {"function": ["office", "school", "mall"][i % 3], "stories": 3 + i % 6, "story_height_m": round(3.0 + 0.01 * i, 2),
            "bays_x": 3, "bays_y": 2, "span_x_m": 6.0 + (i % 4) * 0.5, "span_y_m": 6.0, "intensity": 8.0,
            "pga_g": 0.2, "design_group": 1 + i % 3, "site_class": "II"}


def _sample(part: str, key: dict, *, messages: list[tuple[str, str]], spec: dict, code: str | None = None,
            ground_truth: float | None = None, parents: list[str] | None = None, score: float | None = None,
            extra: dict | None = None) -> Sample:
    return Sample(
        id=make_id(part, **key), part=part, messages=[Message(role=r, content=c) for r, c in messages], code=code,
        spec=json.dumps(spec, sort_keys=True), score=score, score_parts={"exec": 0.7, "ast": 0.25} if score else {},
        ground_truth=ground_truth, extra=json.dumps(extra or {}),
        lineage=Lineage(pipeline=part, pipeline_version="v1", prompt_template=f"{part}.j2", seed=0,
                        parent_ids=parents or []))


def write_release_store(data: Path, n_commands: int = 12, n_buildings: int = 30) -> dict[str, list[Sample]]:
    """api_pairs grouped by command (2 variants each); long_code per building; bug_cot for every 2nd building
    (spec without the building: it is found through the parent id); expert for every 3rd building."""
    out: dict[str, list[Sample]] = {"api_pairs": [], "long_code": [], "bug_cot": [], "expert": []}
    for c in range(n_commands):
        for v in range(2):
            out["api_pairs"].append(_sample(
                "api_pairs", {"command": f"cmd{c}", "variant": v},
                messages=[("user", f"How do I call cmd{c}? ({v})"), ("assistant", f"```python\ncmd{c}({v})\n```")],
                spec={"command": f"cmd{c}", "page": f"src/cmd{c}.html", "variant": v}, code=f"cmd{c}({v})",
                extra={"docs": "OpenSeesPyDoc@ce0d8f1", "docs_license": UPSTREAM_LICENSE}))  # built from upstream
    for b in range(n_buildings):
        spec = building(b)
        lc = _sample("long_code", {"building": spec}, spec=spec, code=f"# building {b}\nprint('T1 = 0.5 s')",
                     messages=[("system", "You write OpenSeesPy."), ("user", instruction(b)),
                               ("assistant", f"<answer>building {b}</answer>")], score=95.0)
        out["long_code"].append(lc)
        if b % 2 == 0:
            out["bug_cot"].append(_sample(
                "bug_cot", {"parent": lc.id}, spec={"error": "NameError", "variant": 0}, parents=[lc.id],
                messages=[("user", f"Fix this bug in building {b}"), ("assistant", "<think>x</think>fixed")]))
        if b % 3 == 0:
            out["expert"].append(_sample(
                "expert", {"parent": lc.id}, spec={"building": spec}, parents=[lc.id], ground_truth=0.4 + b / 100,
                messages=[("system", "You write OpenSeesPy."), ("user", instruction(b)),
                          ("assistant", f"<answer>building {b}</answer>")], score=96.0))
    store = Store(data)
    for part, samples in out.items():
        with store.writer(part, "v1", shard_size=7) as w:
            for s in samples:
                w.add(s)
    return out
