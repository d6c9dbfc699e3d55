"""Progress suits where output goes: plain lines when stderr is a file, nothing with --quiet / --no-progress
(library bars included). Run as a real process with stderr redirected, as a build in a log would be."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from civilinstruct.progress import LineProgress, configure, enabled

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from civilinstruct.cli.app import main; main()"]


def _build(tmp_path: Path, *flags: str) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    err = tmp_path / "stderr.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with err.open("w") as fh:
        subprocess.run([*CLI, *flags, "build", "long_code", "--n", "12", "--seed", "4", "--data",
                        str(tmp_path / "data"), "--allow-weak-isolation"], stdout=subprocess.DEVNULL, stderr=fh,
                       env=env, check=True, timeout=300)
    return err.read_text()


@pytest.mark.slow
def test_redirected_build_logs_plain_lines(tmp_path: Path) -> None:
    log = _build(tmp_path)
    lines = [line for line in log.splitlines() if "long_code:" in line]
    assert "\r" not in log and len(lines) >= 2
    assert lines[0].endswith("long_code: 0/12 (0%) 0:00 elapsed") and "12/12 (100%)" in lines[-1]


@pytest.mark.slow
def test_quiet_and_no_progress_draw_nothing(tmp_path: Path) -> None:
    assert "long_code:" not in _build(tmp_path / "q", "--quiet")
    assert "long_code:" not in _build(tmp_path / "n", "--no-progress")


def test_no_progress_silences_library_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TQDM_DISABLE", "HF_DATASETS_DISABLE_PROGRESS_BARS", "CIVILINSTRUCT_NO_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    configure(no_progress=True)
    assert not enabled() and os.environ["TQDM_DISABLE"] == "1" and os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"]
    configure()
    assert enabled()


def test_line_progress_throttles() -> None:
    import logging

    from civilinstruct.progress import LOG

    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep, level = Keep(), LOG.level
    LOG.addHandler(keep)
    LOG.setLevel(logging.INFO)
    try:
        bar = LineProgress()
        task = bar.add_task("work", total=1000)
        for _ in range(1000):
            bar.advance(task)
        bar.stop()
    finally:
        LOG.removeHandler(keep)
        LOG.setLevel(level)
    assert 10 <= len(seen) <= 13 and seen[-1].startswith("work: 1000/1000 (100%)")
