"""Requests/s against the local OpenAI-compatible server with concurrency 1 vs 16, as a ratio.

    .venv/bin/python benchmarks/llm_concurrency.py --requests 64 --latency-ms 100

Three servers: the offline generator as it is (CPU-bound rules on this machine), the same with a fixed
per-request latency, and a latency-only server (a cheap fixed answer after the latency, standing in for a GPU
server's decode time). The last shows whether the client overlaps requests (a serializing client gives ~1x,
a perfect one 16x); the first two show what a CPU-bound server on a 2-core machine allows. All use the real
`openai` client through `OpenAIBackend` (no cache).
"""

from __future__ import annotations

import argparse
import time

from civilinstruct.llm import GenerationRequest
from civilinstruct.llm.offline import OFFLINE_HANDLERS
from civilinstruct.llm.openai_backend import OpenAIBackend
from civilinstruct.server import create_app
from civilinstruct.server.generators import OfflineGenerator
from civilinstruct.server.schemas import ChatRequest, Completion


class FixedAnswer:
    """A server-side generator with no CPU cost: isolates the client's concurrency."""

    model_id = "fixed"

    def complete(self, request: ChatRequest) -> Completion:
        return Completion(texts=["ok"] * request.n, finish_reasons=["stop"] * request.n, prompt_tokens=1,
                          completion_tokens=1)
from civilinstruct.server.runner import serve_in_thread

INSTRUCTION = "Model a {n}-story office RC frame in OpenSeesPy, intensity 8, site class II, 3 bays of 6 m."


def rate(base_url: str, requests: int, concurrency: int) -> float:
    backend = OpenAIBackend(base_url, "civilinstruct-offline", concurrency=concurrency, cache=None)
    batch = [GenerationRequest(template="bench_chat", variables={"text": INSTRUCTION.format(n=3 + i % 8)})
             for i in range(requests)]
    start = time.perf_counter()
    results = backend.generate_many(batch, concurrency=concurrency)
    elapsed = time.perf_counter() - start
    assert all(r.text for r in results)
    return requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()

    import os
    import tempfile
    from pathlib import Path

    prompts = Path(tempfile.mkdtemp())
    (prompts / "bench_chat.j2").write_text("{% block user %}{{ text }}{% endblock %}")
    os.environ["CIVILINSTRUCT_PROMPTS"] = str(prompts)
    print(f"codegen handler: {OFFLINE_HANDLERS['codegen']}; {args.requests} requests per measurement")
    latency = args.latency_ms / 1000
    for label, generator, delay in (("offline server (CPU-bound)", OfflineGenerator(), 0.0),
                                    (f"offline + {args.latency_ms:g} ms latency", OfflineGenerator(), latency),
                                    (f"latency-only {args.latency_ms:g} ms server", FixedAnswer(), latency)):
        with serve_in_thread(create_app(generator, latency_s=delay)) as base:
            rate(base, 4, 4)  # warm-up: imports, connections
            one = rate(base, args.requests, 1)
            sixteen = rate(base, args.requests, 16)
        print(f"{label:34s} c=1: {one:7.2f} req/s   c=16: {sixteen:7.2f} req/s   ratio: {sixteen / one:5.2f}x")


if __name__ == "__main__":
    main()
