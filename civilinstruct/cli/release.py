"""`civilinstruct export` and `civilinstruct publish`: a built data directory out to files, and up to the Hub."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from civilinstruct.cli.common import console, err_console, print_json
from civilinstruct.errors import CivilError


class Format(str, Enum):
    hf = "hf"
    trl = "trl"
    verl = "verl"


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        data: Path = typer.Argument(..., help="a civilinstruct data directory"),
        fmt: Format = typer.Option(Format.hf, "--format", help="hf (Hub folder), trl (SFT + GRPO) or verl"),
        out: Path = typer.Option(..., "--out", help="folder to write (replaced if it is an earlier export)"),
        manifest: Path | None = typer.Option(None, "--manifest",
                                             help="the release manifest: its splits, decontamination and card text"),
        cases: Path | None = typer.Option(None, "--cases", help="BMEval cases parquet: keep its buildings out"),
        allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                                  envvar="CIVILINSTRUCT_ALLOW_WEAK_ISOLATION",
                                                  help="rebuild the default BMEval cases even where the sandbox "
                                                       "cannot fully isolate programs"),
        as_json: bool = typer.Option(False, "--json", help="print what was written as JSON"),
    ) -> None:
        """Export DATA as a Hub dataset folder (hf), TRL SFT/GRPO parquet (trl) or verl RL parquet (verl).

        Splits are made by building, so no building is in two splits. Without --manifest the splits and the
        benchmark are those recorded in DATA/release.json by `build MANIFEST` (else the defaults and the default
        BMEval cases, `bench cases --n 128 --seed 0`); buildings of BMEval cases (those and --cases) are left out
        of every split.
        """
        from civilinstruct.release.export import export_release
        from civilinstruct.release.heldout import contamination_for, release_settings
        from civilinstruct.release.manifest import load_manifest
        from civilinstruct.store import Store

        loaded = load_manifest(manifest) if manifest else None
        if not Store(data).exists():
            raise CivilError(f"{data}: no catalog here (not a civilinstruct data directory, or nothing built yet)")
        settings = release_settings(data, loaded)
        leaks = contamination_for(data, settings, cases, allow_weak_isolation)
        report = export_release(data, fmt.value, out, manifest=loaded, contamination=leaks, splits=settings.splits)
        report.splits["plan"] = settings.to_dict()
        if as_json:
            print_json(report.to_dict())
            return
        for name, rows in sorted(report.files.items()):
            console.print(f"{rows:>7}  {out / name}")
        left = report.splits.get("contaminated_rows", 0)
        console.print(f"[green]exported[/] {sum(report.files.values())} rows as {fmt.value} to {out}"
                      + (f" ({left} rows of BMEval buildings left out)" if left else ""))
        console.print(f"splits and benchmark from {settings.source}", highlight=False)

    @app.command("publish")
    def publish(
        folder: Path = typer.Argument(..., help="an hf export folder (civilinstruct export --format hf)"),
        repo: str = typer.Option(..., "--repo", help="the dataset repository, OWNER/NAME"),
        private: bool = typer.Option(False, "--private", help="create the repository as private"),
        timeout: float = typer.Option(60.0, "--timeout", min=0.1, max=3600,
                                      help="seconds each HTTP request may wait for the Hub"),
        deadline: float = typer.Option(6 * 3600.0, "--deadline", min=1, max=7 * 24 * 3600,
                                       help="seconds the whole publish may take"),
        as_json: bool = typer.Option(False, "--json", help="print the commit as JSON"),
    ) -> None:
        """Upload an hf export folder to a Hugging Face dataset repository (token: HF_TOKEN, else `hf auth login`'s).

        HF_ENDPOINT points at another Hub (a mirror or a private Hub); the repository is created if missing.
        """
        from civilinstruct.release.hub import publish as push
        from civilinstruct.release.hub import upstream_licenses

        for note in upstream_licenses(folder):  # said before anything leaves the machine
            (err_console if as_json else console).print(f"[bold]licence of the upstream docs:[/] {note}",
                                                        highlight=False)
        url = push(folder, repo, private=private, timeout_s=timeout, deadline_s=deadline)
        if as_json:
            print_json({"repo": repo, "commit_url": url, "private": private})
        else:
            console.print(f"[green]published[/] {folder} -> {repo}: {url}")
