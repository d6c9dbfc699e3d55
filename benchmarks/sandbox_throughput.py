"""Sandbox throughput against the two usual ways of running generated programs, measured in one run.

(a) 200 tiny snippets (a few OpenSees calls) and (b) 20 long multi-story 3D frame programs (gravity, eigen, some
static lateral steps), each run three ways with the same number of workers:
  sandbox  - civilinstruct.sandbox.Sandbox.run_many (bubblewrap, warm zygotes, fork per program)
  naive    - subprocess.run([python, file]) per program (pays interpreter + numpy + openseespy start-up each time)
  pool     - unisolated exec() in a multiprocessing spawn pool, how the source paper's reward runs them
Prints programs/s of each and the ratios the issue asks for: sandbox/naive on tiny (target >= 10x) and
sandbox/pool on long (target >= 0.9x). Rounds alternate between the methods so machine load hits all of them.
Each method gets its own sessions: each sandbox worker (bwrap --new-session), each pool worker and each naive
program is one. With the kernel's autogroup scheduling a session is a scheduling group, so on a shared machine a
method whose processes shared the benchmark's session would get a smaller CPU share than the others.

    .venv/bin/python benchmarks/sandbox_throughput.py [--tiny 200] [--long 20] [--workers 2] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable

from _baselines import run_fresh

from civilinstruct.sandbox import Sandbox


# ------------------------------------------------------------------------------------------------ programs
def tiny_snippet(i: int) -> str:
    """A few OpenSees calls, like an API-learning sample."""
    return (
        "import openseespy.opensees as ops\n"
        "ops.wipe()\n"
        "ops.model('basic', '-ndm', 2, '-ndf', 3)\n"
        f"ops.node(1, 0.0, 0.0)\nops.node(2, 0.0, {3.0 + i % 7 * 0.1:.1f})\n"
        "ops.fix(1, 1, 1, 1)\n"
        "print('nodes:', ops.getNodeTags())\n"
    )


def frame_program(stories: int, bays_x: int, bays_y: int, seed: int) -> str:
    """A long multi-story 3D RC frame program written out node by node, as generated programs are."""
    span_x, span_y, h = 6.0 + seed % 3 * 0.5, 6.0, 3.3 + seed % 2 * 0.3
    E, G = 3.0e10, 1.25e10
    col = (0.8, 0.8)
    beam = (0.3, 0.6)

    def sec(b: float, d: float) -> tuple[float, float, float, float]:
        A = b * d
        iz, iy = b * d ** 3 / 12, d * b ** 3 / 12
        j = iz + iy
        return A, j, iy, iz

    lines = ["import openseespy.opensees as ops", "ops.wipe()", "ops.model('basic', '-ndm', 3, '-ndf', 6)", ""]
    tag = lambda k, i, j: k * 1000 + i * 100 + j + 1  # noqa: E731
    for k in range(stories + 1):
        for i in range(bays_x + 1):
            for j in range(bays_y + 1):
                lines.append(f"ops.node({tag(k, i, j)}, {i * span_x:.3f}, {j * span_y:.3f}, {k * h:.3f})")
    for i in range(bays_x + 1):
        for j in range(bays_y + 1):
            lines.append(f"ops.fix({tag(0, i, j)}, 1, 1, 1, 1, 1, 1)")
    area = bays_x * span_x * bays_y * span_y
    floor_mass = 10.0e3 * area / 9.81 * 100 / 100  # ~10 kN/m2 seismic weight
    for k in range(1, stories + 1):
        cx, cy = bays_x * span_x / 2, bays_y * span_y / 2
        lines.append(f"ops.node({k * 1000 + 999}, {cx:.3f}, {cy:.3f}, {k * h:.3f})")
        lines.append(f"ops.fix({k * 1000 + 999}, 0, 0, 1, 1, 1, 0)")
        lines.append(f"ops.mass({k * 1000 + 999}, {floor_mass:.1f}, {floor_mass:.1f}, 0.0, 0.0, 0.0, "
                     f"{floor_mass * (bays_x * span_x) ** 2 / 6:.1f})")
        slaves = ", ".join(str(tag(k, i, j)) for i in range(bays_x + 1) for j in range(bays_y + 1))
        lines.append(f"ops.rigidDiaphragm(3, {k * 1000 + 999}, {slaves})")
    lines += ["ops.geomTransf('PDelta', 1, 1.0, 0.0, 0.0)", "ops.geomTransf('Linear', 2, 0.0, 0.0, 1.0)",
              "ops.geomTransf('Linear', 3, 0.0, 0.0, 1.0)"]
    ele = 0
    A, J, Iy, Iz = sec(*col)
    for k in range(stories):
        for i in range(bays_x + 1):
            for j in range(bays_y + 1):
                ele += 1
                lines.append(f"ops.element('elasticBeamColumn', {ele}, {tag(k, i, j)}, {tag(k + 1, i, j)}, "
                             f"{A:.4f}, {E:.3e}, {G:.3e}, {J:.6f}, {Iy:.6f}, {Iz:.6f}, 1)")
    A, J, Iy, Iz = sec(*beam)
    for k in range(1, stories + 1):
        for j in range(bays_y + 1):
            for i in range(bays_x):
                ele += 1
                lines.append(f"ops.element('elasticBeamColumn', {ele}, {tag(k, i, j)}, {tag(k, i + 1, j)}, "
                             f"{A:.4f}, {E:.3e}, {G:.3e}, {J:.6f}, {Iy:.6f}, {Iz:.6f}, 2)")
        for i in range(bays_x + 1):
            for j in range(bays_y):
                ele += 1
                lines.append(f"ops.element('elasticBeamColumn', {ele}, {tag(k, i, j)}, {tag(k, i, j + 1)}, "
                             f"{A:.4f}, {E:.3e}, {G:.3e}, {J:.6f}, {Iy:.6f}, {Iz:.6f}, 3)")
    per_node = 10.0e3 * area / ((bays_x + 1) * (bays_y + 1))
    lines += ["", "# gravity", "ops.timeSeries('Linear', 1)", "ops.pattern('Plain', 1, 1)"]
    for k in range(1, stories + 1):
        for i in range(bays_x + 1):
            for j in range(bays_y + 1):
                lines.append(f"ops.load({tag(k, i, j)}, 0.0, 0.0, {-per_node:.1f}, 0.0, 0.0, 0.0)")
    lines += [
        "ops.constraints('Transformation')", "ops.numberer('RCM')", "ops.system('UmfPack')",
        "ops.test('NormDispIncr', 1.0e-8, 20)", "ops.algorithm('Newton')", "ops.integrator('LoadControl', 0.1)",
        "ops.analysis('Static')", "assert ops.analyze(10) == 0", "ops.loadConst('-time', 0.0)", "",
        "# modal", "ops.wipeAnalysis()", "import math",
        "lams = ops.eigen(3)",
        "periods = [2 * math.pi / math.sqrt(l) for l in lams]",
        "for n, T in enumerate(periods, 1):", "    print(f'Mode {n}: T = {T:.4f} s')", "",
        "# lateral static steps (equivalent lateral force)", "ops.timeSeries('Linear', 2)",
        "ops.pattern('Plain', 2, 2)"]
    total_h = stories * h
    for k in range(1, stories + 1):
        lines.append(f"ops.load({k * 1000 + 999}, {0.05 * floor_mass * 9.81 * k * h / total_h:.1f}, 0.0, 0.0, 0.0, "
                     "0.0, 0.0)")
    lines += [
        "ops.constraints('Transformation')", "ops.numberer('RCM')", "ops.system('UmfPack')",
        "ops.test('NormDispIncr', 1.0e-8, 20)", "ops.algorithm('Newton')", "ops.integrator('LoadControl', 0.2)",
        "ops.analysis('Static')", "assert ops.analyze(5) == 0",
        f"disp = [0.0] + [ops.nodeDisp(k * 1000 + 999, 1) for k in range(1, {stories + 1})]",
        f"drifts = [abs(disp[k] - disp[k - 1]) / {h} for k in range(1, {stories + 1})]",
        "worst = max(drifts)", "print(f'Max interstory drift = 1/{1 / worst:.0f}')",
        "print('Drift check: OK' if worst <= 1 / 550 else 'Drift check: NOT OK')",
    ]
    return "\n".join(lines) + "\n"


def long_programs(n: int) -> list[str]:
    return [frame_program(stories=8 + i % 5, bays_x=3 + i % 2, bays_y=3, seed=i) for i in range(n)]


# ------------------------------------------------------------------------------------------------ runners
def run_sandbox(box: Sandbox, codes: list[str], workers: int) -> list[str]:
    return [r.status for r in box.run_many(codes, workers=workers)]


def run_naive(codes: list[str], workers: int) -> tuple[float, list[str]]:
    runs = run_fresh(codes, workers)
    return runs.seconds, ["ok" if rc == 0 else "error" for rc in runs.returncodes]


def _exec_unisolated(code: str) -> str:
    """The paper's reward: exec in a pool worker, stdout captured in memory."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(code, "<program>", "exec"), {"__name__": "__main__"})
        return "ok"
    except BaseException:
        return "error"


