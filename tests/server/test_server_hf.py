"""The hf backend: a tiny random model with a locally trained tokenizer (no download), served and queried."""

import openai
import pytest

pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from civilinstruct.server import create_app  # noqa: E402
from civilinstruct.server.generators import HFGenerator  # noqa: E402
from civilinstruct.server.runner import serve_in_thread  # noqa: E402

TEXTS = ["import openseespy.opensees as ops", "ops.node(1, 0.0, 0.0)", "ops.fix(1, 1, 1, 1)",
         "user: model a frame", "assistant: here is the code"] * 20


def tiny_gpt2(path):
    """A 2-layer GPT-2 without a chat template (exercises the plain 'role: content' prompt)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    core.train_from_iterator(TEXTS, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                        show_progress=False))
    tok = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=2, n_head=2, n_positions=256,
                                       eos_token_id=tok.eos_token_id, bos_token_id=tok.eos_token_id))
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.mark.slow
def test_hf_model_served_to_the_openai_client(tmp_path):
    path = tiny_gpt2(tmp_path / "tiny-gpt2")
    generator = HFGenerator(path, device="cpu")
    assert not getattr(generator.tokenizer, "chat_template", None)
    with serve_in_thread(create_app(generator)) as base:
        client = openai.OpenAI(base_url=base, api_key="unused")
        assert client.models.list().data[0].id == "tiny-gpt2"
        resp = client.chat.completions.create(model="tiny-gpt2", n=2, temperature=0.9, max_tokens=8, seed=1,
                                              messages=[{"role": "user", "content": "model a frame"}])
        assert len(resp.choices) == 2
        assert all(isinstance(c.message.content, str) for c in resp.choices)
        assert 0 < resp.usage.completion_tokens <= 16 and resp.usage.prompt_tokens > 3
        greedy = [client.chat.completions.create(model="m", temperature=0, max_tokens=6, n=2,
                                                 messages=[{"role": "user", "content": "ops.node"}])
                  for _ in range(2)]
        texts = [c.message.content for r in greedy for c in r.choices]
        assert len(texts) == 4 and len(set(texts)) == 1
