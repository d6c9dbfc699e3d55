"""`civilinstruct docs fetch|where` and `docs-coverage`: get the OpenSeesPy documentation, see which one commands
read, and how much of it the api_pairs part covers."""

from __future__ import annotations

from pathlib import Path

import typer

from civilinstruct.cli.common import console, print_json


docs_app = typer.Typer(help="The OpenSeesPy documentation: fetch the upstream source, see which docs are used.",
                       no_args_is_help=True)


@docs_app.command("fetch")
def fetch(
    commit: str = typer.Option(None, "--commit", help="OpenSeesPyDoc commit (default: the pinned one)"),
    url: str | None = typer.Option(None, "--url", help="tarball URL (default: codeload.github.com for --commit)"),
    sha256: str | None = typer.Option(None, "--sha256", help="expected sha256 of the tarball; a mismatch fails"),
    as_json: bool = typer.Option(False, "--json", help="print what was fetched as JSON"),
) -> None:
    """Download the OpenSeesPy documentation source (a tarball of one commit of zhuminjie/OpenSeesPyDoc) into the
    user cache (CIVILINSTRUCT_CACHE overrides it), check it, and move it into place atomically. Builds then use it
    when no --docs, manifest docs: or CIVILINSTRUCT_DOCS says otherwise."""
    from civilinstruct.opensees_docs.fetch import fetch_docs
    from civilinstruct.opensees_docs.source import PINNED_COMMIT

    meta = fetch_docs(commit=commit or PINNED_COMMIT, url=url, sha256=sha256, progress=not as_json)
    if as_json:
        print_json(meta)
        return
    console.print(f"[green]fetched[/] {meta['name']}@{meta['commit'][:7]} -> {meta['path']}: {meta['pages']} pages, "
                  f"{meta['commands']} commands, sha256 {meta['sha256']}"
                  + (" (verified)" if meta["sha256_verified"] else ""), highlight=False)
    console.print(f"licence: {meta['license']}", highlight=False)


@docs_app.command("where")
def where(
    docs: str | None = typer.Option(None, "--docs", help="a folder, `embedded` or `openseespydoc@COMMIT`"),
    as_json: bool = typer.Option(False, "--json", help="print the resolved source as JSON"),
) -> None:
    """Which documentation a build would read: --docs > CIVILINSTRUCT_DOCS > the fetched cache > the embedded set."""
    from civilinstruct.opensees_docs.source import load_source, resolve_docs

    source = resolve_docs(docs)
    commands = len(load_source(source).commands())
    if as_json:
        print_json({**source.model_dump(), "label": source.label, "commands": commands})
        return
    console.print(f"{source.label} (from {source.origin}, {source.kind}): {commands} commands", highlight=False)
    if source.license:
        console.print(f"licence: {source.license}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(docs_app, name="docs")

    @app.command("docs-coverage")
    def docs_coverage(
        docs: str | None = typer.Option(None, "--docs", help="a docs folder, `embedded` or `openseespydoc@COMMIT` "
                                                             "(default: the resolution order, see `docs where`)"),
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
        from civilinstruct.pipelines.api_pairs.coverage import coverage, verified_in_store, verify_now
        from civilinstruct.opensees_docs.source import load_source, resolve_docs
        from civilinstruct.pipelines.base import BuildOptions

        doc_set = load_source(resolve_docs(docs))
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

        table = Table(title=f"OpenSeesPy documentation coverage ({doc_set.root})", show_header=False)
        table.add_row("pages", str(cov.pages))
        table.add_row("command pages", str(cov.command_pages))
        table.add_row("... with a signature", f"{cov.command_pages_with_signature} ({cov.signature_rate:.1%})")
        table.add_row("commands documented", str(cov.commands))
        table.add_row("... with a verified pair", f"{cov.commands_verified} ({cov.verified_rate:.1%})")
        table.add_row("verified pairs", str(cov.pairs_verified))
        console.print(table)
        families = Table(title="per family", show_header=True)
        for col in ("family", "commands", "with a verified pair"):
            families.add_column(col)
        for name, row in cov.families.items():
            families.add_row(name, str(row["commands"]), f"{row['verified']} ({row['verified'] / max(1, row['commands']):.0%})")
        console.print(families)
        if cov.pages_without_signature:
            console.print("[bold]command pages without a signature[/]")
            for path, why in sorted(cov.pages_without_signature.items()):
                console.print(f"  {path}: {why}", highlight=False)
        if cov.left_out:
            console.print(f"[bold]commands left out ({len(cov.left_out)})[/]")
            for key, why in sorted(cov.left_out.items()):
                console.print(f"  {key}: {why}", highlight=False, soft_wrap=True)
