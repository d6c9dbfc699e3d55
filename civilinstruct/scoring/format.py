"""r_fmt, and the one place that decides which program a completion contains.

A GRPO policy learns whatever the reward lets through, so both the format score and the program
extraction are strict in the same way: code is only ever taken from outside `<think>`, preferably from
`<answer>`, so a model cannot hide its program in its reasoning and still be run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_THINK = re.compile(r"<think>(.*?)</think>", re.S)
_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.S)
# A fenced block: ``` or ```python / ```py, up to the next fence (or the end, for truncated output).
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_PY_LANGS = {"python", "py", "python3"}


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced code block: its language tag (lower case, may be empty) and its text."""

    lang: str
    code: str

    @property
    def is_python(self) -> bool:
        return self.lang in _PY_LANGS


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of `text`, in order."""
    return [Block(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(text)]


def _strip_think(text: str) -> str:
    """Text with every think section removed; an unclosed `<think>` swallows the rest (truncated output)."""
    text = _THINK.sub("", text)
    start = text.find("<think>")
    return text if start < 0 else text[:start]


def extract_program(text: str) -> str | None:
    """The program a completion submits, or None.

    Order: the python block of `<answer>`; else the last python block outside `<think>`; else the last
    untagged block outside `<think>`; else the whole text when it looks like a bare OpenSeesPy script.
    The last block wins because models that draft and revise put the final version last.

    >>> extract_program("<think>plan</think><answer>```python\\nprint(1)\\n```</answer>")
    'print(1)\\n'
    >>> extract_program("<think>```python\\nprint(1)\\n```</think>") is None
    True
    """
    outside = _strip_think(text)
    answer = _ANSWER.search(outside)
    for scope in ([answer.group(1)] if answer else []) + [outside]:
        blocks = code_blocks(scope)
        py = [b for b in blocks if b.is_python]
        if py:
            return py[-1].code
        plain = [b for b in blocks if not b.lang]
        if plain:
            return plain[-1].code
    bare = outside.strip()
    if bare and "```" not in bare and "opensees" in bare and _compiles(bare):
        return bare + "\n"
    return None


def _compiles(code: str) -> bool:
    try:
        compile(code, "<completion>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def format_reward(text: str) -> float:
    """r_fmt in [0, 1]: 0.25 for a think section, 0.25 for an answer after it, 0.5 for the code block.

    The code part scores 0.5 for exactly one python block inside `<answer>`, half of it for several blocks
    in the answer or for a python block without answer tags. Any code block inside `<think>` makes r_fmt 0:
    the paper's rule, and the reason is that such code is never run (see `extract_program`).

    >>> format_reward("<think>a</think>\\n<answer>\\n```python\\nx = 1\\n```\\n</answer>")
    1.0
    >>> format_reward("```python\\nx = 1\\n```")
    0.25
    >>> format_reward("<think>```python\\nx = 1\\n```</think><answer>done</answer>")
    0.0
    """
    thinks = _THINK.findall(text)
    if any(code_blocks(t) for t in thinks):
        return 0.0
    if "<think>" in _THINK.sub("", text):  # an unclosed or extra think: the structure is broken
        return 0.0 if code_blocks(text) else 0.1
    score = 0.0
    answers = _ANSWER.findall(text)
    has_think = len(thinks) == 1
    if has_think:
        score += 0.25
    answer_ok = len(answers) == 1 and (not has_think or text.find("</think>") < text.find("<answer>"))
    if answer_ok:
        score += 0.25
        py = [b for b in code_blocks(answers[0]) if b.is_python]
        others = [b for b in code_blocks(answers[0]) if not b.is_python]
        if len(py) == 1 and not others:
            score += 0.5
        elif py:
            score += 0.25
    elif any(b.is_python for b in code_blocks(_strip_think(text))):
        score += 0.25
    return score
