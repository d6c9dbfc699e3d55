"""Which samples leak a BMEval case, so a release keeps their whole building out of every split.

The matching is the benchmark's own (`civilinstruct.bench.decontaminate.CaseIndex`: the same building spec, or an
instruction whose distinctive n-grams overlap a case's); this module only finds the cases a manifest names: a cases
parquet, or a benchmark seed from which `civilinstruct.bench.cases.build_cases` rebuilds them (its reference
programs run in the sandbox, so they are cached under DATA/bench/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civilinstruct.release.manifest import Decontaminate


class Contamination:
    """A sample is contaminated when the benchmark's case index matches its user text or its spec."""

    def __init__(self, cases: list[dict[str, Any]]) -> None:
        from civilinstruct.bench.decontaminate import CaseIndex

        self.cases = len(cases)
        self.index = CaseIndex.build(cases)

    def matches(self, messages: list[dict[str, Any]] | None, spec: dict[str, Any] | None) -> bool:
        from civilinstruct.bench.decontaminate import user_text

        return bool(self.index.matches(user_text(messages or []), spec))

    @property
    def digest(self) -> str:
        return self.index.digest


def cases_from_seed(seed: int, n: int, data_dir: Path | None, *, timeout_s: float = 60.0,
                    allow_weak_isolation: bool = False) -> list[dict[str, Any]]:
    """The cases `civilinstruct bench cases --n N --seed S` would write (cached in DATA/bench/)."""
    from civilinstruct.bench.cases import build_cases, read_cases, write_cases

    from civilinstruct.bench.cases import BENCH_STREAM

    name = f"cases-{BENCH_STREAM}-seed{seed}-n{n}.parquet"  # the stream in the name: older caches are not reused
    cache = data_dir / "bench" / name if data_dir is not None else None
    if cache is not None and cache.is_file():
        return read_cases(cache)
    from civilinstruct.sandbox import Sandbox

    with Sandbox(timeout=timeout_s, allow_weak_isolation=allow_weak_isolation) as box:
        cases, _ = build_cases(n, seed, box)
    if cache is not None:
        write_cases(cases, cache)
    return cases


def load_contamination(config: Decontaminate | None, extra_cases: Path | None = None,
                       data_dir: Path | None = None, **sandbox: Any) -> Contamination | None:
    """The cases named by a manifest's `decontaminate` section and/or `--cases` (None when there are none)."""
    from civilinstruct.bench.cases import read_cases

    cases: list[dict[str, Any]] = []
    if config is not None and config.cases is not None:
        cases += read_cases(config.cases)
    if config is not None and config.bench_seed is not None:
        cases += cases_from_seed(config.bench_seed, config.bench_n, data_dir, **sandbox)
    if extra_cases is not None:
        cases += read_cases(extra_cases)
    for case in cases:  # CaseIndex wants the spec as JSON text or a dict
        if not isinstance(case.get("spec"), str | dict):
            case["spec"] = json.dumps(case.get("spec") or {})
    return Contamination(cases) if cases else None
