"""mypy is clean, in strict mode, where the project types its seams (pipelines/, scoring/, store/; config:
pyproject's [tool.mypy]), and the seams' Protocols are met by the classes that stand behind them.

Run with the test environment's interpreter so the checked code sees the same libraries (pydantic's plugin
included); the cache lives in the system temp folder so a second run takes seconds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRICT_PACKAGES = ("civilinstruct.pipelines", "civilinstruct.scoring", "civilinstruct.store")
CACHE = Path(tempfile.gettempdir()) / "civilinstruct-mypy-cache"

# Checked by mypy below, never imported: each assignment fails the check if the class stops meeting its Protocol.
SEAMS = '''
from civilinstruct.sandbox import ProgramRunner, RunResult, Sandbox
from civilinstruct.sandbox.ray_executor import RaySandbox
from civilinstruct.scoring.execution import RunLike
from civilinstruct.store import Execution, RunRecord, SampleStore, Store

def seams(box: Sandbox, ray_box: RaySandbox, result: RunResult, execution: Execution, store: Store) -> None:
    local: ProgramRunner = box
    remote: ProgramRunner = ray_box
    stored: RunRecord = result
    again: RunRecord = execution
    scored: RunLike = result
    snapshot: SampleStore = store
'''


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(CACHE), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_mypy_is_clean_on_the_strict_packages_and_the_seams(tmp_path):
    """One mypy run: the strict packages, and the runners, results and store meeting their Protocols."""
    (tmp_path / "seams.py").write_text(SEAMS, encoding="utf-8")
    folders = [name.replace(".", "/") for name in STRICT_PACKAGES]  # files, not -p: mypy takes one kind of target
    result = mypy(*folders, str(tmp_path / "seams.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


@pytest.mark.slow
def test_a_broken_seam_is_caught(tmp_path):
    """The check can fail: a class lacking `run_many` is not a ProgramRunner."""
    (tmp_path / "broken.py").write_text(
        "from civilinstruct.sandbox import ProgramRunner, RunResult\n"
        "class Half:\n"
        "    def run(self, code: str) -> RunResult:\n"
        "        raise NotImplementedError\n"
        "    def close(self) -> None: ...\n"
        "    def __enter__(self) -> 'Half':\n"
        "        return self\n"
        "    def __exit__(self, *exc: object) -> None: ...\n"
        "box: ProgramRunner = Half()\n", encoding="utf-8")
    result = mypy(str(tmp_path / "broken.py"))
    assert result.returncode == 1 and "run_many" in result.stdout, result.stdout


def test_the_strict_packages_are_strict_in_the_config() -> None:
    """The config names every package the test checks as strict (a package checked leniently would pass)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    strict = {m for o in config["overrides"] if o.get("strict") for m in o["module"]}
    assert {p + ".*" for p in STRICT_PACKAGES} <= strict
