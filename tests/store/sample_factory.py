"""Small synthetic samples for store tests (also used by the crash child script)."""

from __future__ import annotations

from civilinstruct.store import Execution, Lineage, Message, Sample, make_id


def synthetic_sample(i: int, part: str = "long_code") -> Sample:
    return Sample(
        id=make_id(part, index=i, generator="test"),
        part=part,
        messages=[Message(role="user", content=f"Model building {i}"),
                  Message(role="assistant", content=f"<answer>print({i})</answer>")],
        code=f"print({i})",
        spec=f'{{"index": {i}}}',
        execution=Execution(status="ok", period_s=0.5 + i / 1000, periods=[0.5, 0.2], wall_s=0.01),
        score=90.0,
        score_parts={"executes": 40.0, "period": 30.0},
        lineage=Lineage(pipeline="test", pipeline_version="v1", seed=i),
    )
