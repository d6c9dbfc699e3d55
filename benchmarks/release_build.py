"""Release build at scale: wall time and peak memory of `civilinstruct build MANIFEST`, as ratios within one run.

    .venv/bin/python benchmarks/release_build.py                       # demo at 1x and 3x: is peak memory flat?
    .venv/bin/python benchmarks/release_build.py --ray                 # + the 1x build with --executor ray
    .venv/bin/python benchmarks/release_build.py --full                # + the whole v1 manifest (targets: <= 20 min,
                                                                       #   peak RSS <= 2 GiB)

Each build runs as its own `civilinstruct build ... --json` process in a fresh data directory under
benchmarks/_work/. Memory is sampled every 0.25 s with psutil: the RSS of the build process itself (the driver that
holds the samples, the store writer, the exports) and the PSS summed over its whole process tree (sandbox zygotes
and the programs they fork share pages; PSS splits shared pages fairly so the sum is not inflated).
The manifest is scaled by multiplying every part's `n` (and api_pairs' per-command count, which sets its size).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).parent / "civilinstruct")]


def scaled_manifest(src: Path, factor: int, dest: Path, executor: str | None = None) -> Path:
    data = yaml.safe_load(src.read_text())
    for name, spec in data["parts"].items():
        if spec.get("n") is not None:
            spec["n"] = int(spec["n"]) * factor
        if name == "api_pairs" and spec.get("per_command"):
            spec["per_command"] = int(spec["per_command"]) * factor
        if spec.get("docs") and spec["docs"] != "embedded" and not str(spec["docs"]).startswith("openseespydoc@"):
            spec["docs"] = str((src.parent / spec["docs"]).resolve())  # a folder: relative to the manifest
    if executor:
        data.setdefault("execution", {})["executor"] = executor
    dest.write_text(yaml.safe_dump(data, sort_keys=False))
    return dest


class Sampler(threading.Thread):
    """Peak RSS of one process and peak PSS of its process tree."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.every = every
        self.peak_rss = 0
        self.peak_tree_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)
                total = 0
                for p in [self.proc, *self.proc.children(recursive=True)]:
                    try:
                        total += p.memory_full_info().pss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
                self.peak_tree_pss = max(self.peak_tree_pss, total)
            except psutil.NoSuchProcess:
                return
            self.stop.wait(self.every)


def run_build(manifest: Path, data: Path, extra: list[str]) -> dict:
    if data.exists():
        subprocess.run(["rm", "-rf", str(data)], check=True)
    cmd = [*CLI, "build", str(manifest), "--data", str(data), "--json", *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    report = json.loads(out)
    return {"wall_s": wall, "peak_rss_mb": sampler.peak_rss / 2**20, "peak_tree_pss_mb": sampler.peak_tree_pss / 2**20,
            "written": {p["part"]: p["written"] for p in report["parts"]},
            "rows_exported": sum(sum(e["files"].values()) for e in report["exports"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=REPO / "manifests" / "demo.yaml")
    ap.add_argument("--scales", default="1,3", help="multiples of the manifest to build")
    ap.add_argument("--ray", action="store_true", help="also build the 1x manifest with --executor ray")
    ap.add_argument("--full", action="store_true", help="also build manifests/civilinstruct-v1.yaml")
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / "_work" / "release")
    ap.add_argument("--extra", default="", help="extra arguments for every build (e.g. --allow-weak-isolation)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    extra = args.extra.split()
    rows: list[tuple[str, dict]] = []
    scales = [int(s) for s in args.scales.split(",") if s]
    for s in scales:
        m = scaled_manifest(args.manifest, s, args.work / f"scale{s}.yaml")
        rows.append((f"{args.manifest.stem} x{s} (local)", run_build(m, args.work / f"data-x{s}", extra)))
        print(f"# {rows[-1][0]}: {json.dumps(rows[-1][1])}", flush=True)
    if args.ray:
        m = scaled_manifest(args.manifest, scales[0], args.work / "ray.yaml", executor="ray")
        rows.append((f"{args.manifest.stem} x{scales[0]} (ray)", run_build(m, args.work / "data-ray", extra)))
        print(f"# {rows[-1][0]}: {json.dumps(rows[-1][1])}", flush=True)
    if args.full:
        m = scaled_manifest(REPO / "manifests" / "civilinstruct-v1.yaml", 1, args.work / "v1.yaml")
        rows.append(("civilinstruct-v1 (local)", run_build(m, args.work / "data-v1", extra)))
        print(f"# {rows[-1][0]}: {json.dumps(rows[-1][1])}", flush=True)

    print("\n| build | samples written | rows exported | wall s | peak RSS build MB | peak PSS tree MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(f"| {name} | {sum(r['written'].values())} | {r['rows_exported']} | {r['wall_s']:.1f} | "
              f"{r['peak_rss_mb']:.0f} | {r['peak_tree_pss_mb']:.0f} |")
    base = rows[0][1]
    print()
    for name, r in rows[1:]:
        print(f"{name} / {rows[0][0]}: wall x{r['wall_s'] / base['wall_s']:.2f}, samples "
              f"x{sum(r['written'].values()) / max(1, sum(base['written'].values())):.2f}, peak RSS "
              f"x{r['peak_rss_mb'] / base['peak_rss_mb']:.2f}, peak tree PSS "
              f"x{r['peak_tree_pss_mb'] / base['peak_tree_pss_mb']:.2f}")


if __name__ == "__main__":
    main()
