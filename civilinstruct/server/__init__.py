"""An OpenAI-compatible chat-completions server (FastAPI) over the offline generator or a local HF model."""

from civilinstruct.server.app import ChatGenerator, create_app

__all__ = ["ChatGenerator", "create_app"]
