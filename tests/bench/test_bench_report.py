"""The HTML report: tables with the numbers of the summary and a real PNG embedded."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from types import SimpleNamespace

from civilinstruct.bench.outcome import judge
from civilinstruct.bench.report import write_report
from civilinstruct.bench.score import summarize


def test_report_has_tables_and_png(tmp_path: Path) -> None:
    ok = SimpleNamespace(status="ok", period_s=1.0, compliance="pass", exception_type=None,
                         exception_message=None, stdout="", stderr="", period_check="verified", max_drift=0.001)
    bad = SimpleNamespace(status="error", period_s=None, compliance=None, exception_type="SyntaxError",
                          exception_message="unterminated string literal", stdout="", stderr="")
    odd = SimpleNamespace(status="error", period_s=None, compliance=None, exception_type="Odd<x>Error",
                          exception_message="", stdout="", stderr="")
    outs = [judge("A", i, "p", ok if i < 2 else bad if i < 4 else odd, 1.0) for i in range(5)]
    summary = summarize(outs, k=5)
    path = write_report(summary, tmp_path / "r" / "report.html", title="demo")
    page = path.read_text()
    assert "<h2>Metrics (%)</h2>" in page and "pass@5_strict" in page and "100.00" in page
    assert "SyntaxError.unterminated_string" in page and "Odd&lt;x&gt;Error" in page  # escaped
    assert "<td>executability</td><td>3</td>" in page and "pass@5_verified" in page
    png = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1))
    assert png.startswith(b"\x89PNG") and png == (tmp_path / "r" / "report.png").read_bytes()
