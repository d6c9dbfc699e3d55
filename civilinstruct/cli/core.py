"""`doctor`, `catalog` and `show`: what this machine can do, and what a data directory holds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from civilinstruct.cli.common import console, print_json
from civilinstruct.errors import CivilError

if TYPE_CHECKING:
    from civilinstruct.store import Store

STATUS_STYLE = {"ok": "green", "degraded": "yellow", "missing": "red"}
GROUPABLE = re.compile(r"^[a-z_]+(\.[a-z_]+)?$")
# names --by accepts beyond columns: fields that pipelines keep in `extra` (JSON)
BY_FIELDS = {"origin": "coalesce(json_extract_string(extra, '$.origin.kind'), 'unknown')",
             "stage": "json_extract_string(extra, '$.stage')"}


def by_expression(by: str) -> str:
    """SQL for --by: one column or field, or several joined with ' | ' (`origin,failure_type`)."""
    names = [name.strip() for name in by.split(",")]
    if not all(GROUPABLE.match(name) for name in names):
        raise CivilError(f"--by {by!r}: give column names such as failure_type or execution.status (comma-separated)")
    if len(names) == 1:
        return BY_FIELDS.get(names[0], names[0])
    return " || ' | ' || ".join(f"coalesce(CAST({BY_FIELDS.get(n, n)} AS VARCHAR), 'null')" for n in names)


def doctor(
    data: Path = typer.Option(Path("."), "--data", help="Where data will be written (its free disk space is checked)."),
    json_out: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Check this machine: openseespy, BLAS, sandbox isolation (bubblewrap, namespaces, limits), disk, extras.

    Each line is ok, degraded or missing, with what to do. Exits 1 when something required is missing.
    """
    from civilinstruct.cli.doctor import run_checks

    checks = run_checks(data)
    if json_out:
        print_json([c.to_dict() for c in checks])
    else:
        table = Table(title="civilinstruct doctor", show_lines=False)
        for col in ("check", "status", "detail", "what to do"):
            table.add_column(col)
        for c in checks:
            table.add_row(c.name, f"[{STATUS_STYLE[c.status]}]{c.status}[/]", escape(c.detail), escape(c.fix))
        console.print(table)
    required = {"openseespy", "blas/lapack"}
    if any(c.status == "missing" and c.name in required for c in checks):
        raise typer.Exit(1)


