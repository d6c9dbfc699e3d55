"""`civilinstruct docs-coverage`: how much of the OpenSeesPy documentation the api_pairs part covers."""

from __future__ import annotations

from pathlib import Path

import typer

from civilinstruct.cli.common import console, print_json


def register(app: typer.Typer) -> None:
    @app.command("docs-coverage")
    def docs_coverage(
        docs: Path = typer.Option(..., "--docs", help="folder of rendered OpenSeesPy documentation HTML"),
        data: Path | None = typer.Option(None, "--data", envvar="CIVILINSTRUCT_DATA",
                                         help="count verified pairs already built here (else verify now)"),
        per_command: int = typer.Option(2, "--per-command", min=1, help="candidates per command when verifying now"),
        workers: int = typer.Option(2, "--workers", min=1, help="sandbox workers"),
        seed: int = typer.Option(0, "--seed"),
        allow_weak_isolation: bool = typer.Option(False, "--allow-weak-isolation",
                                                  help="run programs even where the sandbox cannot fully isolate"),
        as_json: bool = typer.Option(False, "--json", help="print the coverage as JSON"),
    ) -> None:
        """Commands documented, parsed with a signature, and with at least one verified pair; for each
        command left out, why (needs MPI, PFEM, an input file, or the error its snippet raised)."""
        from civilinstruct.apipairs.coverage import coverage, verified_in_store, verify_now
        from civilinstruct.docs import load_docs
        from civilinstruct.pipelines.base import BuildOptions

        doc_set = load_docs(docs)
        if data is not None:
            from civilinstruct.store import Store

            verified, reasons = verified_in_store(Store(data)), {}
        else:
            options = BuildOptions(docs=docs, per_command=per_command, workers=workers, seed=seed,
                                   progress=not as_json, allow_weak_isolation=allow_weak_isolation, timeout_s=20)
            verified, reasons = verify_now(doc_set, options)
        cov = coverage(doc_set, verified, reasons)
        if as_json:
            print_json(cov.summary())
            return
        from rich.table import Table

        table = Table(title="OpenSeesPy documentation coverage", show_header=False)
        table.add_row("pages", str(cov.pages))
        table.add_row("command pages", str(cov.command_pages))
        table.add_row("... with a signature", f"{cov.command_pages_with_signature} ({cov.signature_rate:.1%})")
        table.add_row("commands documented", str(cov.commands))
        table.add_row("... with a verified pair", f"{cov.commands_verified} ({cov.verified_rate:.1%})")
        table.add_row("verified pairs", str(cov.pairs_verified))
        console.print(table)
        if cov.pages_without_signature:
            console.print("[bold]command pages without a signature[/]")
            for path, why in sorted(cov.pages_without_signature.items()):
                console.print(f"  {path}: {why}", highlight=False)
        if cov.left_out:
            console.print(f"[bold]commands left out ({len(cov.left_out)})[/]")
            for key, why in sorted(cov.left_out.items()):
                console.print(f"  {key}: {why}", highlight=False, soft_wrap=True)
