"""mypy is clean, in strict mode, on the packages the project types at its seams (config: pyproject's [tool.mypy]).

Run with the test environment's interpreter so the checked code sees the same libraries (pydantic's plugin
included); the cache lives in the system temp folder so a second run takes seconds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STRICT = ["civilinstruct/pipelines"]


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    cache = Path(tempfile.gettempdir()) / "civilinstruct-mypy-cache"
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
                           "--cache-dir", str(cache), *STRICT], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_the_strict_packages_are_strict_in_the_config() -> None:
    """The config names every package the test checks as strict (a package checked leniently would pass)."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    strict = {m for o in config["overrides"] if o.get("strict") for m in o["module"]}
    assert {p.replace("/", ".") + ".*" for p in STRICT} <= strict
