"""The subset of the OpenAI chat-completions wire format the server speaks, checked strictly.

Everything a client can get wrong here is a pydantic error, which the app answers as a 400 in OpenAI's
error format (never a 500): content parts need a `type`, a text part needs `text`, a user or system message
needs content, and a request needs at least one user message.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None

    @field_validator("content")
    @classmethod
    def _parts_typed(cls, content: Any) -> Any:
        if isinstance(content, list):
            for i, part in enumerate(content):
                kind = part.get("type")
                if not isinstance(kind, str):
                    raise ValueError(f"content part {i} has no type")
                if kind == "text" and not isinstance(part.get("text"), str):
                    raise ValueError(f"content part {i} of type text has no text")
        return content

    @model_validator(mode="after")
    def _has_content(self) -> "ChatMessage":
        if self.role in ("system", "developer", "user") and self.content is None:
            raise ValueError(f"a {self.role} message needs content")
        return self

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # unknown OpenAI parameters are accepted and ignored

    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    n: int = Field(1, ge=1, le=128)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=-(2**63), lt=2**64)
    stream: bool = False

    @model_validator(mode="after")
    def _asks_something(self) -> "ChatRequest":
        if not any(m.role == "user" and m.text().strip() for m in self.messages):
            raise ValueError("the request has no user message with text to answer")
        return self

    def token_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


class Completion(BaseModel):
    """What a generator returns: one text per choice, why each stopped, and token counts."""

    texts: list[str]
    finish_reasons: list[Literal["stop", "length"]]
    prompt_tokens: int
    completion_tokens: int
