"""The root `civilinstruct` app. Each module in `COMMAND_MODULES` has a `register(app)` function."""

from __future__ import annotations

import importlib

import typer

from civilinstruct import __version__
from civilinstruct.cli.common import new_app

# One module per noun; heavy imports happen inside the commands, so `--help` stays fast.
COMMAND_MODULES = [
    "civilinstruct.cli.core",       # doctor, catalog, show
    "civilinstruct.cli.run",        # run
    "civilinstruct.cli.specs",      # specs, design
    "civilinstruct.cli.build",      # build
    "civilinstruct.cli.docs",       # docs-coverage
    "civilinstruct.cli.serve",      # serve
    "civilinstruct.cli.reward",     # reward
    "civilinstruct.cli.bench",      # bench cases|run|score, decontaminate
    "civilinstruct.cli.release",    # export, publish
    "civilinstruct.cli.train",      # train sft|grpo
    "civilinstruct.cli.research",   # stats, sql
]

app = new_app(help="Build, verify, publish and train on instruction data for OpenSeesPy structural-modeling code.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"civilinstruct {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and errors on stderr; no progress."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging on stderr."),
    no_progress: bool = typer.Option(False, "--no-progress", envvar="CIVILINSTRUCT_NO_PROGRESS",
                                     help="No progress bars or lines (also those of datasets, transformers, tqdm)."),
) -> None:
    """civilinstruct: CivilInstruct-style data for physically consistent OpenSeesPy code.

    Start with `civilinstruct doctor`, then `civilinstruct build manifests/demo.yaml --data data`. Progress is a bar
    on a terminal and plain lines (every 10% or 30 s) when stderr is redirected.
    """
    from civilinstruct.progress import configure

    configure(quiet=quiet, verbose=verbose, no_progress=no_progress)


for _name in COMMAND_MODULES:  # a module that fails to import is a bug: let it raise, never skip a command
    importlib.import_module(_name).register(app)


def main() -> None:
    app()


if __name__ == "__main__":  # python -m civilinstruct.cli.app
    main()
