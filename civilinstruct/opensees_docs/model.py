"""The command model read from documentation pages: signatures, their parameters, argument docs.

Kept free of HTML so the generator, the verifier and the coverage report share one vocabulary.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ParamKind = Literal["literal", "flag", "value", "varargs"]


class Param(BaseModel):
    """One slot of a signature: a quoted literal ('-mass'), a value (Fy), or a list spread (*crds)."""

    name: str
    kind: ParamKind
    optional: bool = False
    default: str | None = None

    @property
    def is_flag(self) -> bool:
        return self.kind == "flag"


class Signature(BaseModel):
    """A documented call, e.g. `uniaxialMaterial('Steel01', matTag, Fy, E0, b, ...)`.

    `type_name` is the leading quoted literal that selects the object type ('Steel01'), when there is one;
    `params` are the slots after it.
    """

    function: str
    type_name: str | None = None
    params: list[Param] = Field(default_factory=list)
    raw: str = ""
    style: Literal["python", "tcl"] = "python"

    @property
    def command(self) -> str:
        """The command key: `node` or `uniaxialMaterial('Steel01')`."""
        return f"{self.function}('{self.type_name}')" if self.type_name else self.function

    @property
    def flags(self) -> set[str]:
        return {p.name for p in self.params if p.kind == "flag"}

    @property
    def min_args(self) -> int:
        """Positional arguments a call needs at least (the type literal included)."""
        lead = 1 if self.type_name else 0
        return lead + sum(1 for p in self._head() if not p.optional and p.kind == "value")

    @property
    def max_args(self) -> int | None:
        """Most arguments a call can take, or None when a list spread makes it open-ended."""
        if any(p.kind == "varargs" for p in self.params):
            return None
        return (1 if self.type_name else 0) + len(self.params)

    def _head(self) -> list[Param]:
        """Parameters before the first flag: the ones a call must give in order."""
        head: list[Param] = []
        for p in self.params:
            if p.kind == "flag":
                break
            head.append(p)
        return head


class ArgDoc(BaseModel):
    """A row of the argument table: name, type text, description."""

    name: str
    type: str = ""
    description: str = ""
    unit: str = ""  # the embedded set says it; HTML pages leave it empty
    range: str = ""

    @property
    def optional(self) -> bool:
        return "optional" in self.description.lower()


class DocPage(BaseModel):
    """What one HTML page documents; `skipped` says why a page gave no signature."""

    path: str
    title: str = ""
    signatures: list[Signature] = Field(default_factory=list)
    args: list[ArgDoc] = Field(default_factory=list)
    summary: str = ""
    notes: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    skipped: str | None = None
    family: str = ""  # the embedded set's command family (model building, elements, ...)

    def arg(self, name: str) -> ArgDoc | None:
        key = name.lstrip("*")
        return next((a for a in self.args if a.name == key), None)

    @property
    def is_command_page(self) -> bool:
        """A page that documents a command (as opposed to an example, tutorial or install page)."""
        return bool(self.signatures) or self.skipped in {"no signature found", "only tcl signatures"}


class Command(BaseModel):
    """A documented command (`node`, `uniaxialMaterial('Steel01')`): the unit of coverage.

    One command may have several documented forms (2D and 3D elasticBeamColumn), all kept in `signatures`.
    """

    key: str
    page: str
    signatures: list[Signature]
    doc: DocPage

    @property
    def function(self) -> str:
        return self.signatures[0].function

    @property
    def type_name(self) -> str | None:
        return self.signatures[0].type_name
