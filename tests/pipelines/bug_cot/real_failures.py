"""Writes `fixtures/real_failures.jsonl`: completions of the kinds models really produce, each a frame program
(bugcot_frames) broken the way generated programs break - cut at the token limit, a misspelt name, a wrong -ndf,
no eigen analysis, no mass, a stray stiffness modifier, undersized columns - plus one that passes.

`EXPECTED` is what `build bug_cot --from` must make of each row: the failure type, and whether a verified repair
exists (else it is reported with why). Run this file to rewrite the fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

from bugcot_frames import frame_program

FIXTURE = Path(__file__).parent / "fixtures" / "real_failures.jsonl"
PROMPT = "Write an OpenSeesPy script for a {n}-storey, {b}-bay RC frame, print T1 and check the drift (1/550)."

# row id -> (failure type, repairable)
EXPECTED = {
    "cut-in-string": ("syntax.unterminated_string", True),
    "cut-in-call": ("syntax.other", True),
    "cut-before-eigen": ("syntax.unterminated_string", False),
    "name-typo": ("python.undefined_name", True),
    "wrong-ndf": ("model.ndf_mismatch", True),
    "no-eigen": ("modal.no_period", True),
    "no-mass": ("modal.missing_mass", False),
    "stray-modifier": ("compliance.drift", True),
    "small-columns": ("compliance.drift", False),
    "passes": (None, False),
}


def _cut(program: str, marker: str, keep: int) -> str:
    """The program up to `keep` characters into the first line holding `marker` (where the tokens ran out)."""
    at = program.index(marker)
    return program[: at + keep]


def rows() -> list[dict]:
    base = frame_program(stories=3, bays=2)
    fence = "Here is the complete model.\n\n```python\n"
    out = []

    def add(row_id: str, program: str, closed: bool = True, chat: bool = False) -> None:
        text = fence + program + ("```\n" if closed else "")
        completion = [{"role": "assistant", "content": text}] if chat else text
        out.append({"id": row_id, "prompt": PROMPT.format(n=3, b=2), "completion": completion,
                    "generator": "fixture/hand-broken"})

    add("cut-in-string", _cut(base, "ops.timeSeries('Linear', 2)", 19), closed=False)
    add("cut-in-call", _cut(base, "ops.load(101, 20.0", 14), closed=False, chat=True)
    add("cut-before-eigen", _cut(base, "ops.element('elasticBeamColumn', 9,", 30), closed=False)
    add("name-typo", base.replace("A_beam, E, I_beam, 2)", "A_beam, E, I_bm, 2)", 1))
    add("wrong-ndf", base.replace("'-ndf', 3", "'-ndf', 2"), chat=True)
    modal = ("lam = ops.eigen(3)\nperiods = [2 * 3.141592653589793 / l ** 0.5 for l in lam]\n"
             "print(f'T1 = {periods[0]:.4f} s')\n")
    add("no-eigen", base.replace(modal, ""))
    add("no-mass", "\n".join(l for l in base.splitlines() if not l.startswith("ops.mass(")) + "\n")
    add("stray-modifier", base.replace("I_col = 0.5 * 0.5 ** 3 / 12.0", "I_col = 0.5 * 0.5 ** 3 / 12.0 * 0.05"))
    add("small-columns", frame_program(stories=3, bays=2, col=0.2))
    add("passes", base)
    return out


if __name__ == "__main__":
    FIXTURE.write_text("".join(json.dumps(r) + "\n" for r in rows()), encoding="utf-8")
    print(f"wrote {FIXTURE}")
