"""What the sandbox's model probe costs: the same long frame programs with the probe and without it, one run.

Two sandboxes side by side, one with `probe=True` (the default: eigen/wipe wrapped, the domain read at each
eigen call, before a wipe and at the end) and one with `probe=False` (the same authenticated end-of-run report,
nothing else). Rounds alternate between them so machine load hits both. Two program sets:
  frames3d - the throughput benchmark's long 3D RC frames (8-12 stories, ~300 nodes, ~600 elements, gravity,
             eigen, lateral steps; 600-1000 lines)
  codegen  - the project's own long_code programs (`codegen.render` of sampled designs: 2D frames, eigen, response
             spectrum, drift and member checks)
Prints, per set, the median batch wall time of each and the overhead (probe / no probe - 1; target <= 5 %), and
the programs' own time (the child's wall, `RunResult.wall_s`) the same way. Wall times on a loaded machine are
noisy, so it also measures CPU time, in forked children of this process as the zygote's are (probe installed
once, started or not per child): the median over programs of (CPU with probe / CPU without - 1).

    .venv/bin/python benchmarks/probe_overhead.py [--n 20] [--rounds 5] [--workers 1] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import struct
import tempfile
import time

from sandbox_throughput import long_programs

from civilinstruct.codegen import render
from civilinstruct.design import design
from civilinstruct.spec.sampling import sample_spec
from civilinstruct.sandbox import Sandbox


def codegen_programs(n: int) -> list[str]:
    rng = random.Random(15)
    return [render(design(sample_spec(rng)), style_seed=i) for i in range(n)]


def batch(box: Sandbox, codes: list[str], workers: int) -> tuple[float, float]:
    """(batch wall time, summed program wall time); raises when a program did not succeed."""
    start = time.perf_counter()
    results = list(box.run_many(codes, workers=workers))
    wall = time.perf_counter() - start
    bad = [r.status for r in results if r.status != "ok"]
    if bad:
        raise SystemExit(f"{len(bad)} programs did not succeed: {bad[:3]}")
    return wall, sum(r.wall_s for r in results)


def child_cpu(ctl: object, code: str, model: bool) -> float:
    """CPU seconds of one program in a forked child: probe started (model or not), program, end report."""
    r, w = os.pipe()
    frames = tempfile.TemporaryFile()  # (a pipe nobody reads would block a big snapshot)
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            import sys

            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
            start = time.process_time()
            ctl.start(os.urandom(32), frames.fileno(), model)  # type: ignore[attr-defined]
            exec(compile(code, "<program>", "exec"), {"__name__": "__main__"})
            ctl.finish({})  # type: ignore[attr-defined]
            sys.stdout.flush()
            os.write(w, struct.pack("d", time.process_time() - start))
        finally:
            os._exit(0)
    os.close(w)
    data = os.read(r, 8)
    os.close(r)
    os.waitpid(pid, 0)
    frames.close()
    if len(data) != 8:
        raise SystemExit("a program failed in the CPU-time measurement")
    return struct.unpack("d", data)[0]


def cpu_overhead(suites: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median over programs of the CPU-time ratio with/without the probe - 1, in %, per set."""
    from civilinstruct.sandbox import probe

    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    import openseespy.opensees  # noqa: F401

    ctl = probe.install()
    out = {}
    for suite, codes in suites.items():
        ratios = []
        for code in codes:
            on, off = [], []
            for index in range(rounds):
                for model in ((True, False) if index % 2 == 0 else (False, True)):
                    (on if model else off).append(child_cpu(ctl, code, model))
            ratios.append(statistics.median(on) / statistics.median(off))
        out[suite] = round(100 * (statistics.median(ratios) - 1), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="programs per set")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    suites = {"frames3d": long_programs(args.n), "codegen": codegen_programs(args.n)}
    times = {s: {"probe": ([], []), "none": ([], [])} for s in suites}  # type: ignore[var-annotated]
    with Sandbox(timeout=120, workers=args.workers) as probed, \
            Sandbox(timeout=120, workers=args.workers, probe=False) as bare:
        checked = probed.run(suites["frames3d"][0])
        assert checked.model is not None and checked.model.eigen_calls == 1, "the probe is not on"
        assert bare.run(suites["frames3d"][0]).model is None, "the baseline still probes"
        for box in (probed, bare):
            list(box.run_many(["pass"] * 2 * args.workers, workers=args.workers))
        for index in range(args.rounds):
            for suite, codes in suites.items():
                order = (("probe", probed), ("none", bare)) if index % 2 == 0 else (("none", bare), ("probe", probed))
                for name, box in order:
                    wall, own = batch(box, codes, args.workers)
                    times[suite][name][0].append(wall)
                    times[suite][name][1].append(own)
    cpu = cpu_overhead(suites, args.rounds)
    report: dict[str, object] = {"n": args.n, "rounds": args.rounds, "workers": args.workers,
                                 "cpus": os.cpu_count()}
    for suite, codes in suites.items():
        med = {name: (statistics.median(t[0]), statistics.median(t[1])) for name, t in times[suite].items()}
        report[suite] = {
            "max_lines": max(len(c.splitlines()) for c in codes),
            "batch_s_probe": round(med["probe"][0], 3), "batch_s_none": round(med["none"][0], 3),
            "overhead_batch_pct": round(100 * (med["probe"][0] / med["none"][0] - 1), 2),
            "program_s_probe": round(med["probe"][1], 3), "program_s_none": round(med["none"][1], 3),
            "overhead_program_pct": round(100 * (med["probe"][1] / med["none"][1] - 1), 2),
            "overhead_cpu_pct": cpu[suite],
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"n={args.n} rounds={args.rounds} workers={args.workers} cpus={os.cpu_count()} (medians)")
    for suite in suites:
        r: dict = report[suite]  # type: ignore[assignment]
        print(f"{suite:9s} (<= {r['max_lines']} lines): batch {r['batch_s_probe']:.3f} s probed vs "
              f"{r['batch_s_none']:.3f} s bare -> {r['overhead_batch_pct']:+.2f} %; programs' own time "
              f"{r['program_s_probe']:.3f} vs {r['program_s_none']:.3f} s -> {r['overhead_program_pct']:+.2f} %; "
              f"CPU per program {r['overhead_cpu_pct']:+.2f} %")
    print("target: overhead <= 5 %")


if __name__ == "__main__":
    main()
