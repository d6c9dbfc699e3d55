"""The BMEval report: one self-contained HTML file (metrics table, failure tables, an embedded PNG plot).

Self-contained because reports get mailed and attached to issues; the PNG is also written beside the HTML.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BMEval report{{ ' - ' + title if title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f0f0f0; }
img { max-width: 100%; border: 1px solid #ddd; }
.note { color: #666; font-size: 0.9rem; }
</style></head><body>
<h1>BMEval report{{ ' - ' + title if title }}</h1>
<p class="note">{{ summary.cases }} cases x {{ summary.generations // summary.cases }} generations
({{ summary.generations }} programs run in the sandbox); unbiased pass@k; period tolerance 30%
{%- if summary.spec_conformance %}; {{ summary.spec_conformance.conforms }} of {{ summary.spec_conformance.checked }}
executed programs model the building asked for{% endif %}
{%- if summary.mean_reward is not none %}; mean MGHR reward {{ summary.mean_reward }}{% endif %}.</p>
{% if run_details %}<h2>Run</h2>
<table><tbody>{% for label, value in run_details %}<tr><td>{{ label }}</td><td>{{ value }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
<h2>Metrics (%)</h2>
<table><thead><tr>{% for name in metrics %}<th>{{ name }}</th>{% endfor %}</tr></thead>
<tbody><tr>{% for value in metrics.values() %}<td>{{ '%.2f' % value }}</td>{% endfor %}</tr></tbody></table>
<h2>Failure breakdown</h2>
<p class="note">{{ failures.failed }} generations not verified (issue 15: executes, models the building asked for,
verified period within tolerance, PASS backed by its own drift), by first failing stage (paper section 6.3).</p>
<table><thead><tr><th>stage</th><th>count</th><th>% of failures</th></tr></thead><tbody>
{% for row in failures.stages %}<tr><td>{{ row.stage }}</td><td>{{ row.count }}</td><td>{{ '%.1f' % row.percent }}</td></tr>
{% endfor %}</tbody></table>
<h3>Failure taxonomy (paper section 6.3)</h3>
<table><thead><tr><th>stage</th><th>label</th><th>count</th><th>% of the stage's failures</th></tr></thead><tbody>
{% for stage, rows in failures.modes_by_stage.items() %}{% for row in rows %}<tr><td>{{ stage }}</td><td>{{ row.mode }}</td>
<td>{{ row.count }}</td><td>{{ '%.1f' % row.percent }}</td></tr>
{% endfor %}{% endfor %}</tbody></table>
<h2>Plot</h2>
<img alt="BMEval metrics and failure breakdown" src="data:image/png;base64,{{ png }}">
</body></html>
"""


def render_plot(summary: dict[str, Any]) -> bytes:
    """A PNG like the paper's Figure 6: the metrics, (a) failures by stage, then one bar chart of labels per stage
    ((b) executability, (c) compliance, (d) period, (e) spec), coloured by stage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = summary["metrics"]
    failures = summary["failures"]
    fig, axes = plt.subplots(2, 3, figsize=(17, 9), layout="constrained")
    ax = axes[0][0]
    names, values = list(metrics), list(metrics.values())
    palette = ["#4c72b0"] * 2 + ["#55a868"] * 3 + ["#8172b2"] * 2 + ["#c44e52"] * max(0, len(names) - 7)
    bars = ax.bar(range(len(names)), values, color=palette[: len(names)])
    ax.set_xticks(range(len(names)), [n.replace("_", " ") for n in names], fontsize=8, rotation=30, ha="right")
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title("BMEval metrics")
    for bar, value in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 1, f"{value:.1f}", ha="center", fontsize=8)
    ax = axes[0][1]
    stages = failures["stages"]
    ax.bar([s["stage"] for s in stages], [s["count"] for s in stages],
           color=[_COLORS.get(s["stage"], "#937860") for s in stages])
    ax.set_title(f"(a) failures by stage (n={failures['failed']})")
    ax.set_ylim(0, max(1, max((s["count"] for s in stages), default=0)) * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("generations")
    for i, s in enumerate(stages):
        ax.text(i, s["count"], f"{s['percent']:.1f}%", ha="center", va="bottom", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    panels = [(axes[1][0], "executability", "(b)"), (axes[1][1], "compliance", "(c)"),
              (axes[1][2], "period", "(d)"), (axes[0][2], "spec", "(e)")]
    for ax, stage, tag in panels:
        rows = failures["modes_by_stage"].get(stage, [])[:8][::-1]
        if rows:
            ax.barh([_short(r["mode"]) for r in rows], [r["percent"] for r in rows], color=_COLORS[stage])
            ax.tick_params(axis="y", labelsize=7)
            ax.set_xlim(0, 110)
            for i, r in enumerate(rows):
                ax.text(r["percent"] + 1, i, f"{r['count']}", va="center", fontsize=7)
        else:
            ax.text(0.5, 0.5, "no failures", ha="center", va="center", transform=ax.transAxes)
            ax.set_yticks([])
        ax.set_title(f"{tag} {stage} failures")
        ax.set_xlabel(f"% of {stage} failures")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


_COLORS = {"executability": "#c44e52", "compliance": "#dd8452", "period": "#ccb974", "spec": "#64b5cd",
           "truncated": "#8c8c8c"}


def _short(mode: str, width: int = 48) -> str:
    return mode if len(mode) <= width else mode[: width - 1] + "…"


def render_html(summary: dict[str, Any], png: bytes, title: str = "") -> str:
    """The report page for a `score_rows` summary and its plot."""
    import jinja2

    from civilinstruct.bench.runmeta import describe

    env = jinja2.Environment(autoescape=True)
    return env.from_string(_TEMPLATE).render(
        summary=summary, metrics=summary["metrics"], failures=summary["failures"],
        png=base64.b64encode(png).decode("ascii"), title=html.unescape(title),
        run_details=describe(summary["run"]) if "run" in summary else None)


def write_report(summary: dict[str, Any], path: str | Path, title: str = "") -> Path:
    """Write `path` (HTML) and `path` with a .png suffix; returns the HTML path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    png = render_plot(summary)
    path.with_suffix(".png").write_bytes(png)
    path.write_text(render_html(summary, png, title), encoding="utf-8")
    return path
