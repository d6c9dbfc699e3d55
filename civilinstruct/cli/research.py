"""`civilinstruct stats` and `civilinstruct sql`: look at a data directory before training on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from civilinstruct.cli.common import console, print_json
from civilinstruct.errors import CivilError


def _store(data: Path) -> Any:
    from civilinstruct.store import Store

    store = Store(data)
    if not store.exists():
        raise CivilError(f"{data}: not a civilinstruct data directory (no catalog)")
    return store


def stats_cmd(
    data: Path = typer.Argument(..., help="a civilinstruct data directory"),
    tokenizer: Path | None = typer.Option(None, "--tokenizer",
                                          help="a save_pretrained directory whose tokenizer counts tokens "
                                               "(default: count characters)"),
    part: list[str] = typer.Option([], "--part", help="parts to measure (default: all; repeat the flag)"),
    cases: Path | None = typer.Option(None, "--cases", help="BMEval cases parquet whose buildings count as bmeval"),
    json_out: bool = typer.Option(False, "--json", help="print the percentiles as JSON"),
) -> None:
    """Length percentiles (p50/p90/p95/p99/max) of prompt, answer and whole chat per part and split.

    The splits are the ones `train` and `export` use (DATA/release.json, else the defaults); set --max-length
    and --max-completion-length from these numbers, measured with the tokenizer of the model you train.
    """
    from civilinstruct.release.lengthstats import length_stats

    _store(data)
    if tokenizer is not None and not tokenizer.is_dir():
        raise CivilError(f"--tokenizer {tokenizer}: not a directory (a save_pretrained model or tokenizer)")
    stats = length_stats(data, tokenizer, part or None, cases)
    if json_out:
        print_json(stats)
        return
    from rich.table import Table

    table = Table(title=f"{data}: lengths in {stats['unit']} (splits from {stats['plan']['source']})")
    for col in ("part", "split", "rows", "prompt p50", "prompt p95", "answer p50", "answer p95", "answer max",
                "total p50", "total p95", "total max"):
        table.add_column(col, justify="left" if col in ("part", "split") else "right")
    for g in stats["groups"]:
        p, a, t = g["prompt"], g["answer"], g["total"]
        table.add_row(g["part"], g["split"], str(g["rows"]), str(p["p50"]), str(p["p95"]), str(a["p50"]),
                      str(a["p95"]), str(a["max"]), str(t["p50"]), str(t["p95"]), str(t["max"]))
    console.print(table)


def sql_cmd(
    data: Path = typer.Argument(..., help="a civilinstruct data directory"),
    query: str = typer.Argument(..., help='SQL over the view `samples` (and the tables shards, builds), e.g. '
                                          '"SELECT part, execution.status, count(*) FROM samples GROUP BY ALL"'),
    json_out: bool = typer.Option(False, "--json", help="print the rows as JSON"),
) -> None:
    """Run a DuckDB query against DATA's catalog (no duckdb command-line tool needed)."""
    rows = run_sql(_store(data), query)
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table()
    for name in rows[0] if rows else ["(no rows)"]:
        table.add_column(str(name))
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def run_sql(store: Store, query: str) -> list[dict[str, Any]]:
    """The catalog opened read-only (its `samples` view, `shards`, `builds`); a query error is one line.

    Where the catalog is busy (a build holds it) the query runs over the shards alone (`Store.sql`)."""
    import duckdb

    from civilinstruct.store.catalog import CATALOG_NAME

    try:
        con = duckdb.connect(str(store.data_dir / CATALOG_NAME), read_only=True)
    except duckdb.Error:
        return _query(store.sql, query)
    try:
        con.execute("SET file_search_path = ?", [str(store.data_dir.resolve())])  # the view's paths are relative
        return _query(lambda q: _fetch(con, q), query)
    finally:
        con.close()


def _fetch(con: Any, query: str) -> list[dict[str, Any]]:
    cur = con.execute(query)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _query(run: Any, query: str) -> list[dict[str, Any]]:
    import duckdb

    try:
        return run(query)
    except duckdb.Error as exc:
        raise CivilError(f"query failed: {str(exc).splitlines()[0]}") from None


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_cmd)
    app.command("sql")(sql_cmd)
