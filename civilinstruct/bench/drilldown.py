"""The per-case page of a BMEval report: what a researcher reads after the headline numbers.

For each case: the instruction, each generation's program, its stderr, its T1 against the reference and its verdict;
above them the run's details, a histogram of the signed period error and pass rates by number of stories, seismic
intensity and site class (a model that fails only tall or high-intensity buildings shows it here). One
self-contained HTML file beside the main report (`<report>-cases.html`).
"""

from __future__ import annotations

import base64
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

GROUPS = (("stories", "stories"), ("intensity", "intensity"), ("site_class", "site class"))
_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BMEval cases{{ ' - ' + title if title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 75rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
pre { max-height: 24rem; overflow: auto; background: #f7f7f7; padding: 0.5rem; font-size: 0.8rem; }
.pass { color: #2a7a2a; font-weight: 600; } .fail { color: #b22; font-weight: 600; }
details { margin: 0.3rem 0 0.8rem; } summary { cursor: pointer; }
</style></head><body>
<h1>BMEval cases{{ ' - ' + title if title }}</h1>
<h2>Run</h2>
<table><tbody>{% for label, value in run %}<tr><td>{{ label }}</td><td>{{ value }}</td></tr>{% endfor %}</tbody></table>
<h2>Period error</h2>
<p>(T1 - T_ref) / T_ref of the generations that ran and printed a period; the band is the 30% tolerance.</p>
<img alt="period error histogram" src="data:image/png;base64,{{ png }}">
{% for name, rows in groups %}<h2>Pass rates by {{ name }}</h2>
<table><thead><tr><th>{{ name }}</th><th>cases</th><th>generations</th><th>executes %</th><th>period %</th>
<th>compliance %</th><th>strict %</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.value }}</td><td>{{ r.cases }}</td><td>{{ r.generations }}</td><td>{{ r.executes }}</td>
<td>{{ r.period_ok }}</td><td>{{ r.compliance_ok }}</td><td>{{ r.strict }}</td></tr>{% endfor %}
</tbody></table>{% endfor %}
<h2>Cases</h2>
{% for case in cases %}<details><summary><b>{{ case.case_id[:12] }}</b> {{ case.label }}:
{{ case.strict }}/{{ case.n }} strictly correct, T_ref {{ case.ground_truth }}</summary>
<p>{{ case.instruction }}</p>
{% for g in case.generations %}<details><summary>generation {{ g.sample_index }}:
<span class="{{ 'pass' if g.strict else 'fail' }}">{{ 'pass' if g.strict else (g.stage or '') + ' / ' + (g.mode or '') }}</span>
- T1 {{ g.period_s if g.period_s is not none else '-' }} vs {{ g.ground_truth }}
({{ g.error_text }}), verdict {{ g.compliance or '-' }}{{ ', finish_reason ' + g.finish_reason if g.finish_reason }}</summary>
<pre>{{ g.program or '(no program found in the completion)' }}</pre>
{% if g.stderr %}<p>stderr:</p><pre>{{ g.stderr }}</pre>{% endif %}</details>{% endfor %}
</details>{% endfor %}
</body></html>
"""


def _spec(row: dict[str, Any]) -> dict[str, Any]:
    try:
        spec = json.loads(row.get("spec") or "{}")
    except (TypeError, json.JSONDecodeError):
        return {}
    return spec if isinstance(spec, dict) else {}


def group_rates(rows: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """Per value of a spec field: cases, generations and the share (%) passing each check."""
    acc: dict[Any, dict[str, Any]] = defaultdict(lambda: {"cases": set(), "n": 0, "executes": 0, "period_ok": 0,
                                                          "compliance_ok": 0, "strict": 0})
    for row, out in zip(rows, outcomes):
        value = _spec(row).get(field, "unknown")
        a = acc[value]
        a["cases"].add(out["case_id"])
        a["n"] += 1
        for check in ("executes", "period_ok", "compliance_ok", "strict"):
            a[check] += bool(out.get(check))
    result = []
    for value in sorted(acc, key=lambda v: (isinstance(v, str), v)):
        a = acc[value]
        result.append({"value": value, "cases": len(a["cases"]), "generations": a["n"],
                       **{c: round(100.0 * a[c] / a["n"], 1) for c in ("executes", "period_ok", "compliance_ok",
                                                                        "strict")}})
    return result


def error_histogram(outcomes: Sequence[dict[str, Any]]) -> bytes:
    """PNG: histogram of the signed relative period error, with the ±30% band shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    errors = [(o["period_s"] - o["ground_truth"]) / o["ground_truth"] for o in outcomes
              if o.get("period_s") is not None and o.get("ground_truth")]
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    ax.axvspan(-0.3, 0.3, color="#55a868", alpha=0.15, label="within 30%")
    if errors:
        clipped = [max(-1.0, min(2.0, e)) for e in errors]
        ax.hist(clipped, bins=30, range=(-1.0, 2.0), color="#4c72b0")
    else:
        ax.text(0.5, 0.5, "no generation printed a period", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("(T1 - T_ref) / T_ref (clipped to [-1, 2])")
    ax.set_ylabel("generations")
    ax.legend(loc="upper right", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def _cases(rows: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    from civilinstruct.scoring.format import extract_program

    by_case: dict[str, dict[str, Any]] = {}
    for row, out in zip(rows, outcomes):
        spec = _spec(row)
        case = by_case.setdefault(out["case_id"], {
            "case_id": out["case_id"], "instruction": row.get("instruction") or "", "ground_truth": out["ground_truth"],
            "label": ", ".join(f"{label} {spec[f]}" for f, label in GROUPS if f in spec), "generations": []})
        error = out.get("period_error")
        case["generations"].append({**out, "program": extract_program(row.get("completion") or ""),
                                    "finish_reason": row.get("finish_reason"),
                                    "error_text": f"{100 * error:.0f}% off" if error is not None else "no period"})
    for case in by_case.values():
        case["n"] = len(case["generations"])
        case["strict"] = sum(bool(g["strict"]) for g in case["generations"])
    return sorted(by_case.values(), key=lambda c: (c["strict"], c["case_id"]))  # the worst cases first


def write_drilldown(rows: Sequence[dict[str, Any]], outcomes: Sequence[dict[str, Any]], run: dict[str, Any] | None,
                    path: str | Path, title: str = "") -> Path:
    """Write the per-case page; `rows` are the gens rows in the order `outcomes` were judged."""
    import jinja2

    from civilinstruct.bench.runmeta import describe

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page = jinja2.Environment(autoescape=True).from_string(_TEMPLATE).render(
        title=title, run=describe(run), png=base64.b64encode(error_histogram(outcomes)).decode("ascii"),
        groups=[(label, group_rates(rows, outcomes, field)) for field, label in GROUPS],
        cases=_cases(rows, outcomes))
    path.write_text(page, encoding="utf-8")
    return path


def drilldown_path(report: str | Path) -> Path:
    report = Path(report)
    return report.with_name(report.stem + "-cases.html")
