"""bench.drilldown: the per-case page of a BMEval run: pass rates by spec field, the error histogram, the cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civilinstruct.bench.drilldown import drilldown_path, group_rates, write_drilldown


def _row(stories: int | None, intensity: float = 8.0, completion: str = "") -> dict[str, Any]:
    spec = {"stories": stories, "intensity": intensity, "site_class": "II"} if stories is not None else None
    return {"spec": json.dumps(spec) if spec else "not json", "instruction": "Model a frame.",
            "completion": completion, "finish_reason": "stop"}


def _out(case: str, strict: bool, period: float | None, truth: float = 1.0, **checks: bool) -> dict[str, Any]:
    return {"case_id": case, "strict": strict, "executes": checks.get("executes", period is not None),
            "period_ok": checks.get("period_ok", strict), "compliance_ok": checks.get("compliance_ok", strict),
            "period_s": period, "ground_truth": truth, "sample_index": 0, "stage": "period", "mode": "off",
            "period_error": None if period is None else (period - truth) / truth, "compliance": "pass"}


def test_group_rates_by_hand() -> None:
    """Guards the table: 3-story has 2 cases and 3 generations, one strict (33.3%), two executing (66.7%);
    5-story 1 of 1; an unreadable spec lands in 'unknown', listed after the numbers."""
    rows = [_row(3), _row(3), _row(3), _row(5), _row(None)]
    outs = [_out("a", True, 1.0), _out("a", False, None), _out("b", False, 2.0), _out("c", True, 1.1),
            _out("d", False, None)]
    rates = group_rates(rows, outs, "stories")
    assert [r["value"] for r in rates] == [3, 5, "unknown"]
    three = rates[0]
    assert (three["cases"], three["generations"], three["strict"], three["executes"]) == (2, 3, 33.3, 66.7)
    assert rates[1]["strict"] == 100.0 and rates[2]["executes"] == 0.0


def test_page_escapes_programs_and_lists_the_worst_case_first(tmp_path: Path) -> None:
    """Guards the page: a generated program is shown escaped (untrusted text), the case with fewer strict
    generations comes first, the histogram is a PNG, and the path sits beside the report."""
    rows = [_row(3, completion="```python\nprint('<script>x</script>')\n```"), _row(5)]
    outs = [_out("case-good", True, 1.0), _out("case-bad", False, 1.5)]
    path = write_drilldown(rows, outs, None, tmp_path / "r" / "report-cases.html", title="t")
    html = path.read_text(encoding="utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert html.index("case-bad") < html.index("case-good")
    assert "data:image/png;base64,iVBORw0KGgo" in html  # the PNG signature, base64
    assert "50% off" in html and "no run details stored" in html
    assert drilldown_path(tmp_path / "report.html") == tmp_path / "report-cases.html"
