"""What a `bench run` output is a run of: model, endpoint, sampling, cases file, ground truth, date.

The identity is stored in the generations parquet's schema metadata (and as the first line of the partial file
while a run goes), so a rerun resumes only the run it belongs to: a second model's run into the same `--out` is
refused in one line instead of silently reporting the first model's generations.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError

META_KEY = b"civilinstruct.bench_run"
# Fields that must match for a rerun to resume; `created_at` and counts are descriptive only.
IDENTITY_FIELDS = ("model", "backend", "endpoint", "n", "sampling", "cases_sha256", "ground_truth")


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (the cases file a run answered)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_identity(*, model: str, backend: str, endpoint: str | None, n: int, sampling: dict[str, Any],
                 cases_path: str | Path | None, ground_truth: str | None) -> dict[str, Any]:
    """The run's identity plus its creation date (UTC, ISO 8601)."""
    return {"model": model, "backend": backend, "endpoint": endpoint, "n": n,
            "sampling": {k: sampling[k] for k in sorted(sampling)},
            "cases_sha256": file_sha256(cases_path) if cases_path is not None else None,
            "cases_file": str(cases_path) if cases_path is not None else None,
            "ground_truth": ground_truth,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def read_run_meta(path: str | Path) -> dict[str, Any] | None:
    """The identity stored in a generations parquet (None for files written before it was stored)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(META_KEY)
    return json.loads(raw) if raw else None


def with_run_meta(table: Any, identity: dict[str, Any]) -> Any:
    """The table with the identity in its schema metadata."""
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps(identity, sort_keys=True).encode()
    return table.replace_schema_metadata(meta)


def mismatch(stored: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """The first identity field that differs, as `field: stored != wanted` (None when the runs are the same)."""
    if stored is None:
        return "no run details stored (written by an older version)"
    for key in IDENTITY_FIELDS:
        if stored.get(key) != wanted.get(key):
            return f"{key} {_short(stored.get(key))} != {_short(wanted.get(key))}"
    return None


def refuse_resume(out: Path, stored: dict[str, Any] | None, wanted: dict[str, Any]) -> None:
    """Raise one line when `out` holds another run than the one asked for."""
    why = mismatch(stored, wanted)
    if why is not None:
        owner = f" of model {stored.get('model')!r}" if stored else ""
        raise CivilError(f"{out} holds another run{owner} ({why}); choose another --out or pass --overwrite")


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 24 else text[:12] + "…"


def describe(identity: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) lines for a report or a terminal."""
    if not identity:
        return [("run", "no run details stored")]
    sampling = ", ".join(f"{k}={v}" for k, v in identity.get("sampling", {}).items()) or "server defaults"
    return [("model", str(identity.get("model"))), ("backend", str(identity.get("backend"))),
            ("endpoint", str(identity.get("endpoint") or "-")), ("completions per case", str(identity.get("n"))),
            ("sampling", sampling), ("cases file", str(identity.get("cases_file") or "-")),
            ("cases sha256", str(identity.get("cases_sha256") or "-")[:16]),
            ("ground truth", str(identity.get("ground_truth") or "-")),
            ("created", str(identity.get("created_at") or "-"))]


TRUNCATED_STAGE = "truncated"
TRUNCATED_MODE = "Truncated (finish_reason=length)"


def mark_truncated(rows: list[dict[str, Any]], outcomes: list[Any]) -> int:
    """Re-label failed generations that the server cut at its token limit: their own failure class, since the
    fix is a longer limit, not a better model. Returns how many generations were cut (failed or not)."""
    cut = 0
    for row, outcome in zip(rows, outcomes):
        if row.get("finish_reason") != "length":
            continue
        cut += 1
        if not outcome.strict:
            outcome.stage, outcome.mode = TRUNCATED_STAGE, TRUNCATED_MODE
    return cut
