"""Which prompt template a chat request was rendered from, and the variables it carries, for `serve`.

The server receives plain chat messages, not template names. Every template in `prompts/` has a fixed system
block, so the system message names the template; the user message is then read back into the variables the
offline handler needs (the bug-fix prompt's program, log and status, for instance). A request with no known
system message is answered as a building instruction (the codegen handler), as raw chat always was.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from civilinstruct.llm.prompts import load_template, prompts_dir

FALLBACK = "codegen"


def _norm(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=4)
def _system_blocks(folder: str) -> dict[str, str]:
    """Normalised system text -> template name, for every template whose system block has no variables."""
    from pathlib import Path

    found: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.j2")):
        template = load_template(path.stem)
        block = template.template.blocks.get("system")
        if block is None:
            continue
        try:
            text = "".join(block(template.template.new_context({})))
        except Exception:  # a system block that needs variables cannot be matched verbatim
            continue
        found[_norm(text)] = path.stem
    return found


def route(messages: list[dict[str, str]]) -> tuple[str, str]:
    """(template name, last user message) for a chat request."""
    blocks = _system_blocks(str(prompts_dir()))
    system = next((m["content"] for m in messages if m["role"] in ("system", "developer")), "")
    user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    return blocks.get(_norm(system), FALLBACK), user


_BUGFIX_STATUS = re.compile(r"Status: (?P<status>\w+); return code: (?P<rc>-?\d+|None)"
                            r"(?:; error at line (?P<line>\d+))?\.")
_BUGFIX_LOG = re.compile(r"Error log:\n```\n(?P<log>.*?)\n?```\n\s*Program:\n```python\n(?P<program>.*)\n```", re.S)
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): ?(?P<message>.*)$", re.M)
_HINT_PERIOD = re.compile(r"Observed symptom:.*?T1 = (?P<t1>[\d.eE+-]+) s")


def bugfix_variables(text: str) -> dict[str, Any]:
    """The `bugfix` prompt read back into its variables and the run's evidence."""
    from civilinstruct.pipelines.bug_cot.evidence import Evidence
    from civilinstruct.errors import CivilError

    status, body = _BUGFIX_STATUS.search(text), _BUGFIX_LOG.search(text)
    if status is None or body is None:
        raise CivilError("this bug-fix prompt has no status line, error log or program block to diagnose")
    rc = None if status["rc"] == "None" else int(status["rc"])
    line = int(status["line"]) if status["line"] else None
    log, program = body["log"], body["program"]
    exceptions = list(_EXCEPTION.finditer(log))
    period = _HINT_PERIOD.search(text)
    ok = status["status"] == "ok"
    evidence = Evidence(
        status=status["status"], exit_code=rc, error_line=line,
        exception_type=exceptions[-1]["type"].rsplit(".", 1)[-1] if exceptions and not ok else None,
        exception_message=exceptions[-1]["message"] if exceptions and not ok else None,
        stdout=log if ok else "", stderr="" if ok else log,
        period_s=float(period["t1"]) if period else _printed_period(log),
        compliance="fail" if ("drift check fails" in text or "Compliance: FAIL" in log) else None)
    return {"program": program, "error_log": log, "return_code": rc, "error_line": line,
            "status": status["status"], "evidence": evidence}


def _printed_period(log: str) -> float | None:
    match = re.search(r"T1\s*=\s*([\d.eE+-]+)\s*s", log)
    try:
        return float(match.group(1)) if match else None
    except ValueError:
        return None


def variables_for(template: str, text: str) -> dict[str, Any] | None:
    """What a handler gets as `variables` beyond the text itself (None: the text is enough)."""
    if template == "bugfix":
        return bugfix_variables(text)
    return None
