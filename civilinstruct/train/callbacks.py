"""Callbacks that make a run inspectable afterwards: every logged metric as one JSON line in `metrics.jsonl`.

Why a file: TRL's `log_history` lives in memory; tests, benchmarks and a person reading a run on a remote GPU
all want the per-step loss, reward, reward std and reward components without TensorBoard.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from transformers import TrainerCallback


class MetricsFile(TrainerCallback):
    """Append each `on_log` dict (plus step and epoch) to a JSON-lines file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("")

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not logs or not state.is_world_process_zero:
            return
        record = {"step": state.global_step, "epoch": state.epoch}
        for key, value in logs.items():
            if isinstance(value, (int, float)) and not (isinstance(value, float) and not math.isfinite(value)):
                record[key] = value
        with self.path.open("a") as fh:
            fh.write(json.dumps(record) + "\n")


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The records a `MetricsFile` wrote, in order."""
    path = Path(path)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def quiet_stdout(trainer: Any) -> None:
    """Drop transformers' stdout printer: logs go to metrics.jsonl and the rich panel, stdout stays for --json."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)


class RichProgress(TrainerCallback):
    """A rich progress bar on stderr (stdout stays clean for `--json`) showing the step and the latest loss/reward."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._progress: Any = None
        self._task: Any = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

        from civilinstruct.progress import progress_bar

        self._progress = progress_bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), TextColumn("{task.fields[status]}"),
                                      console=Console(stderr=True), transient=False)
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=state.max_steps, status="")

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=state.global_step)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if self._progress is None or not logs:
            return
        shown = [f"{k} {logs[k]:.4g}" for k in ("loss", "reward", "reward_std", "kl") if isinstance(logs.get(k), float)]
        self._progress.update(self._task, status="  ".join(shown))

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
