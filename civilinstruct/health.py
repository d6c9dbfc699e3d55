"""The doctor's line type, a leaf: the sandbox (and any other layer) reports its checks without importing `doctor`,
which sits at the top beside the CLI and gathers them all."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Status = Literal["ok", "degraded", "missing"]


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)