def _warm() -> None:
    import numpy  # noqa: F401
    import openseespy.opensees  # noqa: F401


def timed(fn: Callable[[], list[str]]) -> tuple[float, list[str]]:
    start = time.perf_counter()
    statuses = fn()
    return time.perf_counter() - start, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", type=int, default=200)
    parser.add_argument("--long", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = "1"  # the sandbox's threading for every method: one BLAS/OpenMP thread per worker
    suites = {"tiny": [tiny_snippet(i) for i in range(args.tiny)], "long": long_programs(args.long)}
    suites = {name: codes for name, codes in suites.items() if codes}  # --long 0: tiny only
    ctx = multiprocessing.get_context("spawn")
    times: dict[str, dict[str, list[float]]] = {s: {"sandbox": [], "naive": [], "pool": []} for s in suites}
    lines = {s: max(len(c.splitlines()) for c in codes) for s, codes in suites.items()}
    with Sandbox(timeout=120, workers=args.workers) as box, \
            ctx.Pool(args.workers, initializer=os.setsid) as pool:
        for _ in range(args.workers):
            pool.apply(_warm)
        list(box.run_many(["pass"] * args.workers * 2, workers=args.workers))
        for _ in range(args.rounds):
            for suite, codes in suites.items():
                for method in ("sandbox", "naive", "pool"):
                    if method == "sandbox":
                        wall, st = timed(lambda: run_sandbox(box, codes, args.workers))
                    elif method == "naive":  # (timed without writing the files)
                        wall, st = run_naive(codes, args.workers)
                    else:
                        wall, st = timed(lambda: pool.map(_exec_unisolated, codes, chunksize=1))
                    bad = [s for s in st if s != "ok"]
                    if bad:
                        raise SystemExit(f"{method}/{suite}: {len(bad)} programs did not succeed: {bad[:3]}")
                    times[suite][method].append(wall)
    report: dict[str, object] = {"workers": args.workers, "rounds": args.rounds, "cpus": os.cpu_count()}
    for suite, codes in suites.items():
        rate = {m: len(codes) / statistics.median(t) for m, t in times[suite].items()}
        report[suite] = {"programs": len(codes), "max_lines": lines[suite],
                         **{f"{m}_programs_per_s": round(v, 2) for m, v in rate.items()},
                         "sandbox_vs_naive": round(rate["sandbox"] / rate["naive"], 2),
                         "sandbox_vs_pool": round(rate["sandbox"] / rate["pool"], 3)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"workers={args.workers} rounds={args.rounds} (median wall per method), cpus={os.cpu_count()}")
    for suite in suites:
        r: dict = report[suite]  # type: ignore[assignment]
        print(f"{suite:5s} {r['programs']:4d} programs (<= {r['max_lines']} lines): "
              f"sandbox {r['sandbox_programs_per_s']:.1f}/s, naive {r['naive_programs_per_s']:.1f}/s, "
              f"pool {r['pool_programs_per_s']:.1f}/s; sandbox/naive {r['sandbox_vs_naive']:.2f}x, "
              f"sandbox/pool {r['sandbox_vs_pool']:.3f}x")
    targets = {"tiny": ("sandbox_vs_naive", ">= 10x"), "long": ("sandbox_vs_pool", ">= 0.9x")}
    print("targets: " + "; ".join(f"{suite} {targets[suite][0]} {targets[suite][1]} -> "
                                  f"{report[suite][targets[suite][0]]}x" for suite in suites))  # type: ignore[index]


if __name__ == "__main__":
    main()
