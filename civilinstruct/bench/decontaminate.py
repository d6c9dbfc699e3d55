"""Find training samples that leak BMEval cases: the same building spec, or an instruction that overlaps.

Two tests, either suffices:
- spec: the sample's spec (top level or one level down) has every field of a case's spec with the same value;
- text: word n-grams (n=8 by default) of the sample's user turns cover at least `threshold` of the case
  instruction's *distinctive* n-grams. Distinctive: present in few cases. Instructions are rendered from
  templates, so their boilerplate n-grams are shared by every case and would make everything look leaked;
  n-grams shared by more than `max(2, 5%)` of the cases are therefore ignored, which leaves the ones that
  carry a case's numbers. The default threshold 0.7 comes from a measurement on 128 cases: every case
  instruction pasted into a longer prompt is caught, and none of 2,000 instructions for other buildings is
  (0.5 flagged 16 that shared most parameters with a case). Reworded instructions for the same building are
  caught by the spec test, not by this one.
Results go to a new store version whose samples derive from the originals (lineage: pipeline
`decontaminate`, parent_ids = [original id]); flagged samples carry `extra.decontamination`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civilinstruct.store import Store

DECON_VERSION = "v1"
DEFAULT_N = 8
DEFAULT_THRESHOLD = 0.7
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[\u4e00-\u9fff]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    toks = tokens(text)
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}


@dataclass(slots=True)
class Match:
    case_id: str
    reason: str  # "spec" | "ngram"
    overlap: float

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "reason": self.reason, "overlap": round(self.overlap, 4)}


@dataclass
class CaseIndex:
    """The benchmark side, indexed once: specs by value and distinctive n-grams by case."""

    n: int = DEFAULT_N
    threshold: float = DEFAULT_THRESHOLD
    specs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gram_cases: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    distinct_count: dict[str, int] = field(default_factory=dict)
    digest: str = ""

    @classmethod
    def build(cls, cases: Iterable[dict[str, Any]], n: int = DEFAULT_N,
              threshold: float = DEFAULT_THRESHOLD) -> "CaseIndex":
        cases = list(cases)
        index = cls(n=n, threshold=threshold)
        grams = {c["case_id"]: ngrams(c.get("instruction") or "", n) for c in cases}
        df = Counter(g for gs in grams.values() for g in gs)
        max_df = max(2, int(0.05 * len(cases)))
        postings: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for cid, gs in grams.items():
            distinct = [g for g in gs if df[g] <= max_df]
            index.distinct_count[cid] = len(distinct)
            for g in distinct:
                postings[g].append(cid)
        index.gram_cases = dict(postings)
        for c in cases:
            spec = json.loads(c["spec"]) if isinstance(c.get("spec"), str) else (c.get("spec") or {})
            if spec:
                index.specs.append((c["case_id"], spec))
        index.digest = hashlib.sha256("\n".join(sorted(grams)).encode()).hexdigest()[:16]
        return index

    def matches(self, text: str, spec: dict[str, Any] | None) -> list[Match]:
        """The cases a sample (its user text and spec) overlaps, strongest first."""
        found: dict[str, Match] = {}
        for candidate in _spec_candidates(spec):
            for cid, case_spec in self.specs:
                if _same_spec(case_spec, candidate):
                    found[cid] = Match(cid, "spec", 1.0)
        hits: Counter[str] = Counter()
        for g in ngrams(text, self.n):
            for cid in self.gram_cases.get(g, ()):
                hits[cid] += 1
        for cid, count in hits.items():
            overlap = count / self.distinct_count[cid]
            if overlap >= self.threshold and cid not in found:
                found[cid] = Match(cid, "ngram", overlap)
        return sorted(found.values(), key=lambda m: -m.overlap)


def _spec_candidates(spec: Any) -> list[dict[str, Any]]:
    if not isinstance(spec, dict):
        return []
    return [spec] + [v for v in spec.values() if isinstance(v, dict)]


def _same_spec(case_spec: dict[str, Any], spec: dict[str, Any]) -> bool:
    for key, value in case_spec.items():
        if key not in spec:
            return False
        other = spec[key]
        if isinstance(value, (int, float)) and isinstance(other, (int, float)):
            if abs(float(value) - float(other)) > 1e-6 * max(1.0, abs(float(value))):
                return False
        elif value != other:
            return False
    return True


def user_text(messages: Any) -> str:
    """The user turns of a chat (what an instruction overlap can leak through)."""
    if isinstance(messages, str):
        return messages
    return "\n".join(str(m.get("content") or "") for m in messages or [] if m.get("role") == "user")


def decontaminate_store(store: Store, index: CaseIndex, parts: list[str] | None = None, mode: str = "remove",
                        to_version: str | None = None, from_version: str | None = None) -> dict[str, Any]:
    """Write `<version>-decon` (or `to_version`) of each part, flagging or removing leaked samples.

    Reads `from_version` of each part, else its latest version.
    """
    from civilinstruct.store import PARTS, Lineage, make_id

    if mode not in ("remove", "flag"):
        raise ValueError(f"mode must be remove or flag, not {mode!r}")
    report: dict[str, Any] = {"against": index.digest, "mode": mode, "parts": {}, "matches": []}
    for part in parts or [p for p in PARTS if store.latest_version(p)]:
        version = from_version or store.latest_version(part)
        if version is None or version not in store.versions(part):
            continue
        target = to_version or f"{version}-decon"
        counts: Counter[str] = Counter()
        params = {"source_version": version, "against": index.digest, "mode": mode, "n": index.n,
                  "threshold": index.threshold}
        with store.writer(part, target, pipeline="decontaminate", params=params) as writer:
            for sample in store.iter_samples(part, version):
                counts["seen"] += 1
                found = index.matches(user_text([m.model_dump() for m in sample.messages]), sample.spec_dict())
                if found:
                    counts["flagged"] += 1
                    counts.update(m.reason for m in found[:1])
                    report["matches"].append({"part": part, "id": sample.id, **found[0].to_dict()})
                    if mode == "remove":
                        counts["removed"] += 1
                        continue
                new_id = make_id(part, parent=sample.id, step="decontaminate", step_version=DECON_VERSION,
                                 against=index.digest)
                if new_id in writer.committed_ids:
                    counts["skipped_existing"] += 1
                    continue
                extra = sample.extra_dict()
                extra["decontamination"] = {"against": index.digest, "contaminated": bool(found),
                                            "matches": [m.to_dict() for m in found]}
                lineage = Lineage(**{**sample.lineage.model_dump(), "pipeline": "decontaminate",
                                     "pipeline_version": DECON_VERSION, "parent_ids": [sample.id]})
                writer.add(sample.model_copy(update={"id": new_id, "extra": json.dumps(extra, sort_keys=True),
                                                     "lineage": lineage}))
        counts["written"] = writer.written
        report["parts"][part] = {"source_version": version, "version": target, **counts}
    return report


def decontaminate_rows(rows: list[dict[str, Any]], index: CaseIndex, mode: str = "remove") -> tuple[
        list[dict[str, Any]], dict[str, Any]]:
    """The same for a plain table (an export: `messages` or `prompt`, optional `spec`): kept rows and a report."""
    kept: list[dict[str, Any]] = []
    report: dict[str, Any] = {"against": index.digest, "mode": mode, "seen": len(rows), "flagged": 0, "matches": []}
    for i, row in enumerate(rows):
        chat = row.get("messages") or row.get("prompt") or row.get("instruction") or ""
        spec = row.get("spec")
        spec = json.loads(spec) if isinstance(spec, str) and spec.startswith("{") else spec
        found = index.matches(user_text(chat), spec if isinstance(spec, dict) else None)
        if found:
            report["flagged"] += 1
            report["matches"].append({"row": i, "id": row.get("id"), **found[0].to_dict()})
            if mode == "remove":
                continue
        kept.append({**row, "contaminated": bool(found),
                     "contamination": json.dumps([m.to_dict() for m in found])} if mode == "flag" else row)
    return kept, report
