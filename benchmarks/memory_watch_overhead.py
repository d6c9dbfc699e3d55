"""What the sandbox's memory watch costs (sandbox/memwatch.py): per check, and on a batch of long programs, one run.

1. One check, timed in this process over a live program-like tree (a forked child holding 64 MB, sharing this
   interpreter's pages as a program shares its forker's): the cheap pass (resident sizes, under the cap) and the
   exact pass (PSS, taken only when the cheap bound passes the cap). A running program is checked every 10 ms near
   its cap and up to every 100 ms far below it, so the supervisor's share of a core is (cost per check / interval).
2. The throughput benchmark's long 3D frame programs in two sandboxes side by side, the watch on (the default) and
   off (`Limits.memory_watch=False`), rounds alternating: the supervisors' own CPU time with and without the watch
   (the watch runs there, not in the program), against the programs' CPU (what the supervisors reaped), and the
   batch wall of each (noisy on a shared machine; CPU time is not).

    .venv/bin/python benchmarks/memory_watch_overhead.py [--n 10] [--rounds 4] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import statistics
import time

import psutil
from sandbox_throughput import long_programs

from civilinstruct.sandbox import Sandbox
from civilinstruct.sandbox.memwatch import MAX_INTERVAL_S, MIN_INTERVAL_S, MemoryWatch, proportional


def check_cost(iterations: int) -> dict[str, float]:
    """Microseconds per check of a one-process tree: cheap pass only, and cheap + exact."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        block = b"x" * (64 << 20)
        os.write(ready_w, b"1")
        time.sleep(600)
        os._exit(len(block) & 0)
    os.read(ready_r, 1)
    try:
        watch = MemoryWatch("/tmp", "/nonexistent", False, [proportional(os.getpid())])
        out = {}
        for name, cap in (("cheap_us", 1 << 50), ("exact_us", 1)):
            start = time.perf_counter()
            for _ in range(iterations):
                watch.over(cap, {pid}, os.getpid(), 0, frozenset())
            out[name] = (time.perf_counter() - start) / iterations * 1e6
        return out
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def supervisors(box: Sandbox) -> list[psutil.Process]:
    """Each worker's supervisor: the worker process itself (weakly isolated) or bubblewrap's child running python."""
    found = []
    for pid in box.worker_pids:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:  # (bwrap's own command line names zygote.py too)
            if proc.name() != "bwrap" and (proc.pid == pid or proc.parent().name() == "bwrap"):
                found.append(proc)
    return found


def cpu(procs: list[psutil.Process]) -> tuple[float, float]:
    """(the supervisors' own CPU seconds, their reaped children's: the programs')."""
    own = kids = 0.0
    for proc in procs:
        times = proc.cpu_times()
        own += times.user + times.system
        kids += times.children_user + times.children_system
    return own, kids


def batch(box: Sandbox, codes: list[str], workers: int) -> tuple[float, float, float]:
    """(batch wall, supervisors' CPU, programs' CPU) of one batch."""
    procs = supervisors(box)
    own0, kids0 = cpu(procs)
    start = time.perf_counter()
    results = list(box.run_many(codes, workers=workers))
    wall = time.perf_counter() - start
    own1, kids1 = cpu(procs)
    bad = [r.status for r in results if r.status != "ok"]
    if bad:
        raise SystemExit(f"{len(bad)} programs did not succeed: {bad[:3]}")
    return wall, own1 - own0, kids1 - kids0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    cost = check_cost(args.iterations)
    codes = long_programs(args.n)
    runs: dict[str, list[tuple[float, float, float]]] = {"on": [], "off": []}
    with Sandbox(timeout=300, workers=args.workers, allow_weak_isolation=True) as on, \
            Sandbox(timeout=300, workers=args.workers, allow_weak_isolation=True) as off:
        off.limits = dataclasses.replace(off.limits, memory_watch=False)
        batch(on, codes[:2], args.workers)  # warm both
        batch(off, codes[:2], args.workers)
        for i in range(args.rounds):
            for name, box in ((("on", on), ("off", off)) if i % 2 == 0 else (("off", off), ("on", on))):
                runs[name].append(batch(box, codes, args.workers))
    med = {name: [statistics.median(r[k] for r in runs[name]) for k in range(3)] for name in runs}
    (on_wall, on_sup, on_prog), (off_wall, off_sup, off_prog) = med["on"], med["off"]
    result = {
        "check_cheap_us": round(cost["cheap_us"], 1), "check_exact_us": round(cost["exact_us"], 1),
        "interval_s": [MIN_INTERVAL_S, MAX_INTERVAL_S],
        "core_share_cheap": [round(cost["cheap_us"] / (i * 1e6), 5) for i in (MIN_INTERVAL_S, MAX_INTERVAL_S)],
        "programs": args.n, "workers": args.workers, "rounds": args.rounds,
        "batch_wall_on_s": round(on_wall, 3), "batch_wall_off_s": round(off_wall, 3),
        "supervisor_cpu_on_s": round(on_sup, 4), "supervisor_cpu_off_s": round(off_sup, 4),
        "program_cpu_on_s": round(on_prog, 3), "program_cpu_off_s": round(off_prog, 3),
        "watch_cpu_per_program_cpu": round((on_sup - off_sup) / on_prog, 5),
    }
    if args.json:
        print(json.dumps(result))
        return
    near, far = result["core_share_cheap"]
    print(f"one check: cheap {result['check_cheap_us']} us, cheap + exact {result['check_exact_us']} us; the cheap "
          f"pass every {MIN_INTERVAL_S * 1000:.0f} ms (near the cap) is {100 * near:.2f}% of a core, every "
          f"{MAX_INTERVAL_S * 1000:.0f} ms (far below it) {100 * far:.2f}%")
    print(f"{args.n} long programs x {args.rounds} rounds, {args.workers} workers (medians): supervisors' CPU "
          f"{on_sup:.3f} s with the watch, {off_sup:.3f} s without, for {on_prog:.2f} s of program CPU: the watch "
          f"costs {100 * result['watch_cpu_per_program_cpu']:.2f}% of the programs' CPU; batch wall {on_wall:.2f} s "
          f"on, {off_wall:.2f} s off (wall is noisy on a loaded machine)")


if __name__ == "__main__":
    main()
