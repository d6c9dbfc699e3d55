"""The two things the server can serve: the offline rule-based generator and a local Hugging Face model."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError
from civilinstruct.pipelines import offline_answers  # noqa: F401  the offline backend answers every template
from civilinstruct.server.schemas import ChatRequest, Completion


class OfflineGenerator:
    """The offline backend's rule-based answers for every template in `prompts/` (found from the system message,
    see `routing`); `max_tokens` truncates by words, like a token limit. A prompt no rule can answer raises
    `CivilError`, which the app turns into a 400.
    """

    model_id = "civilinstruct-offline"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def complete(self, request: ChatRequest) -> Completion:
        from civilinstruct.llm.offline import _to_text, call_handler
        from civilinstruct.server.routing import route, variables_for

        seed = self.seed if request.seed is None else request.seed
        messages = [{"role": m.role, "content": m.text()} for m in request.messages]
        template, user = route(messages)
        variables = variables_for(template, user)
        texts = [_to_text(call_handler(template, user, seed + i, variables)) for i in range(request.n)]
        limit = request.token_limit()
        reasons: list[Any] = []
        out: list[str] = []
        for text in texts:
            words = list(re.finditer(r"\S+", text))
            if limit is not None and len(words) > limit:
                out.append(text[: words[limit - 1].end()])
                reasons.append("length")
            else:
                out.append(text)
                reasons.append("stop")
        return Completion(texts=out, finish_reasons=reasons,
                          prompt_tokens=sum(len(m["content"].split()) for m in messages),
                          completion_tokens=sum(len(t.split()) for t in out))


class HFGenerator:
    """A local transformers causal LM (a `save_pretrained` directory), sampled with `generate`.

    torch and transformers are imported here, not at module import, so the offline server starts fast.
    Generation holds a lock: one forward pass at a time on the device.
    """

    def __init__(self, path: str | Path, device: str | None = None) -> None:
        path = Path(path)
        if not path.is_dir() or not (path / "config.json").is_file():
            raise CivilError(f"no Hugging Face model at {path} (expected a save_pretrained directory with config.json)")
        from civilinstruct.errors import require_extra

        require_extra("torch", "train")
        require_extra("transformers", "train")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.model_id = path.name
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModelForCausalLM.from_pretrained(str(path)).to(self.device).eval()
        self._torch = torch
        self._lock = threading.Lock()

    def _prompt_ids(self, request: ChatRequest) -> Any:
        messages = [{"role": m.role, "content": m.text()} for m in request.messages]
        if getattr(self.tokenizer, "chat_template", None):
            text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            text = "\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\nassistant:"
        return self.tokenizer(text, return_tensors="pt").input_ids.to(self.device)

    def default_max_new_tokens(self, prompt_len: int) -> int:
        """When the client sets no limit: the model's own (generation config), else what its context has left,
        so a long program is not cut at an arbitrary few hundred tokens."""
        configured = getattr(getattr(self.model, "generation_config", None), "max_new_tokens", None)
        if configured:
            return int(configured)
        cfg = self.model.config
        context = next((getattr(cfg, k) for k in ("max_position_embeddings", "n_positions", "max_sequence_length")
                        if isinstance(getattr(cfg, k, None), int)), None)
        return max(1, context - prompt_len) if context else 4096

    def complete(self, request: ChatRequest) -> Completion:
        torch = self._torch
        input_ids = self._prompt_ids(request)
        max_new = request.token_limit() or self.default_max_new_tokens(input_ids.shape[1])
        temperature = 1.0 if request.temperature is None else request.temperature
        kwargs: dict[str, Any] = {"max_new_tokens": max_new, "num_return_sequences": request.n,
                                  "attention_mask": torch.ones_like(input_ids)}
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=request.top_p or 1.0)
        else:  # greedy: every choice is the same sequence, so decode it once
            kwargs.update(do_sample=False, num_return_sequences=1)
        pad = self.tokenizer.pad_token_id
        eos = self.tokenizer.eos_token_id
        kwargs["pad_token_id"] = pad if pad is not None else eos
        with self._lock, torch.no_grad():
            if request.seed is not None:
                torch.manual_seed(request.seed)
            output = self.model.generate(input_ids, **kwargs)
        if output.shape[0] < request.n:
            output = output.repeat(request.n, 1)
        prompt_len = input_ids.shape[1]
        texts, reasons, generated = [], [], 0
        for row in output:
            new = row[prompt_len:]
            if eos is not None and (new == eos).any():
                new = new[: int((new == eos).nonzero()[0])]
                reasons.append("stop")
            else:
                reasons.append("length" if len(new) >= max_new else "stop")
            generated += len(new)
            texts.append(self.tokenizer.decode(new, skip_special_tokens=True))
        return Completion(texts=texts, finish_reasons=reasons, prompt_tokens=prompt_len,
                          completion_tokens=generated)
