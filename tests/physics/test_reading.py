"""Reading T1, drift and the verdict from outputs written the way real OpenSeesPy programs print them."""

from __future__ import annotations

import pytest

from civilinstruct.physics.reading import read_compliance, read_max_drift, read_period, read_periods

# (output, T1, all periods or None to skip, max drift, compliance)
CASES: list[tuple[str, float | None, list[float] | None, float | None, str | None]] = [
    ("T1 = 0.52 s", 0.52, [0.52], None, None),
    ("T1=0.523s\nT2=0.168s\nT3=0.091s", 0.523, [0.523, 0.168, 0.091], None, None),
    ("Period: 0.52", 0.52, [0.52], None, None),
    ("Fundamental period T1 = 1.134 s", 1.134, [1.134], None, None),
    ("Mode 1: omega = 12.07 rad/s, f = 1.921 Hz, T = 0.5206 s\nMode 2: omega = 37.1 rad/s, f = 5.9 Hz, T = 0.1693 s",
     0.5206, [0.5206, 0.1693], None, None),
    ("Mode 1 period: 0.8123 s\nMode 2 period: 0.2601 s\nMode 3 period: 0.1422 s", 0.8123, [0.8123, 0.2601, 0.1422],
     None, None),
    ("Mode   Period(s)   Frequency(Hz)\n1      0.6231      1.6049\n2      0.1987      5.0327\n"
     "3      0.1102      9.0744",
     0.6231, [0.6231, 0.1987, 0.1102], None, None),
    ("| Mode | T (s) | f (Hz) |\n|------|-------|--------|\n| 1 | 0.917 | 1.091 |\n| 2 | 0.301 | 3.322 |",
     0.917, [0.917, 0.301], None, None),
    ("Mode\tOmega(rad/s)\tFrequency(Hz)\tPeriod(s)\n1\t9.8312\t1.5647\t0.6391\n2\t30.112\t4.7925\t0.2087",
     0.6391, [0.6391, 0.2087], None, None),
    ("基本周期 = 0.52 s", 0.52, [0.52], None, None),
    ("结构基本周期T1=0.7345s", 0.7345, [0.7345], None, None),
    ("第1阶 振型周期 T=0.6120 s\n第2阶 振型周期 T=0.2010 s", 0.612, [0.612, 0.201], None, None),
    ("第一阶周期: 1.02 s\n第二阶周期: 0.33 s", 1.02, [1.02, 0.33], None, None),
    ("振型  周期(s)  频率(Hz)\n1  0.845  1.183\n2  0.277  3.610", 0.845, [0.845, 0.277], None, None),
    ("Eigenvalues: [142.51, 1377.9, 4512.3]\nomega1 = 11.94 rad/s\nf1 = 1.900 Hz\nT1 = 0.5263 s", 0.5263, [0.5263],
     None, None),
    ("eigenvalue 1: 145.6\nomega_1 = 12.07 rad/s\nfrequency 1 = 1.92 Hz", None, [], None, None),
    ("lambda = 389.5, omega = 19.74 rad/s, f = 3.14 Hz", None, [], None, None),
    ("Periods: [0.523, 0.171, 0.098]", 0.523, [0.523, 0.171, 0.098], None, None),
    ("Site characteristic period Tg = 0.35 s\nT1 = 0.91 s", 0.91, [0.91], None, None),
    ("Tg = 0.45 s\nalpha_max = 0.08", None, [], None, None),
    ("Analysis time = 10.0 s\nTotal steps: 100", None, [], None, None),
    ("Empirical period (GB 50009): 0.84 s", 0.84, [0.84], None, None),
    ("Max interstory drift ratio = 1/650 < 1/550, OK", None, None, 1 / 650, "pass"),
    ("Story 1 drift: 0.00121\nStory 2 drift: 0.00154\nStory 3 drift: 0.00098\nDrift limit: 1/550\nDrift check: PASS",
     None, None, 0.00154, "pass"),
    ("Story  Drift ratio\n1  0.00123\n2  0.00161\n3  0.00087", None, None, 0.00161, None),
    ("Maximum drift 0.0021 exceeds the limit 0.00182 -> NOT OK", None, None, 0.0021, "fail"),
    ("层间位移角最大值 1/480 > 1/550，不满足要求", None, None, 1 / 480, "fail"),
    ("最大层间位移角 θmax = 1/812 ≤ [θ] = 1/550，满足规范要求", None, None, 1 / 812, "pass"),
    ("Max drift = 0.15% (limit 0.18%)\nCompliance: satisfied", None, None, 0.0015, "pass"),
    ("Roof displacement = 0.0213 m\nMax drift ratio: 1/1020", None, None, 1 / 1020, None),
    ("Drift check: not satisfied", None, None, None, "fail"),
    ("The structure does not satisfy the drift requirement.", None, None, None, "fail"),
    ("Axial compression ratio check: FAILED (0.92 > 0.85)", None, None, None, "fail"),
    ("Column axial ratio 0.61 <= 0.75: OK\nDrift 1/720 <= 1/550: OK\nAll checks passed.", None, None, 1 / 720, "pass"),
    ("Drift check: OK\nAxial ratio check: NG", None, None, None, "fail"),
    ("验算结果：通过", None, None, None, "pass"),
    ("轴压比验算：未通过", None, None, None, "fail"),
    ("Max drift does not exceed the limit; design is compliant.", None, None, None, "pass"),
    ("Analysis finished: 0 failed steps\nResult: PASS", None, None, None, "pass"),
    ("Model built. Eigen analysis done.", None, [], None, None),
    ("Drift check result: NOT OK", None, None, None, "fail"),
    ("Seismic design verification satisfied: True", None, None, None, "pass"),
]


@pytest.mark.parametrize(("output", "t1", "periods", "drift", "verdict"), CASES,
                         ids=[f"case{i:02d}" for i in range(len(CASES))])
def test_reading_real_outputs(output: str, t1: float | None, periods: list[float] | None, drift: float | None,
                              verdict: str | None) -> None:
    assert read_period(output) == (pytest.approx(t1) if t1 is not None else None)
    if periods is not None:
        assert read_periods(output) == pytest.approx(periods)
    assert read_max_drift(output) == (pytest.approx(drift) if drift is not None else None)
    assert read_compliance(output) == verdict


def test_at_least_thirty_outputs() -> None:
    assert len(CASES) >= 30


def test_a_frequency_before_a_period_on_one_line_is_skipped() -> None:
    assert read_period("Mode 1: f = 1.25 Hz, T = 0.8 s") == 0.8
    assert read_period("Mode 1: f = 1.25 Hz") is None


def test_any_failing_verdict_wins_over_passes() -> None:
    out = "Drift: OK\nStrength: OK\nAxial ratio: NOT OK\nOverall: PASS"
    assert read_compliance(out) == "fail"
