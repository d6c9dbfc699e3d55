"""What every backend returns and accepts, and the protocol both backends implement."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from civilinstruct.errors import CivilError


class GenerationRequest(BaseModel):
    """One templated request for `generate_many`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    template: str
    variables: dict[str, Any] = Field(default_factory=dict)
    json_schema: type[BaseModel] | None = None
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="sampling settings of this request (seed, temperature) over the "
                                               "backend's: variants of one input are distinct requests")


class GenerationResult(BaseModel):
    """A completion and where it came from; `error` holds the drop reason when the output was unusable."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str = ""
    parsed: Any = None
    usage: dict[str, int] = Field(default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0})
    generator: str
    prompt_template: str
    prompt_hash: str
    cached: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class MalformedOutputError(CivilError):
    """The model answered, but not in the form asked for (no JSON, or JSON that fails the schema).

    `reason` is a short drop reason for `BuildReport.drop`.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@runtime_checkable
class Backend(Protocol):
    """A text generator: templated (`generate`) or raw chat (`chat`), sync or async."""

    name: str

    def generate(self, template: str, variables: dict[str, Any], *,
                 json_schema: type[BaseModel] | None = None) -> GenerationResult: ...

    async def agenerate(self, template: str, variables: dict[str, Any], *,
                        json_schema: type[BaseModel] | None = None,
                        params: dict[str, Any] | None = None) -> GenerationResult: ...

    def generate_many(self, requests: list[GenerationRequest], concurrency: int | None = None,
                      progress: bool = False) -> list[GenerationResult]: ...

    def chat(self, messages: list[dict[str, str]], *, n: int = 1, temperature: float | None = None,
             top_p: float | None = None, max_tokens: int | None = None) -> list[str]: ...

    async def achat(self, messages: list[dict[str, str]], *, n: int = 1, temperature: float | None = None,
                    top_p: float | None = None, max_tokens: int | None = None) -> list[str]: ...
