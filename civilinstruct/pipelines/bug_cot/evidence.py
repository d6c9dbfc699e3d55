"""What a diagnosis may look at: the failed run's observable evidence (never the program it was made from), and what
a repair rule gives back for it (`Repair`, `Rule`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from civilinstruct.sandbox import RunResult


@dataclass(frozen=True)
class Evidence:
    """The run's status, exception, error line and output, plus the period it printed (if it got that far)."""

    status: str
    exit_code: int | None = None
    exception_type: str | None = None
    exception_message: str | None = None
    error_line: int | None = None
    stdout: str = ""
    stderr: str = ""
    period_s: float | None = None
    max_drift: float | None = None
    compliance: str | None = None
    period_check: str | None = None  # the sandbox's verdict on the printed T1 (verified/mismatch/unverified/none)

    @classmethod
    def from_result(cls, result: RunResult) -> "Evidence":
        values = {name: getattr(result, name, None) for name in cls.__dataclass_fields__}
        values["stdout"] = values["stdout"] or ""
        values["stderr"] = values["stderr"] or ""
        return cls(**values)  # type: ignore[arg-type]

    @property
    def text(self) -> str:
        """Everything the run said, for pattern matching."""
        return "\n".join(filter(None, [self.exception_type, self.exception_message, self.stderr]))

    def log(self, max_lines: int = 30) -> str:
        """The error log a user would paste: the tail of stderr, or of stdout when the run itself succeeded."""
        source = self.stderr.strip() if self.status != "ok" else self.stdout.strip()
        lines = source.splitlines()
        if not lines and self.exception_type:
            lines = [f"{self.exception_type}: {self.exception_message or ''}"]
        if len(lines) > max_lines:
            lines = ["..."] + lines[-max_lines:]
        return "\n".join(lines)


@dataclass(frozen=True)
class Repair:
    """A repaired program and a one-line note of what changed; the pipeline re-runs it before trusting it."""

    program: str
    note: str
    method: str = "rule"


Rule = Callable[[str, Evidence], Repair | None]
