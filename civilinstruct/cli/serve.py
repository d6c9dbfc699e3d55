"""`civilinstruct serve`: an OpenAI-compatible endpoint over the offline generator or a local HF model."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from civilinstruct.errors import CivilError


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        backend: str = typer.Option("offline", "--backend", help="offline (rule-based) or hf (a local model)."),
        model: Path | None = typer.Option(None, "--model", help="hf: a save_pretrained model directory."),
        host: str = typer.Option("127.0.0.1", "--host", envvar="CIVILINSTRUCT_HOST", help="Interface to bind."),
        port: int = typer.Option(8000, "--port", envvar="CIVILINSTRUCT_PORT", help="TCP port."),
        seed: int = typer.Option(0, "--seed", help="offline: seed of the first choice."),
    ) -> None:
        """Serve /v1/models and /v1/chat/completions (OpenAI-compatible: n, temperature, max_tokens, usage).

        Point any OpenAI client, or `civilinstruct build ... --backend openai --base-url`, at
        http://HOST:PORT/v1.
        """
        import uvicorn

        from civilinstruct.server import create_app

        generator = make_generator(backend, model, seed)  # type: ignore[arg-type]
        typer.echo(f"serving {generator.model_id} on http://{host}:{port}/v1", err=True)
        uvicorn.run(create_app(generator), host=host, port=port, log_level="warning")


def make_generator(backend: Literal["offline", "hf"], model: Path | None, seed: int = 0):  # noqa: ANN201
    """The generator behind `serve` (also used by tests and benchmarks)."""
    from civilinstruct.server.generators import HFGenerator, OfflineGenerator

    if backend == "offline":
        return OfflineGenerator(seed=seed)
    if backend == "hf":
        if model is None:
            raise CivilError("--backend hf needs --model PATH (a save_pretrained directory)")
        return HFGenerator(model)
    raise CivilError(f"unknown backend {backend!r}: use offline or hf")
