"""The last step of every part: a `Draft` (what a part says about one sample) becomes a `Sample` with its
`Lineage`, built here and nowhere else, and goes to the store's writer.

A part fills in the row's content and where it came from (`Origin`); the part's name, version and the build's seed
come from the context, so the four parts cannot disagree on what a lineage records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from civilinstruct.parts import OFFLINE_GENERATOR
from civilinstruct.pipelines.context import Context
from civilinstruct.pipelines.steps import Records, Step, _stream


@dataclass(frozen=True)
class Origin:
    """Where a sample came from: the generator and prompt that wrote it, its parents, the tokens it cost.
    `seed` is the build's seed unless a part passes one on (expert keeps its parent's)."""

    generator: str = OFFLINE_GENERATOR
    prompt_template: str | None = None
    prompt_hash: str | None = None
    parent_ids: tuple[str, ...] = ()
    usage: Mapping[str, int] = field(default_factory=dict)
    seed: int | None | Literal["build"] = "build"


@dataclass
class Draft:
    """One sample before it is written: its id, the row's fields (`Sample`'s, without part and lineage) and its
    origin."""

    id: str
    fields: dict[str, Any]
    origin: Origin = field(default_factory=Origin)
    written: bool = False  # set by WriteShard: False when the id was already committed or buffered


def to_sample(draft: Draft, ctx: Context) -> Any:
    """The stored row of `draft` in the context's part (the one place a `Lineage` is made)."""
    from civilinstruct.store import Lineage, Sample

    o = draft.origin
    lineage = Lineage(pipeline=ctx.part, pipeline_version=ctx.version, generator=o.generator,
                      prompt_template=o.prompt_template, prompt_hash=o.prompt_hash,
                      seed=ctx.options.seed if o.seed == "build" else o.seed, parent_ids=list(o.parent_ids),
                      prompt_tokens=o.usage.get("prompt_tokens"), completion_tokens=o.usage.get("completion_tokens"))
    return Sample(id=draft.id, part=ctx.part, lineage=lineage, **draft.fields)


class WriteShard(Step):
    """Writes each draft through the build's writer and passes it on. An id already committed or buffered is not
    written again (resume); `report.written` counts the rows this build adds."""

    name = "write shard"

    def run(self, records: Records, ctx: Context) -> Iterator[Draft]:
        if ctx.writer is None:
            raise RuntimeError("WriteShard runs inside the executor, which opens the part's writer")
        for draft in _stream(records):
            draft.written = ctx.writer.add(to_sample(draft, ctx))
            if draft.written:
                ctx.report.written += 1
            yield draft