def catalog(
    data: Path = typer.Argument(..., help="A data directory written by `civilinstruct build`."),
    part: str = typer.Option(None, "--part", help="Only this part (api_pairs, long_code, bug_cot, expert)."),
    by: str = typer.Option(None, "--by", help="Count samples by a column, e.g. failure_type or execution.status, "
                                              "or several: origin,failure_type (origin: real or synthetic)."),
    verify: bool = typer.Option(False, "--verify", help="Read every shard and check it against the catalog; exits 1 "
                                "listing the bad ones (`build --repair` drops and rebuilds them)."),
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """What a data directory holds: parts, versions, shards, sample counts, and the builds that wrote them."""
    from civilinstruct.store import Store

    store = Store(data)
    if verify:
        _verify(store, json_out)
        return
    summary = store.summary()
    _add_docs(store, summary["builds"])
    if part is not None:
        store._check_part(part)
        summary["parts"] = [p for p in summary["parts"] if p["part"] == part]
        summary["builds"] = [b for b in summary["builds"] if b["part"] == part]
    if by is not None:
        expression = by_expression(by)
        where = f"WHERE part = '{part}'" if part else ""
        try:
            rows = store.sql(f"SELECT part, {expression} AS value, count(*) AS samples FROM samples {where} "
                             f"GROUP BY ALL ORDER BY part, samples DESC")
        except Exception as exc:  # duckdb binder error: unknown column
            raise CivilError(f"--by {by!r}: {str(exc).splitlines()[0]}") from None
        summary["by"] = {"column": by, "rows": rows}
    if json_out:
        print_json(summary)
        return
    _print_summary(summary)


def _add_docs(store: Store, builds: list[dict]) -> None:
    """Each build's documentation source (api_pairs records it in its parameters), for `catalog`."""
    params = {r["build_id"]: r["params"] for r in store.query("SELECT build_id, params FROM builds")}
    for b in builds:
        try:
            b["docs"] = json.loads(params.get(b["build_id"]) or "{}").get("docs")
        except (ValueError, AttributeError):
            b["docs"] = None


def _verify(store: Store, json_out: bool) -> None:
    """`catalog --verify`: every registered shard read; bad ones listed, then one error line with the repair."""
    from civilinstruct.store.recovery import repair_hint

    problems = store.verify()
    if json_out:
        print_json({"data": str(store.data_dir), "problems": problems})
    elif not problems:
        console.print(f"[green]ok[/]: every registered shard of {escape(str(store.data_dir))} is whole")
    if problems:
        if not json_out:
            for p in problems:
                console.print(f"[red]bad[/] {escape(p['path'])}: {escape(p['problem'])}", highlight=False)
        parts = sorted({p["part"] for p in problems})
        hint = repair_hint(store.data_dir, parts[0]).replace("drop it", "drop them")
        raise CivilError(f"{len(problems)} bad shard(s) in {', '.join(parts)}; {hint.split('; ')[0]}")


def _print_summary(summary: dict) -> None:
    table = Table(title=f"catalog of {summary['data']}")
    for col in ("part", "version", "shards", "samples", "MB", "last write"):
        table.add_column(col, justify="right" if col in {"shards", "samples", "MB"} else "left")
    for p in summary["parts"]:
        table.add_row(p["part"], p["version"], str(p["shards"]), str(p["samples"]), f"{p['bytes'] / 1e6:.2f}",
                      str(p["last_write"])[:19])
    console.print(table)
    builds = Table(title="builds")
    for col in ("build", "part", "version", "status", "written", "skipped", "started", "docs"):
        builds.add_column(col)
    for b in summary["builds"][-20:]:
        style = {"done": "green", "running": "cyan", "failed": "red", "interrupted": "yellow"}.get(b["status"], "")
        builds.add_row(b["build_id"][:8], b["part"], b["version"], f"[{style}]{b['status']}[/]", str(b["written"]),
                       str(b["skipped"]), str(b["started_at"])[:19], escape(b.get("docs") or ""))
    console.print(builds)
    if "by" in summary:
        by = Table(title=f"samples by {summary['by']['column']}")
        for col in ("part", "value", "samples"):
            by.add_column(col)
        for r in summary["by"]["rows"]:
            by.add_row(r["part"], escape(str(r["value"])), str(r["samples"]))
        console.print(by)


def show(
    data: Path = typer.Argument(..., help="A data directory."),
    sample_id: str | None = typer.Argument(None, metavar="[ID]",
                                           help="A sample id (or a unique prefix of 8+ characters); "
                                                "leave out with --random."),
    random_pick: bool = typer.Option(False, "--random", help="Show a random sample (of --part, if given)."),
    part: str | None = typer.Option(None, "--part", help="With --random: the part to pick from."),
    seed: int | None = typer.Option(None, "--seed", help="With --random: pick reproducibly."),
    json_out: bool = typer.Option(False, "--json", help="Print the sample as JSON."),
) -> None:
    """One sample, readable: its chat, its program, how it ran, its score and lineage.

    `civilinstruct show DATA --random [--part long_code]` finds one without knowing an id;
    `civilinstruct sql DATA "SELECT id FROM samples WHERE ..."` finds ids by anything else.
    """
    from civilinstruct.store import Store

    store = Store(data)
    if not store.exists():
        raise CivilError(f"{data}: not a civilinstruct data directory (no catalog)")
    if random_pick == (sample_id is not None):
        raise CivilError("give a sample ID or --random (not both)")
    if sample_id is None:
        sample_id = _random_id(store, part, seed)
    sample = store.get(sample_id)
    if sample is None:
        raise CivilError(f"{data}: no sample with id {sample_id!r}")
    if json_out:
        print_json(sample.model_dump(mode="json"))
        return
    console.rule(f"[bold]{sample.part}[/] {sample.id}")
    for m in sample.messages:
        console.print(Panel(escape(m.content[:4000] + (" ..." if len(m.content) > 4000 else "")),
                            title=m.role, title_align="left"))
    if sample.code:
        console.print(Syntax(sample.code, "python", line_numbers=True, word_wrap=False))
    if sample.execution:
        console.print("execution:", sample.execution.model_dump(exclude_none=True))
    if sample.score is not None:
        console.print(f"score: {sample.score:.1f}", sample.score_parts)
    for label, value in (("ground truth T1 (s)", sample.ground_truth), ("failure type", sample.failure_type)):
        if value is not None:
            console.print(f"{label}: {value}")
    console.print("spec:", json.loads(sample.spec))
    console.print("lineage:", sample.lineage.model_dump(mode="json"))


def _random_id(store: Store, part: str | None, seed: int | None) -> str:
    """A uniformly chosen id of the newest version of `part` (or of all parts)."""
    import random

    from civilinstruct.store import PARTS

    if part is not None and part not in PARTS:
        raise CivilError(f"unknown part {part!r} (expected one of: {', '.join(PARTS)})")
    ids = [i for p in ([part] if part else PARTS) for i in store.read(p, columns=["id"]).column("id").to_pylist()]
    if not ids:
        raise CivilError(f"{store.data_dir}: no samples{' in ' + part if part else ''} to pick from")
    return random.Random(seed).choice(sorted(ids))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    app.command("catalog")(catalog)
    app.command("show")(show)
