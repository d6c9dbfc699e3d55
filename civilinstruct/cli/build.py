"""`civilinstruct build TARGET`: one part by name, or a whole release from a manifest."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import typer

from civilinstruct import limits
from civilinstruct.cli.common import LLM_BUDGET_OPTION, REQUEST_TIMEOUT_OPTION, console, err_console, print_json
from civilinstruct.errors import CivilError


class Backend(str, Enum):
    offline = "offline"
    openai = "openai"


class Executor(str, Enum):
    local = "local"
    ray = "ray"


def _reports_table(reports: list[Any], exports: list[Any]) -> None:
    """One row per part, then the drop reasons and notes under it (they are too long for table cells)."""
    from rich.table import Table

    table = Table(title="build")
    for col in ("part", "version", "written", "skipped", "failed", "dropped"):
        table.add_column(col, justify="left" if col in ("part", "version") else "right")
    for r in reports:
        table.add_row(r.part, r.version, str(r.written), str(r.skipped_existing), str(r.failed),
                      str(sum(r.dropped.values())))
    console.print(table)
    for r in reports:
        top = sorted(r.dropped.items(), key=lambda kv: -kv[1])
        if top:
            shown = ", ".join(f"{reason} ({count})" for reason, count in top[:5])
            more = f", and {len(top) - 5} more reasons" if len(top) > 5 else ""
            console.print(f"[bold]{r.part}[/] dropped: {shown}{more}", highlight=False)
        for note in r.notes:
            console.print(f"[bold]{r.part}[/] note: {note}", highlight=False)
    for e in exports:
        left = e.splits.get("contaminated_rows", 0)
        console.print(f"export [bold]{e.format}[/] -> {e.out}: {len(e.files)} files, {sum(e.files.values())} rows"
                      + (f", {left} rows of BMEval buildings left out" if left else ""), highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("build")
    def build(
        target: str = typer.Argument(..., help="a part (api_pairs, long_code, bug_cot, expert) or a manifest YAML"),
        data: Path = typer.Option(Path("data"), "--data", envvar="CIVILINSTRUCT_DATA", help="data directory"),
        n: int | None = typer.Option(None, "--n", callback=limits.cli(limits.count),
                                     help=f"samples to produce (a part; overrides a manifest; at most "
                                          f"{limits.MAX_N:,})"),
        seed: int | None = typer.Option(None, "--seed", callback=limits.cli(limits.seed),
                                        help=f"seed, 0 to {limits.MAX_SEED:,} (default 0, or the manifest's)"),
        docs: str | None = typer.Option(None, "--docs",
                                        help="OpenSeesPy docs (api_pairs): a folder of rendered HTML or .rst source, "
                                             "`embedded`, or `openseespydoc@COMMIT`. Order: --docs > the manifest's "
                                             "docs: > CIVILINSTRUCT_DOCS > `docs fetch` cache > the embedded set"),
        per_command: int | None = typer.Option(None, "--per-command", callback=limits.cli(limits.per_command),
                                                help="pairs per command (api_pairs)"),
        workers: int | None = typer.Option(None, "--workers", callback=limits.cli(limits.workers),
                                           help=f"sandbox workers, 1 to {limits.MAX_WORKERS} (default 2)"),
        timeout: float | None = typer.Option(None, "--timeout", callback=limits.cli(limits.timeout),
                                             help=f"seconds per program, at most {limits.MAX_TIMEOUT_S:g} "
                                                  "(default 60)"),
        backend: Backend | None = typer.Option(None, "--backend", help="text generator (default offline)"),
        base_url: str | None = typer.Option(None, "--base-url", envvar="CIVILINSTRUCT_BASE_URL",
                                            help="OpenAI-compatible endpoint (backend openai)"),
        model: str | None = typer.Option(None, "--model", envvar="CIVILINSTRUCT_MODEL",
                                         help="model at the endpoint (backend openai)"),
        request_timeout: float | None = REQUEST_TIMEOUT_OPTION,
        llm_budget: float | None = LLM_BUDGET_OPTION,
        executor: Executor | None = typer.Option(None, "--executor", help="where programs run: local or ray"),
        ray_address: str | None = typer.Option(None, "--ray-address", envvar="RAY_ADDRESS",
                                               help="an existing Ray cluster (default: start a local one)"),
        no_export: bool = typer.Option(False, "--no-export", help="a manifest: build the parts, skip its export"),
        repair: bool = typer.Option(False, "--repair", help="drop damaged shards (see `catalog --verify`) and rebuild "
                                    "their samples; set a corrupt catalog WAL aside"),
        allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                                  help="run programs even where the sandbox cannot fully isolate"),
        sources: list[Path] | None = typer.Option(None, "--from",
                                                  help="bug_cot: real generations to harvest failures from "
                                                       "(repeatable): a JSONL of {prompt, completion}, a `bench run` "
                                                       "parquet, or a part folder; every program is run here"),
        as_json: bool = typer.Option(False, "--json", help="print the build reports as JSON"),
    ) -> None:
        """Build one part (by name) or a whole release (a manifest YAML) into DATA; rerun to resume.

        A manifest builds its parts in dependency order (api_pairs, long_code, then bug_cot and expert, which
        read long_code), then writes the export it names. Options given here override the manifest's.
        """
        from civilinstruct.pipelines.registry import NAMES
        from civilinstruct.release.manifest import looks_like_manifest

        if docs is not None:  # missing, empty or holding no docs: one line before any other work
            from civilinstruct.opensees_docs.source import resolve_docs

            resolve_docs(docs)
        if (executor == Executor.ray) or (executor is None and ray_address):
            from civilinstruct.errors import require_extra

            require_extra("ray", "ray")
        overrides: dict[str, Any] = {
            "n": n, "seed": seed, "docs": docs, "per_command": per_command, "workers": workers,
            "timeout_s": timeout, "backend": backend.value if backend else None, "base_url": base_url,
            "model": model, "executor": executor.value if executor else None, "ray_address": ray_address,
            "request_timeout_s": request_timeout, "llm_budget_s": llm_budget,
            "allow_weak_isolation": allow_weak_isolation or None, "progress": not as_json,
        }
        if sources:
            if target != "bug_cot":
                raise CivilError("--from: only the bug_cot part harvests real generations")
            overrides["extra"] = {"from": [str(p) for p in sources]}
        from civilinstruct.signals import termination_as_interrupt

        with termination_as_interrupt():  # SIGTERM / SIGHUP: flush what is done, mark interrupted, exit 130
            if target in NAMES:
                reports, exports = [_build_part(target, data, overrides, repair)], []
            elif looks_like_manifest(target):
                reports, exports = _build_manifest(Path(target), data, overrides, no_export, as_json, repair)
            else:
                raise CivilError(f"unknown build target {target!r}: give a part ({', '.join(NAMES)}) "
                                 f"or a manifest .yaml file")
        if as_json:
            print_json({"data": str(data), "parts": [r.model_dump(mode="json") for r in reports],
                        "exports": [e.to_dict() for e in exports]})
        else:
            _reports_table(reports, exports)


def _build_part(part: str, data: Path, overrides: dict[str, Any], repair: bool) -> Any:
    from civilinstruct.release.runner import checked_options, run_pipeline
    from civilinstruct.store import Store

    return run_pipeline(Store(data, repair=repair), part, checked_options(overrides))


def _build_manifest(path: Path, data: Path, overrides: dict[str, Any], no_export: bool,
                    quiet: bool, repair: bool) -> tuple[list[Any], list[Any]]:
    from civilinstruct.release.manifest import load_manifest
    from civilinstruct.release.runner import build_release

    manifest = load_manifest(path)

    def announce(i: int, total: int, part: str, options: Any) -> None:
        if not quiet:
            n = "default" if options.n is None else options.n
            err_console.rule(f"[bold][{i}/{total}] {part}[/]  n={n} seed={options.seed} "
                             f"backend={options.backend} executor={options.executor}")

    return build_release(manifest, data, overrides=overrides, on_part=announce, export=not no_export, repair=repair)
