"""Real generations as Bug-CoT inputs (`build bug_cot --from PATH`): every program a model wrote, with where it
came from, so the failures it shows when run become cases.

Sources: a JSONL of `{prompt, completion}` rows (completion as text, or chat: a list of messages or one message),
a `bench run` output parquet (its `completion` column), or a part directory / shard of the store (its `code`
column, e.g. long_code built with an LLM). A completion cut at the token limit keeps the program it started: the
text after an opening code fence that never closes, which is how the paper's truncated programs arise.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from civilinstruct.errors import CivilError
from civilinstruct.scoring.format import extract_program

if TYPE_CHECKING:
    from civilinstruct.scoring.execution import RunLike

_OPEN_FENCE = re.compile(r"```[ \t]*(?:python|py)?[ \t]*\n", re.I)


@dataclass(frozen=True)
class Harvested:
    """One program from a real generation, and where it came from (`origin`: JSON, for lineage)."""

    program: str
    origin: str
    row: str


def completion_text(completion: Any) -> str:
    """The assistant's text of a completion given as text, one chat message, or a list of chat messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    if isinstance(completion, list):
        said = [m for m in completion if isinstance(m, dict) and m.get("role", "assistant") == "assistant"]
        return str(said[-1].get("content") or "") if said else ""
    return ""


def program_of(text: str) -> str | None:
    """The program a completion submits; for a cut answer (a fence opened, never closed) the text after it."""
    found = extract_program(text)
    if found:
        return found
    fences = list(_OPEN_FENCE.finditer(text))
    if fences and text.count("```") % 2 == 1:  # the last fence opens a block the answer never closed
        tail = text[fences[-1].end():]
        return tail if tail.strip() else None
    return None


def _origin(source: Path, row: str, generator: str | None) -> str:
    return json.dumps({"kind": "real", "source": source.name, "row": row, "generator": generator or "unknown"},
                      sort_keys=True)


def _jsonl(path: Path) -> Iterator[Harvested]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CivilError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict) or "completion" not in row:
                raise CivilError(f"{path}:{number}: a row needs a `completion` (text or chat messages)")
            row_id = str(row.get("id") or f"line{number}")
            program = program_of(completion_text(row["completion"]))
            if program:
                yield Harvested(program, _origin(path, row_id, row.get("generator") or row.get("model")), row_id)


def _parquet(path: Path) -> Iterator[Harvested]:
    try:
        names = set(pq.ParquetFile(path).schema_arrow.names)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not parquet
        raise CivilError(f"{path}: not a readable parquet file ({exc})") from None
    if "completion" in names:  # a `bench run` output
        wanted = [c for c in ("case_id", "sample_index", "completion", "model") if c in names]
        for row in pq.read_table(path, columns=wanted).to_pylist():
            row_id = f"{row.get('case_id')}#{row.get('sample_index')}"
            program = program_of(completion_text(row["completion"]))
            if program:
                yield Harvested(program, _origin(path, row_id, row.get("model")), row_id)
    elif {"id", "code"} <= names:  # a store shard (long_code)
        lineage = ["lineage"] if "lineage" in names else []
        for row in pq.read_table(path, columns=["id", "code"] + lineage).to_pylist():
            generator = (row.get("lineage") or {}).get("generator")
            if row["code"]:
                yield Harvested(row["code"], _origin(path, row["id"], generator), row["id"])
    else:
        raise CivilError(f"{path}: neither a `bench run` output (completion) nor a store shard (id, code)")


def harvest(paths: list[str | Path]) -> Iterator[Harvested]:
    """Every program of every source, in order; a missing or unreadable source is one line before any work."""
    files: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(given.rglob("*.parquet"))
            if not found:
                raise CivilError(f"--from {given}: a folder with no parquet shards")
            files += found
        elif given.is_file() and given.suffix in (".jsonl", ".parquet"):
            files.append(given)
        else:
            raise CivilError(f"--from {given}: give a .jsonl of {{prompt, completion}}, a bench run .parquet, "
                             f"or a part folder")
    for path in files:
        yield from (_jsonl(path) if path.suffix == ".jsonl" else _parquet(path))


def parent_id(item: Harvested) -> str:
    """A stable id for a harvested program: its source, row and text."""
    digest = hashlib.sha256(f"{item.origin}\n{item.program}".encode()).hexdigest()
    return f"harvest-{digest[:20]}"


def explain(report: Any, origin: str, observed: str, why: str) -> None:
    """A note naming a harvested case that gives no sample, and why (capped: a big source is counted, not listed)."""
    if not origin or sum(n.startswith("not repaired:") for n in report.notes) >= 50:
        return
    where = json.loads(origin)
    report.notes.append(f"not repaired: {where['source']} row {where['row']} ({observed}): {why}")


def taxonomy_label(program: str, run: RunLike | None) -> tuple[str | None, str | None]:
    """The failed run's (stage, label) in the benchmark's taxonomy (bench/taxonomy.py), so both count alike."""
    from civilinstruct.scoring.taxonomy import label

    return label(program, run, run is not None and run.status == "ok", None, True, None)
