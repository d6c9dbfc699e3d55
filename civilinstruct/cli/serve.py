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
        port: int = typer.Option(8000, "--port", envvar="CIVILINSTRUCT_PORT", min=1, max=65535,
                                 help="TCP port (1-65535)."),
        seed: int = typer.Option(0, "--seed", min=0, max=2**63 - 1, help="offline: seed of the first choice."),
        max_body_mb: float = typer.Option(8.0, "--max-body-mb", min=0.001, max=1024,
                                          help="Largest request body accepted, in MiB (larger: HTTP 413)."),
        max_messages: int = typer.Option(256, "--max-messages", min=1, max=100_000,
                                         help="Most chat messages in one request (more: HTTP 400)."),
        client_timeout: float = typer.Option(30.0, "--client-timeout", min=0.1, max=3600,
                                             help="Seconds a client may take to send a request body (then 408); "
                                                  "its request head gets a third of it."),
    ) -> None:
        """Serve /v1/models and /v1/chat/completions (OpenAI-compatible: n, temperature, max_tokens, usage).

        Point any OpenAI client, or `civilinstruct build ... --backend openai --base-url`, at
        http://HOST:PORT/v1.
        """
        import uvicorn

        from civilinstruct.server import create_app
        from civilinstruct.server.limits import ServerLimits
        from civilinstruct.server.runner import check_bindable, server_config

        limits = ServerLimits(max_body_bytes=max(1024, int(max_body_mb * 1024 * 1024)), max_messages=max_messages,
                              body_timeout_s=client_timeout, header_timeout_s=max(0.1, client_timeout / 3))
        generator = make_generator(backend, model, seed)  # type: ignore[arg-type]
        check_bindable(host, port)
        typer.echo(f"serving {generator.model_id} on http://{host}:{port}/v1", err=True)
        uvicorn.Server(server_config(create_app(generator, limits=limits), host, port)).run()


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
