"""What the 8B LoRA recipes cost on one GPU: peak memory, tokens/s and s/step per sequence length, and rollout speed.

A randomly initialised Llama with the shapes of an 8B code model (Seed-Coder-8B: hidden 4096, 32 layers, MLP 14336,
32 heads, 8 KV heads, vocab 155,136) is built on the device without any download, then trained as
`civilinstruct/train/recipes/sft-8b-lora.yaml` trains (the settings of `civilinstruct/train/modeling.py`):

  sft     - LoRA r64 alpha128 dropout 0.05 on all linear layers, bf16 autocast over bf16 weights, gradient
            checkpointing (use_reentrant False), AdamW (fused on a GPU), random token ids of exactly max_length, the
            loss on every token (the worst case of completion-only loss). Per length the batch starts at --batch and
            halves on out-of-memory, so the table says what fits.
  grpo    - one GRPO micro-batch (--grpo-batch completions of prompt + completion tokens): a reference forward with
            the adapter switched off (the KL term), then the policy forward/backward of the GRPO loss.
  rollout - `model.generate` of --gen-batches sequences x --gen-tokens new tokens (sampling, temperature 1, the
            LoRA adapter unmerged, as TRL generates without vLLM), extrapolated to the recipe's groups.

`--head trl` (the default when TRL imports) puts TRL's fused LM head on the model, as SFTTrainer and GRPOTrainer do,
so the (batch, length, vocab) logits are never built; `--head full` uses the transformers loss over full logits
(what a plain Trainer does). The script imports only torch, transformers, peft (and TRL for the fused head), never
civilinstruct, so it runs on a GPU machine without the project's other dependencies (where TRL is missing, unzip
the trl, datasets, dill and multiprocess wheels into a folder and put it on PYTHONPATH).

    python3 benchmarks/gpu_recipes.py --lengths 8192,16384,24576 --steps 3 --json out.json   # on the GPU
    python3 benchmarks/gpu_recipes.py --tiny                                                  # CPU smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import time
import warnings
from contextlib import nullcontext
from typing import Any

SHAPES: dict[str, dict[str, Any]] = {
    "8b": dict(hidden_size=4096, num_hidden_layers=32, intermediate_size=14336, num_attention_heads=32,
               num_key_value_heads=8, vocab_size=155136, max_position_embeddings=32768),
    "tiny": dict(hidden_size=64, num_hidden_layers=2, intermediate_size=128, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=1024, max_position_embeddings=4096),
}
LORA = dict(r=64, lora_alpha=128, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM", bias="none")


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _gib(n: int) -> float:
    return round(n / 2**30, 2)


class Bench:
    """The model, its optimizer and the device; each measurement frees what it built so the next one starts clean."""

    def __init__(self, args: argparse.Namespace) -> None:
        import torch

        self.torch, self.args = torch, args
        self.head_error: str | None = None
        self.cuda = torch.cuda.is_available() and not args.cpu
        self.device = torch.device("cuda" if self.cuda else "cpu")
        # resolve_precision("auto"): bf16 on a GPU that has it, fp32 elsewhere
        self.dtype = torch.bfloat16 if self.cuda and torch.cuda.is_bf16_supported() else torch.float32
        self.head = self._pick_head(args.head)
        self.model, self.build_s = self._build()
        self.optimizer = torch.optim.AdamW([p for p in self.model.parameters() if p.requires_grad], lr=1e-4,
                                           weight_decay=0.0, fused=self.cuda)

    def _pick_head(self, head: str) -> str:
        if head != "auto":
            return head
        try:
            from trl.trainer.utils import add_fused_lm_head  # noqa: F401
        except Exception as exc:  # TRL (or datasets under it) missing: full logits, said in the output
            self.head_error = f"{type(exc).__name__}: {exc}"[:300]
            print(f"TRL's fused LM head unavailable ({self.head_error}); using full logits", file=sys.stderr)
            return "full"
        return "trl"

    def _build(self) -> tuple[Any, float]:
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModelForCausalLM, LlamaConfig

        torch = self.torch
        started = time.perf_counter()
        torch.manual_seed(0)
        config = LlamaConfig(**SHAPES["tiny" if self.args.tiny else "8b"], tie_word_embeddings=False,
                             attn_implementation="sdpa", use_cache=False)
        with torch.device(self.device):
            model = AutoModelForCausalLM.from_config(config, dtype=self.dtype)
        self.n_params = sum(p.numel() for p in model.parameters())
        if self.head == "trl":
            from trl.trainer.utils import add_fused_lm_head

            add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))  # what SFTTrainer asks for
        with warnings.catch_warnings():  # renamed activation_checkpointing_enable in transformers 5.2x
            warnings.simplefilter("ignore", FutureWarning)
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model = get_peft_model(model, LoraConfig(**LORA))
        self.n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        if self.cuda:
            torch.cuda.synchronize()
        return model, time.perf_counter() - started

    def _autocast(self) -> Any:
        return self.torch.autocast("cuda", dtype=self.dtype) if self.cuda else nullcontext()

    def _sync(self) -> None:
        if self.cuda:
            self.torch.cuda.synchronize()

    def _batch(self, batch: int, length: int) -> tuple[Any, Any]:
        ids = self.torch.randint(0, self.model.config.vocab_size, (batch, length), device=self.device)
        return ids, self.torch.ones_like(ids)

    def _logprobs(self, ids: Any, mask: Any) -> Any:
        """Per-token log-probabilities of the next token, shape (batch, length - 1)."""
        if self.head == "trl":
            return self.model(input_ids=ids, attention_mask=mask, labels=ids, fused_lm_head=True).log_probs
        logits = self.model(input_ids=ids, attention_mask=mask).logits[:, :-1]
        return logits.float().log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)

    def _sft_loss(self, ids: Any, mask: Any) -> Any:
        if self.head == "trl":
            return self.model(input_ids=ids, attention_mask=mask, labels=ids, fused_lm_head=True).loss
        return self.model(input_ids=ids, attention_mask=mask, labels=ids).loss

    def _grpo_loss(self, ids: Any, mask: Any, beta: float = 0.04) -> Any:
        """The GRPO loss of one micro-batch (one iteration, so old = current policy): -A * ratio + beta * KL."""
        torch = self.torch
        with torch.no_grad(), self.model.disable_adapter():
            ref = self._logprobs(ids, mask)
        logp = self._logprobs(ids, mask)
        advantages = torch.randn(ids.shape[0], 1, device=self.device)
        delta = ref - logp
        kl = torch.exp(delta) - delta - 1
        return (-(torch.exp(logp - logp.detach()) * advantages) + beta * kl).mean()

    def train(self, kind: str, batch: int, length: int, steps: int) -> dict[str, Any]:
        """Warm-up step, then `steps` timed optimizer steps; one micro-batch each (grad_accum multiplies the time)."""
        torch = self.torch
        self.model.train()
        loss_fn = self._sft_loss if kind == "sft" else self._grpo_loss
        ids, mask = self._batch(batch, length)
        times, losses = [], []
        for step in range(steps + 1):
            self._sync()
            started = time.perf_counter()
            with self._autocast():
                loss = loss_fn(ids, mask)
            loss.backward()
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            self._sync()
            if step:  # the first step pays allocator growth and kernel selection
                times.append(time.perf_counter() - started)
            losses.append(round(float(loss.detach()), 4))
        s_step = sum(times) / len(times)
        return {"s_per_step": round(s_step, 3), "tokens_per_s": round(batch * length / s_step, 1), "losses": losses}

    def generate(self, batch: int, prompt: int, new_tokens: int, adapter: bool) -> dict[str, Any]:
        """Sampled rollouts of exactly `new_tokens` tokens (the random model's EOS suppressed); prefill timed apart.

        `adapter=False` switches the LoRA adapter off: the speed of a merged model, against the unmerged adapter
        TRL generates with.
        """
        self.model.eval()
        kw = dict(do_sample=True, temperature=1.0, top_p=1.0, use_cache=True, pad_token_id=0, eos_token_id=2)

        def timed(ids: Any, mask: Any, n: int) -> tuple[float, int]:
            self._sync()
            started = time.perf_counter()
            out = self.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=n, min_new_tokens=n, **kw)
            self._sync()
            return time.perf_counter() - started, out.shape[1] - ids.shape[1]

        with self.torch.no_grad(), self._autocast(), (nullcontext() if adapter else self.model.disable_adapter()):
            timed(*self._batch(1, 16), 2)  # kernel selection, allocator growth
            ids, mask = self._batch(batch, prompt)
            prefill_s, _ = timed(ids, mask, 1)
            wall, made = timed(ids, mask, new_tokens)
        step = (wall - prefill_s) / max(made - 1, 1)
        return {"adapter": adapter, "new_tokens": made, "wall_s": round(wall, 2), "prefill_s": round(prefill_s, 2),
                "s_per_decode_step": round(step, 4), "tokens_per_s": round(batch / step, 1)}

    def measure(self, what: str, fn: Any, *fargs: Any) -> dict[str, Any]:
        """Run one measurement with peak memory reset; an out-of-memory error becomes a row, not a crash."""
        torch = self.torch
        if self.cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        row: dict[str, Any]
        try:
            row = {"ok": True, **fn(*fargs)}
        except torch.OutOfMemoryError as exc:
            row = {"ok": False, "error": "OOM: " + str(exc).splitlines()[0][:160]}
        self.optimizer.zero_grad(set_to_none=True)
        gc.collect()
        if self.cuda:
            row["peak_gib"] = _gib(torch.cuda.max_memory_allocated())
            row["reserved_gib"] = _gib(torch.cuda.max_memory_reserved())
            torch.cuda.empty_cache()
        print(json.dumps({"what": what, **row}), file=sys.stderr, flush=True)
        return row


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()

    def over_budget() -> bool:
        return bool(args.budget_s) and time.perf_counter() - started > args.budget_s

    bench = Bench(args)
    torch = bench.torch
    result: dict[str, Any] = {
        "device": torch.cuda.get_device_name() if bench.cuda else platform.processor() or "cpu",
        "total_gib": _gib(torch.cuda.get_device_properties(0).total_memory) if bench.cuda else None,
        "versions": {"torch": torch.__version__, **_versions()}, "shape": "tiny" if args.tiny else "8b",
        "dtype": str(bench.dtype), "head": bench.head, "head_error": bench.head_error, "params_b": round(bench.n_params / 1e9, 3),
        "lora_params": bench.n_trainable, "lora_params_m": round(bench.n_trainable / 1e6, 1),
        "build_s": round(bench.build_s, 1),
        "weights_gib": _gib(torch.cuda.memory_allocated()) if bench.cuda else None,
        "sft": [], "grpo": [], "rollout": [],
    }
    print(json.dumps({k: v for k, v in result.items() if k not in ("sft", "grpo", "rollout")}), file=sys.stderr)
    save = (lambda: _write(args.json, result)) if args.json else (lambda: None)
    save()
    for kind, lengths, first_batch in (("sft", args.lengths, args.batch), ("grpo", args.grpo_lengths, args.grpo_batch)):
        for length in lengths:
            batch, fitted = first_batch, False
            while batch >= 1 and not over_budget():
                row = {"length": length, "batch": batch,
                       **bench.measure(f"{kind} {batch}x{length}", bench.train, kind, batch, length, args.steps)}
                result[kind].append(row)
                save()
                if row["ok"]:
                    fitted = True
                    break
                batch //= 2
            if not fitted:
                break  # a longer sequence will not fit either
    for batch, adapter in [(b, a == "on") for b in args.gen_batches for a in args.gen_adapter]:
        if over_budget():
            break
        row = {"batch": batch, "prompt": args.gen_prompt,
               **bench.measure(f"rollout {batch}x{args.gen_prompt}+{args.gen_tokens} adapter {adapter}",
                               bench.generate, batch, args.gen_prompt, args.gen_tokens, adapter)}
        if row["ok"]:  # the recipes' groups, at this decode-step time (a lower bound: attention grows with context)
            row["est_s_4096_new"] = round(row["s_per_decode_step"] * 4096, 1)
            row["est_s_8192_new"] = round(row["s_per_decode_step"] * 8192, 1)
        result["rollout"].append(row)
        save()
    result["wall_s"] = round(time.perf_counter() - started, 1)
    result["budget_hit"] = over_budget()
    save()
    return result


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("transformers", "peft", "accelerate", "trl"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "-"
    return out


def _write(path: str, result: dict[str, Any]) -> None:
    with open(path, "w") as fh:
        json.dump(result, fh, indent=2)


def table(result: dict[str, Any]) -> str:
    """Markdown rows for benchmarks/RESULTS.md."""
    lines = ["| stage | batch x tokens | peak GiB | s/step | tokens/s |", "|---|---|---|---|---|"]
    for kind in ("sft", "grpo"):
        for r in result[kind]:
            cells = ([r.get("peak_gib", "-"), r["s_per_step"], r["tokens_per_s"]] if r["ok"]
                     else [f"OOM (peak {r.get('peak_gib', '-')})", "-", "-"])
            lines.append(f"| {kind} | {r['batch']} x {r['length']} | " + " | ".join(map(str, cells)) + " |")
    for r in result["rollout"]:
        cells = ([r.get("peak_gib", "-"), r["s_per_decode_step"], r["tokens_per_s"]] if r["ok"]
                 else [f"OOM (peak {r.get('peak_gib', '-')})", "-", "-"])
        lines.append(f"| rollout{'' if r.get('adapter', True) else ' (adapter off)'} | "
                     f"{r['batch']} x {r['prompt']}+{r.get('new_tokens', '?')} | "
                     + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options, with the defaults that depend on --tiny filled in."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny shapes (a CPU smoke run), not the 8B ones")
    parser.add_argument("--cpu", action="store_true", help="stay on the CPU even if a GPU is present")
    parser.add_argument("--head", choices=["auto", "trl", "full"], default="auto",
                        help="trl: TRL's fused LM head (as the trainers use); full: full logits; auto: trl if importable")
    parser.add_argument("--lengths", type=_ints, default=None, help="SFT max_length values (comma-separated)")
    parser.add_argument("--batch", type=int, default=2, help="SFT batch to try first at each length (halves on OOM)")
    parser.add_argument("--grpo-lengths", type=_ints, default=None,
                        help="GRPO prompt+completion token counts (default: 1024+4096 and 1024+8192)")
    parser.add_argument("--grpo-batch", type=int, default=4, help="completions per GRPO micro-batch (the recipe: 4)")
    parser.add_argument("--steps", type=int, default=3, help="timed optimizer steps per configuration (after 1 warm-up)")
    parser.add_argument("--gen-batches", type=_ints, default=None, help="rollout batch sizes (default 8,32)")
    parser.add_argument("--gen-prompt", type=int, default=None, help="prompt tokens per rollout (default 1024)")
    parser.add_argument("--gen-tokens", type=int, default=None, help="new tokens per rollout (default 1024)")
    parser.add_argument("--gen-adapter", type=lambda t: t.split(","), default=["on"],
                        help="rollouts with the LoRA adapter on (as TRL generates), off (a merged model), or on,off")
    parser.add_argument("--budget-s", type=float, default=0, help="start no new measurement after this many seconds")
    parser.add_argument("--json", default=None, help="write the results here (rewritten after every measurement)")
    args = parser.parse_args(argv)
    small = args.tiny
    args.lengths = args.lengths or ([64, 128] if small else [8192, 16384, 24576])
    args.grpo_lengths = args.grpo_lengths or ([96] if small else [1024 + 4096, 1024 + 8192])
    args.gen_batches = args.gen_batches or ([2] if small else [8, 32])
    args.gen_prompt = args.gen_prompt or (16 if small else 1024)
    args.gen_tokens = args.gen_tokens or (8 if small else 1024)
    return args


def main() -> None:
    result = run(parse_args())
    print(table(result))
    print(f"device {result['device']}, head {result['head']}, {result['params_b']}B params, "
          f"{result['lora_params_m']}M LoRA, build {result['build_s']} s, total {result['wall_s']} s")
    if not any(r["ok"] for r in result["sft"]):
        sys.exit(1)  # nothing fitted: say so through the exit status too


if __name__ == "__main__":
    main()
