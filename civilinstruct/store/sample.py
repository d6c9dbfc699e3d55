"""The data contract (DESIGN §2): one typed model for a sample and the one pyarrow schema of every shard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from civilinstruct import parts
from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.store.protocols import RunRecord

Part = Literal["api_pairs", "long_code", "bug_cot", "expert"]  # a type spells them out; a test keeps it = PARTS
PARTS = parts.PARTS
RunStatus = Literal["ok", "error", "timeout", "crashed", "killed", "oom", "terminated"]


class Message(BaseModel):
    role: str
    content: str


class Execution(BaseModel):
    """What the sandbox saw when the sample's program ran (None fields: not applicable or not printed)."""

    status: RunStatus | None = None
    exit_code: int | None = None
    exception_type: str | None = None
    exception_message: str | None = None
    error_line: int | None = None
    total_lines: int | None = None
    period_s: float | None = None
    periods: list[float] = Field(default_factory=list)
    max_drift: float | None = None
    compliance: Literal["pass", "fail"] | None = None
    wall_s: float | None = None

    @classmethod
    def from_result(cls, result: RunRecord) -> "Execution":
        """Copy the stored fields from a sandbox `RunResult` (or anything with the same attributes)."""
        return cls(**{name: getattr(result, name, None) for name in cls.model_fields if name != "periods"},
                   periods=list(getattr(result, "periods", None) or []))


class Lineage(BaseModel):
    """Where a sample came from: enough to rebuild it and to trace derived samples to their parents."""

    pipeline: str
    pipeline_version: str
    generator: str = OFFLINE_GENERATOR
    prompt_template: str | None = None
    prompt_hash: str | None = None
    seed: int | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    parent_ids: list[str] = Field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Sample(BaseModel):
    """One row of a shard, whatever its part."""

    model_config = ConfigDict(extra="forbid")

    id: str
    part: Part
    messages: list[Message]
    code: str | None = None
    spec: str = "{}"
    execution: Execution | None = None
    score: float | None = None
    score_parts: dict[str, float] = Field(default_factory=dict)
    ground_truth: float | None = None
    failure_type: str | None = None
    extra: str = "{}"
    lineage: Lineage

    def spec_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = json.loads(self.spec)
        return spec

    def extra_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = json.loads(self.extra)
        return extra

    def to_row(self) -> dict[str, Any]:
        row = self.model_dump()
        row["score_parts"] = list(self.score_parts.items())
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Sample":
        row = dict(row)
        parts = row.get("score_parts") or []
        row["score_parts"] = dict(parts) if not isinstance(parts, dict) else parts
        return cls.model_validate(row)


_MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
_EXECUTION = pa.struct([
    ("status", pa.string()), ("exit_code", pa.int64()), ("exception_type", pa.string()),
    ("exception_message", pa.string()), ("error_line", pa.int64()), ("total_lines", pa.int64()),
    ("period_s", pa.float64()), ("periods", pa.list_(pa.float64())), ("max_drift", pa.float64()),
    ("compliance", pa.string()), ("wall_s", pa.float64()),
])
_LINEAGE = pa.struct([
    ("pipeline", pa.string()), ("pipeline_version", pa.string()), ("generator", pa.string()),
    ("prompt_template", pa.string()), ("prompt_hash", pa.string()), ("seed", pa.int64()),
    ("created_at", pa.timestamp("us", tz="UTC")), ("parent_ids", pa.list_(pa.string())),
    ("prompt_tokens", pa.int64()), ("completion_tokens", pa.int64()),
])

SCHEMA = pa.schema([
    ("id", pa.string()),
    ("part", pa.string()),
    ("messages", pa.list_(_MESSAGE)),
    ("code", pa.string()),
    ("spec", pa.string()),
    ("execution", _EXECUTION),
    ("score", pa.float64()),
    ("score_parts", pa.map_(pa.string(), pa.float64())),
    ("ground_truth", pa.float64()),
    ("failure_type", pa.string()),
    ("extra", pa.string()),
    ("lineage", _LINEAGE),
])
