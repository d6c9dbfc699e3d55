"""Fuzzing what users hand the command line: manifests (as data and as raw bytes) and reward JSONL.

Whatever the input: no traceback, either success or a non-zero exit with one `error:` line, and nothing already
written changed (the committed shards of the data directory keep their bytes). Examples and time are bounded so the
whole file runs in well under a minute; manifests build with the toy pipelines of test_build_cli (the real Store).
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_build_cli import PARTS, TOY
from typer.testing import CliRunner

from civilinstruct import limits
from civilinstruct.cli.app import app

runner = CliRunner()
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ints = st.one_of(st.integers(-3, 6), st.integers(limits.MAX_N + 1, 10**30), st.integers(-(10**30), -4))
floats = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.none(), st.booleans(), ints, floats, st.text(max_size=10))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)
part = st.fixed_dictionaries({}, optional={
    "n": ints | values, "seed": ints | values, "per_command": ints, "extra": values, "prompt_version": values,
    "docs": st.text(max_size=8), "typo": values})
manifests = st.fixed_dictionaries({}, optional={
    "name": values, "version": st.sampled_from(["v1", "v2", "bad version", ""]) | values, "seed": ints | values,
    "parts": st.dictionaries(st.sampled_from([*PARTS, "bogus"]), part | values, max_size=3) | values,
    "execution": st.fixed_dictionaries({}, optional={
        "workers": ints | values, "timeout_s": floats | ints | values, "shard_size": ints | values,
        "executor": st.sampled_from(["local", "ray-not-started", 3])}) | values,
    "splits": st.fixed_dictionaries({}, optional={"seed": ints, "validation": floats, "test": floats}) | values,
    "generator": st.fixed_dictionaries({}, optional={"backend": st.sampled_from(["offline", "openai", "x"]),
                                                     "model": values}) | values,
    "export": values, "base_dir": values, "decontaminate": values})


@pytest.fixture(scope="module")
def toy_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Toy pipelines in place of the real ones, and a data directory with committed shards already in it."""
    import sys

    from civilinstruct.pipelines import registry

    root = tmp_path_factory.mktemp("fuzz")
    (root / "toy_pipes").mkdir()
    for name in PARTS:
        (root / "toy_pipes" / f"toy_{name}.py").write_text(TOY.format(part=name))
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(root / "toy_pipes"))
        for name in PARTS:
            mp.setitem(registry.MODULES, name, f"toy_{name}")
        data = root / "data"
        assert runner.invoke(app, ["build", "long_code", "--n", "5", "--data", str(data)]).exit_code == 0
        yield data
    sys.modules.pop("toy_long_code", None)


def shard_bytes(data: Path) -> dict[str, str]:
    return {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data.rglob("shard-*.parquet"))}


def assert_clean_outcome(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert result.exit_code in (1, 2), result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.output


def check_build(data: Path, manifest: Path) -> None:
    before = shard_bytes(data)
    assert_clean_outcome(["build", str(manifest), "--data", str(data), "--no-export", "--json"])
    after = shard_bytes(data)
    assert {k: after.get(k) for k in before} == before  # shards already written are untouched


@FUZZ
@given(doc=manifests)
def test_fuzzed_manifests(toy_data: Path, tmp_path: Path, doc: dict) -> None:
    manifest = tmp_path / "fuzz.yaml"
    manifest.write_text(yaml.safe_dump(doc, allow_unicode=True))
    check_build(toy_data, manifest)


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(alphabet=string.printable + "\ufeff[]{}:-é", max_size=200))
def test_fuzzed_manifest_bytes(toy_data: Path, tmp_path: Path, raw: bytes | str) -> None:
    manifest = tmp_path / "raw.yaml"
    manifest.write_bytes(raw if isinstance(raw, bytes) else raw.encode())
    check_build(toy_data, manifest)


messages = st.lists(st.fixed_dictionaries({}, optional={"role": st.sampled_from(["user", "assistant", 3, None]),
                                                         "content": st.text(max_size=20) | values}) | values,
                    max_size=3)
rows = st.one_of(values, st.fixed_dictionaries({}, optional={
    "completion": st.text(alphabet=string.ascii_letters + " \n", max_size=30) | messages | values,
    "solution_str": values, "messages": messages | values,
    "ground_truth": floats | ints | st.text(max_size=8) | values,
    "reward_model": st.fixed_dictionaries({}, optional={"ground_truth": values}) | values}))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(rows.map(lambda r: json.dumps(r).encode()) | st.binary(max_size=40), min_size=1, max_size=3))
def test_fuzzed_reward_files(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "fuzz.jsonl"
    content = b"\n".join(lines) + b"\n"
    path.write_bytes(content)
    assert_clean_outcome(["reward", str(path), "--json", "--allow-weak-isolation", "--workers", "1"])
    assert path.read_bytes() == content
