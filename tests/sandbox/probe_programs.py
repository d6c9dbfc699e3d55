"""Programs the probe tests share (not a test module)."""

from __future__ import annotations


def portal(imports: str, prefix: str = "ops.", tail: str = "") -> str:
    """A one-bay, two-story 2D frame (6 m span, 3.5 + 3.0 m stories) that prints its own T1."""
    p = prefix
    return f"""{imports}
import math
{p}wipe()
{p}model('basic', '-ndm', 2, '-ndf', 3)
for i, x in enumerate((0.0, 6.0)):
    for j, y in enumerate((0.0, 3.5, 6.5)):
        {p}node(10 * i + j + 1, x, y)
        if j:
            {p}mass(10 * i + j + 1, 25.0, 25.0, 0.0)
    {p}fix(10 * i + 1, 1, 1, 1)
{p}geomTransf('Linear', 1)
for i in (0, 10):
    for j in (1, 2):
        {p}element('elasticBeamColumn', i + j, i + j, i + j + 1, 0.16, 3.0e7, 2.1e-3, 1)
for j in (2, 3):
    {p}element('elasticBeamColumn', 20 + j, j, 10 + j, 0.12, 3.0e7, 1.6e-3, 1)
lam = {p}eigen(2)
T1 = 2 * math.pi / math.sqrt(lam[0])
print(f"T1 = {{T1:.4f}} s")
{tail}"""
