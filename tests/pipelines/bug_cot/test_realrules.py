"""bug_cot.realrules: repairs for failures real generations show (cut answers, no eigen, stray stiffness modifier),
checked on the programs they return; the repaired program is run in the real sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civilinstruct.pipelines.bug_cot import failures as F
from civilinstruct.pipelines.bug_cot import realrules as R
from civilinstruct.pipelines.bug_cot.evidence import Evidence, Repair
from civilinstruct.sandbox import Sandbox

MODEL = """\
import openseespy.opensees as ops

H = 3.0
A_col = 0.5 * 0.5
I_col = 0.5 * 0.5 ** 3 / 12 * 0.01
ops.wipe()
ops.model('basic', '-ndm', 2, '-ndf', 3)
ops.node(1, 0.0, 0.0)
ops.node(2, 6.0, 0.0)
ops.node(3, 0.0, H)
ops.node(4, 6.0, H)
ops.fix(1, 1, 1, 1)
ops.fix(2, 1, 1, 1)
ops.geomTransf('Linear', 1)
ops.element('elasticBeamColumn', 1, 1, 3, A_col, 3.0e7, I_col, 1)
ops.element('elasticBeamColumn', 2, 2, 4, A_col, 3.0e7, I_col, 1)
ops.element('elasticBeamColumn', 3, 3, 4, 0.3, 3.0e7, 0.01, 1)
ops.mass(3, 50.0, 0.0, 0.0)
ops.mass(4, 50.0, 0.0, 0.0)
"""
EIGEN = "lam = ops.eigen(1)\nprint('T1 =', 2 * 3.141592653589793 / lam[0] ** 0.5)\n"
SYNTAX = Evidence(status="error", exception_type="SyntaxError", error_line=0)


def _syntax_at(line: int) -> Evidence:
    return Evidence(status="error", exception_type="SyntaxError", error_line=line)


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(timeout=20, memory_mb=512, workers=1, allow_weak_isolation=True) as sandbox:
        yield sandbox


def test_cut_at_only_near_the_end_and_only_for_syntax_errors() -> None:
    """Guards the truncation test: a syntax error in the last CUT_LINES lines is a cut; earlier, or another
    exception, is not."""
    program = MODEL + EIGEN + "ops.recorder('Node', '-file\n\n"
    last = len(program.rstrip("\n").splitlines())
    assert R.cut_at(program, _syntax_at(last)) == last
    assert R.cut_at(program, _syntax_at(last - R.CUT_LINES)) is None
    assert R.cut_at(program, Evidence(status="error", exception_type="NameError", error_line=last)) is None
    assert R.cut_at(program, Evidence(status="error", exception_type="SyntaxError")) is None


def test_drop_cut_tail_keeps_what_ran_before_the_cut() -> None:
    """Guards the cut repair: the unfinished statement goes, the eigen analysis and print stay, and a program cut
    before its eigen analysis is not 'repaired'."""
    program = MODEL + EIGEN + "ops.recorder('Node', '-file\n"
    last = len(program.splitlines())
    repair = R.drop_cut_tail(program, _syntax_at(last))
    assert repair is not None
    assert repair.program == MODEL + EIGEN
    assert f"removed the 1 unfinished line(s) from line {last}" in repair.note
    early = MODEL + "lam = ops.eigen(1\n"
    assert R.drop_cut_tail(early, _syntax_at(len(early.splitlines()))) is None


def test_add_eigen_places_the_analysis_after_the_model_and_it_runs(box: Sandbox) -> None:
    """Guards the no-period repair: eigen goes after the last model command, and the repaired program runs and
    prints the period a hand shear-frame model gives: two fixed-fixed columns, EI = 3e7 * 5.208e-5 = 1562.5 kN m2,
    k = 2 * 12 EI / H^3 = 1388.9 kN/m, m = 100 t, T1 = 2 pi sqrt(m / k) = 1.686 s (the beam is not quite rigid)."""
    program = MODEL + "print('done')\n"
    repair = R.add_eigen(program, Evidence(status="ok"))
    assert repair is not None
    lines = repair.program.splitlines()
    assert lines.index("eigen_values = ops.eigen(1)") > lines.index("ops.mass(4, 50.0, 0.0, 0.0)")
    assert lines[-1] == "print('done')"
    assert "after line 19" in repair.note
    result = box.run(repair.program)
    assert result.status == "ok", result.stderr
    assert result.period_s == pytest.approx(1.686, rel=0.01)
    assert result.period_check == "verified"
    assert R.add_eigen(MODEL + EIGEN, Evidence(status="ok")) is None  # already has one
    no_mass = "\n".join(line for line in MODEL.splitlines() if "mass" not in line) + "\n"
    assert R.add_eigen(no_mass, Evidence(status="ok")) is None  # no mass: nothing to analyse


def test_restore_column_stiffness_drops_only_a_stray_factor() -> None:
    """Guards the drift repair by hand: a 0.5 m square has 12 I / A^2 = 1.0; times 0.01 it is 0.01 < 0.25, so the
    factor is stray and removing it makes the section 100 times stiffer. A factor 0.4 (ratio 0.4) is plausible
    and stays; a tiny I without a factor is an undersized column, not a bug."""
    repair = R.restore_column_stiffness(MODEL, Evidence(status="ok"))
    assert repair is not None
    assert "I_col = 0.5 * 0.5 ** 3 / 12\n" in repair.program
    assert "removed the factor 0.01 on I_col (line 5)" in repair.note and "100 times" in repair.note
    plausible = MODEL.replace("/ 12 * 0.01", "/ 12 * 0.4")
    assert R.restore_column_stiffness(plausible, Evidence(status="ok")) is None
    undersized = MODEL.replace("0.5 * 0.5 ** 3 / 12 * 0.01", "0.0001")
    assert R.restore_column_stiffness(undersized, Evidence(status="ok")) is None


def test_first_of_takes_the_first_rule_that_repairs() -> None:
    """Guards rule chaining: order decides, a rule giving None is skipped, none at all gives None."""
    def never(program: str, ev: Evidence) -> Repair | None:
        return None

    def always(program: str, ev: Evidence) -> Repair | None:
        return Repair(program + "# a\n", "a")

    def other(program: str, ev: Evidence) -> Repair | None:
        return Repair(program, "b")

    assert R.first_of(never, always, other)("x = 1\n", SYNTAX) == Repair("x = 1\n# a\n", "a")
    assert R.first_of(never, never)("x = 1\n", SYNTAX) is None
    assert R.first_of(never, always).__doc__ == "never / always"


def test_why_not_names_the_reason() -> None:
    """Guards the harvest report: each failure type gets its own one-line reason, with the cut line when cut."""
    assert R.why_not(MODEL, SYNTAX, F.TIMEOUT) == F.UNREPAIRABLE[F.TIMEOUT]
    cut = MODEL + "ops.eigen(\n"
    line = len(cut.splitlines())
    assert f"cut off at line {line}" in R.why_not(cut, _syntax_at(line), F.SYNTAX_OTHER)
    assert "no eigen analysis" in R.why_not(MODEL, Evidence(status="ok"), F.NO_PERIOD)
    assert "1/550" in R.why_not(MODEL, Evidence(status="ok"), F.DRIFT)
    other = R.why_not(MODEL, Evidence(status="error", error_line=7), "api.argument_count")
    assert other == "no rule repairs a api.argument_count failure from this evidence (line 7)"
    for reason in (R.why_not(MODEL, SYNTAX, t) for t in (F.NO_PERIOD, F.DRIFT, F.TIMEOUT)):
        assert "\n" not in reason
