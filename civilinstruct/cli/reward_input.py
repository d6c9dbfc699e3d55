"""Reading `civilinstruct reward`'s JSONL: every row is checked before any program runs, and a row that cannot be
scored is one line saying which and why (a silent 0 would look like a bad model, not a bad file). A bad row does not
stop the others from being scored (`--strict` makes it stop the file)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from civilinstruct.errors import CivilError

ROLES = {"system", "user", "assistant", "tool"}


def read_completions(path: Path, strict: bool = False) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Lines of {"completion": str | [messages], "ground_truth": ...} (also "solution_str" / "messages").

    Returns (rows that can be scored, each with its `line`; rows that cannot, as {"line", "error"} with a one-line
    reason). A bad row does not stop the file: CivilError only when no row can be scored, or, `strict`, at the
    first bad row (before any program runs).
    """
    if not path.is_file():
        raise CivilError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CivilError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise CivilError(f"{path}: cannot read ({exc.strerror})") from None
    rows: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append({"line": number, **_row(_json(line))})
        except ValueError as exc:
            problems.append({"line": number, "error": " ".join(str(exc).split())})
    if problems and (strict or not rows):
        more = f" (and {len(problems) - 1} more rows)" if len(problems) > 1 else ""
        why = "" if rows else ("; no row can be scored" if len(problems) > 1 else "")
        raise CivilError(f"{path}:{problems[0]['line']}: {problems[0]['error']}{more}{why}")
    if not rows:
        raise CivilError(f"{path}: no completions")
    return rows, problems


def _json(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _row(row: Any) -> dict[str, Any]:
    """One row's completion and ground truth, or ValueError saying what is wrong with them."""
    if not isinstance(row, dict):
        raise ValueError("expected an object with a completion")
    completion = row.get("completion", row.get("solution_str"))
    if completion is None and "messages" in row:
        messages = _messages(row["messages"], "messages")
        completion = [m for m in messages if m["role"] == "assistant"][-1:]
        if not completion:
            raise ValueError("messages has no assistant message to score")
    if completion is None:
        raise ValueError("no completion (give completion, solution_str or messages)")
    if not isinstance(completion, str):
        completion = _messages(completion, "completion")
    gt = row.get("ground_truth")
    if gt is None and isinstance(row.get("reward_model"), dict):
        gt = row["reward_model"].get("ground_truth")
    return {"completion": completion, "ground_truth": _ground_truth(gt), "instruction": _instruction(row)}


def _instruction(row: dict[str, Any]) -> str | None:
    """The instruction (for spec conformance): `instruction`, else `prompt` (a string or messages), else the last
    user turn of `messages`; a line without one is scored without the conformance check."""
    from civilinstruct.scoring.reward import instruction_of

    for key in ("instruction", "prompt", "messages"):
        value = row.get(key)
        if isinstance(value, (str, list)) and (text := instruction_of(value)):
            return text
    return None


def _messages(value: Any, name: str) -> list[dict[str, str]]:
    """A conversational list of {"role", "content"} strings (a single message object is a list of one)."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a string or a list of {{role, content}} messages "
                         f"(got {type(value).__name__})")
    for i, m in enumerate(value):
        if not isinstance(m, dict):
            raise ValueError(f"{name}[{i}] must be a {{role, content}} object (got {type(m).__name__})")
        if m.get("role") not in ROLES:
            raise ValueError(f"{name}[{i}].role must be one of {', '.join(sorted(ROLES))} (got {m.get('role')!r})")
        if not isinstance(m.get("content"), str):
            raise ValueError(f"{name}[{i}].content must be a string (got {type(m.get('content')).__name__})")
    return value


def _ground_truth(value: Any) -> float | str | None:
    """The reference period in seconds: a positive finite number or numeric string; absent is allowed."""
    if value is None:
        return None
    if isinstance(value, dict) and len(value.keys() & {"ground_truth", "period_s"}) == 1:
        value = value.get("ground_truth", value.get("period_s"))
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"ground_truth must be a period in seconds (got {type(value).__name__})")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"ground_truth {value!r} is not a number of seconds") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"ground_truth must be a positive period in seconds (got {value!r})")
    return value
