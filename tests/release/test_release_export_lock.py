"""Issue 20: two exports into one --out do not interleave: the second fails at once, in one line naming the first
(its pid and command); a killed holder blocks nothing. Real processes, a real flock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civilinstruct.release.export import MARKER, export_release
from civilinstruct.release.outlock import lock_path

# A real export whose writing waits for a `go` file: the test decides when it may finish.
SLOW_EXPORT = """import sys, time
from pathlib import Path
import civilinstruct.release.export as export
data, out, go = sys.argv[1:4]
real = export.write_trl
def slow(*args, **kwargs):
    print("writing", flush=True)
    while not Path(go).exists():
        time.sleep(0.02)
    return real(*args, **kwargs)
export.write_trl = slow
print(export.export_release(data, "trl", out).files)
"""


def start_slow_export(data: Path, out: Path, go: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_EXPORT, str(data), str(out), str(go)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing", proc.stderr
    return proc


def cli_export(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from civilinstruct.cli.app import main; main()", "export", str(data), "--format", "trl",
                           "--out", str(out)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})


@pytest.mark.slow
def test_a_second_export_into_the_same_folder_fails_at_once_naming_the_first(
        release_data: tuple[Path, dict], tmp_path: Path) -> None:
    data, _ = release_data
    out, go = tmp_path / "exports" / "trl", tmp_path / "go"
    first = start_slow_export(data, out, go)
    try:
        tmp_of_first = list(out.parent.glob(".tmp-trl-*"))
        assert len(tmp_of_first) == 1  # the first is writing into its temporary folder
        second = cli_export(data, out)
        assert second.returncode == 1
        lines = [line for line in (second.stdout + second.stderr).splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert "another export is writing" in lines[0] and f"pid {first.pid}" in lines[0], lines[0]
        assert "Traceback" not in second.stderr
        assert tmp_of_first[0].is_dir() and not out.exists()  # the second touched nothing of the first's
        other = cli_export(data, tmp_path / "exports" / "verl")  # another --out is not held
        assert other.returncode == 0, other.stdout + other.stderr
        go.touch()
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert (out / MARKER).exists() and (out / "sft" / "train.parquet").exists()
    assert not lock_path(out).exists() and not list(out.parent.glob(".tmp-*"))


def test_a_killed_export_holds_nothing(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    data, _ = release_data
    out = tmp_path / "trl"
    killed = start_slow_export(data, out, tmp_path / "never")
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert lock_path(out).exists()  # the file stays behind; its flock went with the process
    started = time.monotonic()
    report = export_release(data, "trl", out)
    assert report.files and time.monotonic() - started < 60
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "never") == ["trl"]
