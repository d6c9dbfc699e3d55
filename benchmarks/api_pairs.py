"""API-pairs targets on the documentation fixture, with speed ratios against baselines measured in the same run.

  parse   - all pages through `civilinstruct.opensees_docs` (article body cut out before BeautifulSoup) vs the
            baseline: BeautifulSoup on the whole page (sidebar included), then the same body lookup.
  build   - the offline pipeline end to end (generate, dedup, sandbox, signature check, Parquet store):
            verified deduplicated pairs, % command pages with a signature, % commands with a verified pair.
  verify  - a sample of the generated snippets through `Sandbox.run_many` (warm zygotes) vs the baseline:
            one `python file.py` subprocess per snippet, same worker count.

    .venv/bin/python benchmarks/api_pairs.py --docs HTML_DIR [--per-command 16]
                                             [--workers 2] [--sample 60] [--baseline-pages 80]
                                             [--skip-build] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _baselines import run_fresh



def bench_parse(docs: Path, baseline_pages: int) -> dict:
    """All pages through our parser; the ratio against whole-page parsing on the first `baseline_pages`."""
    from bs4 import BeautifulSoup

    from civilinstruct.opensees_docs import html_files, load_docs, parse_file

    files = html_files(docs)
    t0 = time.perf_counter()
    load_docs(docs, files)
    ours_all = time.perf_counter() - t0
    subset = files[:baseline_pages]
    t0 = time.perf_counter()
    for f in subset:
        parse_file(f)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for f in subset:
        soup = BeautifulSoup(f.read_text(encoding="utf-8", errors="replace"), "lxml")
        body = soup.select_one('[itemprop="articleBody"]') or soup
        body.select("dl.py.function > dt")
    baseline = time.perf_counter() - t0
    return {"pages": len(files), "parse_s": round(ours_all, 2), "ratio_pages": len(subset),
            "ours_subset_s": round(ours, 2), "baseline_full_page_s": round(baseline, 2),
            "speedup": round(baseline / ours, 2)}


def bench_build(docs: Path, per_command: int, workers: int, data: Path) -> dict:
    from civilinstruct.pipelines.api_pairs.coverage import coverage, verified_in_store
    from civilinstruct.pipelines.api_pairs import pipeline as api_pairs
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.store import Store

    store = Store(data)
    options = BuildOptions(docs=docs, per_command=per_command, workers=workers, timeout_s=20, progress=False)
    t0 = time.perf_counter()
    report = api_pairs.build(store, options)
    wall = time.perf_counter() - t0
    from civilinstruct.opensees_docs import load_docs

    cov = coverage(load_docs(docs), verified_in_store(store), {})
    programs = report.written + report.failed
    return {"pairs_verified_dedup": report.written, "programs_run": programs, "build_s": round(wall, 1),
            "programs_per_s": round(programs / wall, 1), "near_duplicates": report.dropped["near-duplicate instruction"],
            "command_pages": cov.command_pages, "signature_rate": round(cov.signature_rate, 4),
            "commands": cov.commands, "commands_verified": cov.commands_verified,
            "verified_rate": round(cov.verified_rate, 4), "dropped": dict(report.dropped)}


def bench_verify(docs: Path, sample: int, workers: int) -> dict:
    from civilinstruct.pipelines.api_pairs.generate import render, unsupported_reason
    from civilinstruct.opensees_docs import load_docs
    from civilinstruct.sandbox import Sandbox

    commands = [c for c in load_docs(docs).commands() if not unsupported_reason(c)]
    step = max(1, len(commands) // sample)
    codes = [render(c, 0, 0).code for c in commands[::step][:sample]]
    with Sandbox(timeout=20, workers=workers) as sandbox:
        list(sandbox.run_many(codes[:2]))  # warm up both workers
        t0 = time.perf_counter()
        fast = list(sandbox.run_many(codes, workers=workers))
        sandbox_s = time.perf_counter() - t0
    naive = run_fresh(codes, workers, timeout=60)
    codes_rc, naive_s = naive.returncodes, naive.seconds
    agree = sum((r.status == "ok") == (rc == 0) for r, rc in zip(fast, codes_rc))
    return {"snippets": len(codes), "sandbox_s": round(sandbox_s, 2), "subprocess_s": round(naive_s, 2),
            "speedup": round(naive_s / sandbox_s, 2), "same_verdict": f"{agree}/{len(codes)}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=Path, required=True, help="folder of the rendered OpenSeesPy HTML (the parse "
                    "benchmark measures the HTML parser)")
    ap.add_argument("--per-command", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--baseline-pages", type=int, default=80, help="pages for the whole-page parsing baseline")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out: dict = {}
    out["parse"] = bench_parse(args.docs, args.baseline_pages)
    out["verify"] = bench_verify(args.docs, args.sample, args.workers)
    if not args.skip_build:
        with tempfile.TemporaryDirectory() as tmp:
            out["build"] = bench_build(args.docs, args.per_command, args.workers, Path(tmp) / "data")
    if args.json:
        print(json.dumps(out, indent=2))
        return
    p, v = out["parse"], out["verify"]
    print(f"parse: {p['pages']} pages in {p['parse_s']} s (target < 30 s); on {p['ratio_pages']} pages "
          f"{p['ours_subset_s']} s vs whole-page BeautifulSoup {p['baseline_full_page_s']} s -> {p['speedup']}x")
    print(f"verify: {v['snippets']} snippets, sandbox {v['sandbox_s']} s vs one subprocess each {v['subprocess_s']} s "
          f"-> {v['speedup']}x (same verdict {v['same_verdict']})")
    if "build" in out:
        b = out["build"]
        print(f"build: {b['pairs_verified_dedup']} verified deduplicated pairs (target >= 3881) from "
              f"{b['programs_run']} programs in {b['build_s']} s ({b['programs_per_s']} programs/s), "
              f"{b['near_duplicates']} near-duplicates removed")
        print(f"coverage: {b['signature_rate']:.1%} of {b['command_pages']} command pages with a signature (>= 90%); "
              f"{b['commands_verified']}/{b['commands']} = {b['verified_rate']:.1%} commands verified (>= 70%)")


if __name__ == "__main__":
    main()
