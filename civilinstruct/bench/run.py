"""Generate n completions per BMEval case through an LLM backend, resumably.

Finished cases are appended (one JSON line per case, flushed and fsynced) to `<out>.partial.jsonl` while the
run goes; a rerun reads that file and the existing output and asks only for what is missing; at the end the
parquet is written atomically and the partial file removed. A killed run loses at most the cases in flight.
The run's identity (model, endpoint, sampling, cases file hash, ground truth: `civilinstruct.bench.runmeta`) heads
the partial file and goes into the parquet's metadata; a rerun with another identity is refused, not mixed in.
Each generation keeps its `finish_reason`, so an answer cut at the token limit is scored as truncated.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError

GEN_KEEP = ("case_id", "index", "instruction", "ground_truth", "ground_truth_source", "t_ref_fe", "t_ref_empirical",
            "spec")


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def _drop_cut_line(part: Path) -> None:
    """A kill mid-write leaves a last line without its newline: cut it off, so the next case appended starts a
    line of its own (otherwise it would be glued to the cut one and lost with it)."""
    with part.open("rb+") as fh:
        data = fh.read()
        if data and not data.endswith(b"\n"):
            fh.truncate(data.rfind(b"\n") + 1)


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
                value = json.loads(line)
            except json.JSONDecodeError:  # a line cut by a kill: that case is simply redone
                continue
            if isinstance(value, list):  # the header line (a dict) is the run's identity
                rows.extend(value)
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
            texts = list(await backend.achat_detailed(messages, n=n, **sampling))
            while len(texts) < n:  # servers that ignore n answer one choice per request
                texts.extend(await backend.achat_detailed(messages, n=n - len(texts), **sampling))
        rows = [{**{k: case.get(k) for k in GEN_KEEP}, "sample_index": i, "completion": t, "finish_reason": why,
                 "model": model} for i, (t, why) in enumerate(texts[:n])]
        async with lock:
            with part.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(rows, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        if bar is not None:
            bar.advance()

    await asyncio.gather(*(one(c) for c in cases))


def _stored_identity(out: Path, part: Path) -> tuple[bool, dict[str, Any] | None]:
    """(whether an earlier run left anything, its identity) from the output or the partial file's header."""
    from civilinstruct.bench.runmeta import read_run_meta

    if out.exists():
        try:
            return True, read_run_meta(out)
        except Exception as exc:  # pyarrow raises several types for a file that is not parquet
            raise CivilError(f"{out}: exists and is not a readable parquet file ({exc}); "
                             f"choose another --out or pass --overwrite") from exc
    if part.exists():
        first = part.read_text(encoding="utf-8").split("\n", 1)[0]
        try:
            head = json.loads(first)
        except json.JSONDecodeError:
            head = None
        return True, head.get("run") if isinstance(head, dict) else None
    return False, None


def run_bench(cases: list[dict[str, Any]], out: str | Path, backend: Any, n: int = 5, model: str = "",
              concurrency: int = 8, sampling: dict[str, Any] | None = None, progress: bool = False,
              identity: dict[str, Any] | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Fill `out` with n generations per case; returns counts (cases done before, generated now).

    `identity` (`runmeta.run_identity`) is compared with what `out` already holds: a different run is refused
    unless `overwrite`, which starts afresh.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from civilinstruct.bench.runmeta import refuse_resume, with_run_meta
    from civilinstruct.llm.loop import run_sync

    if n < 1:
        raise CivilError("-n must be at least 1")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = partial_path(out)
    if overwrite:
        out.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    identity = identity or {"model": model, "n": n, "sampling": dict(sorted((sampling or {}).items()))}
    earlier, stored = _stored_identity(out, part)
    if earlier:
        refuse_resume(out, stored, identity)
        identity = {**identity, "created_at": stored.get("created_at", identity.get("created_at"))}  # type: ignore[union-attr]
    if part.exists():
        _drop_cut_line(part)
    if not part.exists() or not part.stat().st_size:  # none yet, or killed while its header was written
        part.write_text(json.dumps({"run": identity}, sort_keys=True) + "\n", encoding="utf-8")
    done = _done_rows(out, n)
    todo = [c for c in cases if c["case_id"] not in done]
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
    pq.write_table(with_run_meta(pa.Table.from_pylist(rows), identity), tmp)
    tmp.replace(out)
    part.unlink(missing_ok=True)
    truncated = sum(r.get("finish_reason") == "length" for r in rows)
    return {"cases": len(cases), "resumed": len(cases) - len(todo), "generated": len(todo),
            "generations": len(rows), "truncated": truncated, "out": str(out), "run": identity}


class _Bar:
    """A rich progress bar over cases."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn

        from civilinstruct.progress import progress_bar

        self._progress = progress_bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), transient=False)
        self._task = self._progress.add_task("generating", total=total)
        self._progress.start()

    def advance(self) -> None:
        self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()
