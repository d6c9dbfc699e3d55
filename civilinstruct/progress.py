"""Progress that suits where the output goes: a rich bar on a terminal, plain log lines in a log file or a pipe.

A redirected rich (or tqdm) bar writes thousands of `\\r` frames and nothing a log reader can use; a line such as
`long_code: 120/3100 (4%) 0:02:10 elapsed` every 10% or 30 s is what a log needs. `civilinstruct --quiet` and
`--no-progress` switch bars off, including those of datasets / transformers / huggingface_hub / tqdm; `--verbose`
shows debug logging. Messages go through `logging` (logger `civilinstruct`) to stderr; stdout stays for `--json`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

NO_PROGRESS_ENV = "CIVILINSTRUCT_NO_PROGRESS"
LOG = logging.getLogger("civilinstruct")
_LIBRARY_ENV = {"TQDM_DISABLE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (test runners swap it per command)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure(quiet: bool = False, verbose: bool = False, no_progress: bool = False) -> None:
    """Logging level and progress mode for this process (the CLI calls it once per command)."""
    if not any(isinstance(h, _StderrHandler) for h in LOG.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        LOG.addHandler(handler)
        LOG.propagate = False
    LOG.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    if quiet or no_progress:
        os.environ[NO_PROGRESS_ENV] = "1"
    else:
        os.environ.pop(NO_PROGRESS_ENV, None)
    if quiet or no_progress or not sys.stderr.isatty():
        silence_library_bars()


def silence_library_bars() -> None:
    """Turn off the progress bars of the libraries we call (env for those not imported yet, API for the rest)."""
    os.environ.update(_LIBRARY_ENV)
    for module, call in (("datasets", "disable_progress_bars"), ("huggingface_hub.utils", "disable_progress_bars"),
                         ("transformers.utils.logging", "disable_progress_bar")):
        loaded = sys.modules.get(module)
        if loaded is not None and hasattr(loaded, call):
            getattr(loaded, call)()


def enabled() -> bool:
    return os.environ.get(NO_PROGRESS_ENV) != "1"


def progress_bar(*columns: Any, console: Any = None, transient: bool = False, **kwargs: Any) -> Any:
    """A rich `Progress` on a terminal, `LineProgress` elsewhere, `NullProgress` when progress is off."""
    if not enabled():
        return NullProgress()
    if not sys.stderr.isatty():
        return LineProgress()
    from rich.console import Console
    from rich.progress import Progress

    return Progress(*columns, console=console or Console(stderr=True), transient=transient, **kwargs)


class NullProgress:
    """The rich Progress calls the project uses, doing nothing."""

    def add_task(self, description: str, total: float | None = None, completed: float = 0, **fields: Any) -> int:
        return 0

    def advance(self, task: int, advance: float = 1) -> None:
        pass

    def update(self, task: int, **kwargs: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LineProgress(NullProgress):
    """Plain progress lines through logging: at start, every 10% or 30 s, and at the end."""

    STEP, EVERY_S = 0.10, 30.0

    def __init__(self) -> None:
        self._tasks: dict[int, dict[str, Any]] = {}

    def add_task(self, description: str, total: float | None = None, completed: float = 0, **fields: Any) -> int:
        task = len(self._tasks)
        self._tasks[task] = {"label": description, "total": total, "done": completed, "start": time.monotonic(),
                             "last_t": time.monotonic(), "last_share": -1.0, "fields": fields}
        self._line(task, force=True)
        return task

    def advance(self, task: int, advance: float = 1) -> None:
        self._tasks[task]["done"] += advance
        self._line(task)

    def update(self, task: int, completed: float | None = None, advance: float | None = None,
               total: float | None = None, description: str | None = None, **fields: Any) -> None:
        t = self._tasks[task]
        if completed is not None:
            t["done"] = completed
        if advance is not None:
            t["done"] += advance
        if total is not None:
            t["total"] = total
        if description is not None:
            t["label"] = description
        t["fields"].update(fields)
        self._line(task)

    def stop(self) -> None:
        for task in self._tasks:
            self._line(task, force=True, final=True)
        self._tasks = {}

    def _line(self, task: int, force: bool = False, final: bool = False) -> None:
        t = self._tasks[task]
        now = time.monotonic()
        share = (t["done"] / t["total"]) if t["total"] else 0.0
        if not force and (share >= 1 or (share < t["last_share"] + self.STEP and now - t["last_t"] < self.EVERY_S)):
            return  # (the end is logged once, by `stop`)
        t["last_t"], t["last_share"] = now, share
        elapsed = int(now - t["start"])
        of = f"/{int(t['total'])} ({100 * share:.0f}%)" if t["total"] else ""
        extra = " ".join(str(v) for v in t["fields"].values() if v)
        LOG.info(f"{t['label']}: {int(t['done'])}{of} {elapsed // 60}:{elapsed % 60:02d} elapsed"
                 f"{' done' if final else ''}{' ' + extra if extra else ''}")
