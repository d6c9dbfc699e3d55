"""Does a built api_pairs part teach correct engineering? Build N pairs, re-run every one, and count.

Re-runs every stored pair through the sandbox and the semantic checks (`civilinstruct.pipelines.api_pairs.semantic`):
OpenSees warnings, failed analyses, unused objects, self-ties, values out of range. Also measures what the
issue reviewed: skeleton diversity (distinct normalised set-ups: the order in which a snippet first calls each
name, plus its kinds of blocks), how many numeric arguments come from {0.5, 1, 1.5, 2}, instructions that state
units or ask for a tag, truncated comments, and the build time. The baseline is v1's number where the issue
gave one (same measure on the earlier generator, quoted, not re-measured).

    .venv/bin/python benchmarks/api_pairs_semantic.py [--n 400] [--per-command 4] [--docs DIR] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path


def skeleton(code: str, with_types: bool) -> tuple:
    """First-use order of called names (with the type literal of each call, if `with_types`) plus block kinds."""
    tree = ast.parse(code)
    names: list[str] = []
    blocks: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.While, ast.If, ast.FunctionDef, ast.With, ast.Try, ast.Assert)):
            blocks.add(type(node).__name__)
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)),
                   key=lambda n: (n.lineno, n.col_offset))
    for call in calls:
        name = call.func.attr
        if with_types and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
            name += f":{call.args[0].value}"
        if name not in names:
            names.append(name)
    return tuple(names), tuple(sorted(blocks))


def numbers(code: str) -> list[float]:
    """The numeric arguments of the target call (the line marked `# the documented call`), names resolved."""
    from civilinstruct.pipelines.api_pairs.verify import bindings, expand

    tree = ast.parse(code)
    lines = code.splitlines()
    marked = {i + 1 for i, line in enumerate(lines) if "# the documented call" in line}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.end_lineno in marked:
            args = expand(list(node.args), bindings(tree)) or []
            return [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
    return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--per-command", type=int, default=4)
    ap.add_argument("--docs", default=None, help="documentation (default: the embedded set)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--dump", type=Path, help="also write the built pairs here (jsonl)")
    ap.add_argument("--pairs", type=Path, help="measure these pairs (jsonl from --dump, e.g. of an older version "
                    "built with its own checkout) instead of building")
    args = ap.parse_args()

    from civilinstruct.pipelines.api_pairs.semantic import problems, reason
    from civilinstruct.opensees_docs.source import load_source, resolve_docs
    from civilinstruct.pipelines.api_pairs import pipeline as api_pairs
    from civilinstruct.pipelines.base import BuildOptions
    from civilinstruct.sandbox import Sandbox
    from civilinstruct.store import Store

    if args.pairs:
        samples = [_Pair(**json.loads(line)) for line in args.pairs.read_text().splitlines()]
        build_s, dropped = 0.0, {}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "data")
            opts = BuildOptions(docs=args.docs, n=args.n, per_command=args.per_command, workers=args.workers,
                                timeout_s=30, progress=False)
            t0 = time.perf_counter()
            report = api_pairs.build(store, opts)
            build_s = time.perf_counter() - t0
            samples = [_Pair(s.code, s.spec, s.extra, s.messages[0].content) for s in store.iter_samples("api_pairs")]
            dropped = dict(report.dropped)
    if args.dump:
        args.dump.write_text("".join(json.dumps(vars(s)) + "\n" for s in samples))
    by_key = {c.key: c for c in load_source(resolve_docs(args.docs)).commands()}
    from civilinstruct.opensees_docs import parse_signature

    t0 = time.perf_counter()
    with Sandbox(timeout=30, workers=args.workers) as sandbox:
        results = list(sandbox.run_many([s.code for s in samples], workers=args.workers))
    rerun_s = time.perf_counter() - t0
    found: Counter[str] = Counter()
    failed_runs = 0
    not_ok: list[str] = []
    for s, r in zip(samples, results):
        spec = json.loads(s.spec)
        cmd = by_key.get(spec["command"])
        if r.status != "ok":
            failed_runs += 1
            not_ok.append(f"{spec['command']}: {r.status} {r.exception_type or ''}")
            continue
        sig = parse_signature(*_split(spec["signature"])) if cmd is None else \
            next(g for g in cmd.signatures if g.raw == spec["signature"]) if any(
                g.raw == spec["signature"] for g in cmd.signatures) else cmd.signatures[0]
        stand = json.loads(s.extra).get("stand_in")
        owner = by_key.get(stand) if stand else cmd
        if stand and owner is not None:
            sig = owner.signatures[spec["variant"] % len(owner.signatures)]
        p = problems(s.code, r, sig, owner.doc if owner else None)
        if p:
            found[reason(p)] += 1
    plain = {skeleton(s.code, False) for s in samples}
    typed = {skeleton(s.code, True) for s in samples}
    flat = {(k[0], tuple(b for b in k[1] if b != "FunctionDef")) for k in plain}  # the layout axis not counted
    nums = [x for s in samples for x in numbers(s.code)]
    floats = [x for x in nums if isinstance(x, float)]
    generic = sum(1 for x in floats if x in {0.5, 1.0, 1.5, 2.0})
    instr = [s.instruction for s in samples]
    units = sum(1 for t in instr if re.search(r"kN, m, s|N, mm, s|kip, in, s", t))
    tag_asks = sum(1 for t in instr if re.search(r"\w*[Tt]ag\w* = \d", t))
    truncated = sum(1 for s in samples for line in s.code.splitlines() if "#" in line and line.rstrip().endswith("..."))
    commands = {json.loads(s.spec)["command"] for s in samples}
    from civilinstruct.pipelines.api_pairs.words import argument_comments, has_reason

    arg_comments, copied = 0, 0
    with_reason = 0
    for s in samples:
        spec = json.loads(s.spec)
        stand = json.loads(s.extra).get("stand_in")
        owner = by_key.get(stand or spec["command"])
        for name, comment in argument_comments(s.code):
            arg_comments += 1
            with_reason += has_reason(comment)
            arg = owner.doc.arg(name) if owner else None
            text = arg.description.strip().rstrip(".").lower() if arg is not None else ""
            copied += bool(len(text) > 25 and text in comment.lower())  # a whole documented sentence reused
    out = {"pairs": len(samples), "commands": len(commands), "build_s": round(build_s, 1),
           "rerun_s": round(rerun_s, 1), "rerun_not_ok": failed_runs, "semantic_problems": dict(found),
           "skeletons_names": len(plain), "skeletons_names_ignoring_functions": len(flat), "skeletons_names_and_types": len(typed),
           "generic_float_share": round(generic / max(1, len(floats)), 3),
           "instructions_with_units": units, "instructions_asking_tags": tag_asks,
           "truncated_comments": truncated, "argument_comments": arg_comments,
           "argument_comments_with_reason": with_reason, "argument_comments_copying_docs": copied, "dropped": dropped, "not_ok": not_ok}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    n = out["pairs"]
    print(f"build: {n} pairs of {out['commands']} commands in {out['build_s']} s; re-run of all {n}: "
          f"{out['rerun_s']} s, {failed_runs} not ok {not_ok}")
    print(f"semantic problems on re-run: {sum(found.values())} {dict(found)} (v1 issue review: 27 warnings, "
          f"6 failed analyses, 53% unused helpers, 2+ self-ties)")
    print(f"skeletons: {out['skeletons_names']} distinct by called names ({out['skeletons_names'] / n:.1%}), "
          f"{out['skeletons_names_and_types']} by names and types ({out['skeletons_names_and_types'] / n:.1%}) "
          f"(v1: 47 of 400 / 107 of 300); {len(flat)} ({len(flat) / n:.1%}) by called names if wrapping the use "
          f"in a function does not count")
    print(f"values: {out['generic_float_share']:.1%} of the target calls' float arguments in {{0.5, 1.0, 1.5, 2.0}} (issue review: 44% of numeric arguments)")
    print(f"instructions: {units}/{n} state units (v1: 45/400), {tag_asks} ask for a tag (v1: 74/400); "
          f"truncated comments: {truncated}")
    print(f"argument comments: {arg_comments}, {with_reason} ({with_reason / max(1, arg_comments):.1%}) say why "
          f"the value, {copied} reuse a documented sentence (longer than 25 characters)")
    print(f"dropped at build: {out['dropped']}")
    if args.pairs is None:
        print("(v1 figures: the issue's review; rerun them with --pairs on a --dump made from the v1 checkout)")


class _Pair:
    """What the measures read of a pair."""

    def __init__(self, code: str, spec: str, extra: str, instruction: str) -> None:
        self.code, self.spec, self.extra, self.instruction = code, spec, extra, instruction


def _split(raw: str) -> tuple[str, str]:
    head, _, rest = raw.partition("(")
    return head, rest.rstrip(")")


if __name__ == "__main__":
    main()
