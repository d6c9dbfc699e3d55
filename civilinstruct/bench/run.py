"""Generate n completions per BMEval case through an LLM backend, resumably.

Finished cases are appended (one JSON line per case, flushed and fsynced) to `<out>.partial.jsonl` while the
run goes; a rerun reads that file and the existing output and asks only for what is missing; at the end the
parquet is written atomically and the partial file removed. A killed run loses at most the cases in flight.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError

GEN_KEEP = ("case_id", "index", "instruction", "ground_truth", "ground_truth_source", "t_ref_fe", "t_ref_empirical")


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def _done_rows(out: Path, n: int) -> dict[str, list[dict[str, Any]]]:
    """Completed cases (with n generations) from an earlier output and partial file, by case id."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    if out.exists():
        rows.extend(pq.read_table(out).to_pylist())
    part = partial_path(out)
    if part.exists():
        for line in part.read_text(encoding="utf-8").splitlines():
            try:
                rows.extend(json.loads(line))
            except json.JSONDecodeError:  # a line cut by a kill: that case is simply redone
                continue
    by_case: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row)
    return {c: sorted(v, key=lambda r: r["sample_index"])[:n] for c, v in by_case.items() if len(v) >= n}


async def _generate(backend: Any, cases: list[dict[str, Any]], n: int, model: str, concurrency: int,
                    sampling: dict[str, Any], part: Path, bar: Any) -> None:
    limit = asyncio.Semaphore(max(1, concurrency))
    lock = asyncio.Lock()

    async def one(case: dict[str, Any]) -> None:
        messages = case.get("prompt") or [{"role": "user", "content": case["instruction"]}]
        messages = [{"role": m["role"], "content": m["content"]} for m in messages]
        async with limit:
            texts = list(await backend.achat(messages, n=n, **sampling))
            while len(texts) < n:  # servers that ignore n answer one choice per request
                texts.extend(await backend.achat(messages, n=n - len(texts), **sampling))
        rows = [{**{k: case.get(k) for k in GEN_KEEP}, "sample_index": i, "completion": t, "model": model}
                for i, t in enumerate(texts[:n])]
        async with lock:
            with part.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(rows, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        if bar is not None:
            bar.advance()

    await asyncio.gather(*(one(c) for c in cases))


def run_bench(cases: list[dict[str, Any]], out: str | Path, backend: Any, n: int = 5, model: str = "",
              concurrency: int = 8, sampling: dict[str, Any] | None = None, progress: bool = False) -> dict[str, Any]:
    """Fill `out` with n generations per case; returns counts (cases done before, generated now)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from civilinstruct.llm.loop import run_sync

    if n < 1:
        raise CivilError("-n must be at least 1")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = _done_rows(out, n)
    todo = [c for c in cases if c["case_id"] not in done]
    part = partial_path(out)
    if todo:
        bar = _Bar(len(todo)) if progress else None
        try:
            run_sync(_generate(backend, todo, n, model, concurrency, sampling or {}, part, bar))
        finally:
            if bar is not None:
                bar.close()
        done = _done_rows(out, n)
    order = {c["case_id"]: i for i, c in enumerate(cases)}
    rows = [r for cid in sorted(set(done) & set(order), key=order.__getitem__) for r in done[cid]]
    tmp = out.with_name(out.name + ".tmp")
    pq.write_table(pa.Table.from_pylist(rows), tmp)
    tmp.replace(out)
    part.unlink(missing_ok=True)
    return {"cases": len(cases), "resumed": len(cases) - len(todo), "generated": len(todo),
            "generations": len(rows), "out": str(out)}


class _Bar:
    """A rich progress bar over cases."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._progress = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), transient=False)
        self._task = self._progress.add_task("generating", total=total)
        self._progress.start()

    def advance(self) -> None:
        self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()
