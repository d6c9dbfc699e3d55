"""`civilinstruct export` / `publish` through the CLI, up to the upload: every failure is one line, non-zero."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.release.hub import _feature, check_export_dir, hf_features, hf_schema


@pytest.fixture(scope="module")
def hf_export(release_data: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = release_data
    out = tmp_path_factory.mktemp("hub") / "hf"
    res = CliRunner().invoke(app, ["export", str(data), "--format", "hf", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["format"] == "hf" and "data/expert/train-00000-of-00001.parquet" in report["files"]
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line_failure(args: list[str]) -> str:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.mark.slow
def test_export_cli_writes_each_format(release_data: tuple[Path, dict], tmp_path: Path) -> None:
    data, _ = release_data
    for fmt in ("trl", "verl"):
        res = CliRunner().invoke(app, ["export", str(data), "--format", fmt, "--out", str(tmp_path / fmt)])
        assert res.exit_code == 0, res.output
        assert "exported" in res.stdout
    assert (tmp_path / "trl" / "sft" / "train.parquet").is_file() and (tmp_path / "verl" / "train.parquet").is_file()
    line = _one_line_failure(["export", str(tmp_path / "nothing"), "--format", "hf", "--out", str(tmp_path / "x")])
    assert "no catalog" in line
    line = _one_line_failure(["export", str(data), "--out", str(tmp_path / "y"), "--cases", str(tmp_path / "no.pq")])
    assert "no such cases file" in line


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_check_export_dir(hf_export: Path, tmp_path: Path) -> None:
    assert check_export_dir(hf_export) == ["api_pairs", "long_code", "bug_cot", "expert"]
    assert "not an hf export" in _one_line_failure(["publish", str(tmp_path), "--repo", "me/x"])


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_without_token(hf_export: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from huggingface_hub import constants

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    assert "no Hugging Face token" in _one_line_failure(["publish", str(hf_export), "--repo", "me/civilinstruct"])


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_uses_the_stored_token(hf_export: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       online: None) -> None:
    """A token saved by `hf auth login` is used when HF_TOKEN is not set (here: it gets as far as the Hub)."""
    from huggingface_hub import constants

    (tmp_path / "token").write_text("hf_stored\n")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    endpoint = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    assert f"{endpoint}: cannot reach the Hub" in _one_line_failure(["publish", str(hf_export), "--repo", "me/x"])


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_bad_repo_name(hf_export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    assert "OWNER/NAME" in _one_line_failure(["publish", str(hf_export), "--repo", "civilinstruct"])


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """huggingface_hub reads HF_HUB_OFFLINE once at import: turn it off where a test talks to a loopback Hub."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_in_offline_mode(hf_export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setenv("HF_TOKEN", "hf_test")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    assert "HF_HUB_OFFLINE" in _one_line_failure(["publish", str(hf_export), "--repo", "me/civilinstruct"])


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_unreachable_hub(hf_export: Path, monkeypatch: pytest.MonkeyPatch, online: None) -> None:
    endpoint = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    line = _one_line_failure(["publish", str(hf_export), "--repo", "me/civilinstruct", "--private"])
    assert f"{endpoint}: cannot reach the Hub" in line


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_card_and_publish_carry_the_upstream_docs_licence(hf_export: Path, monkeypatch: pytest.MonkeyPatch,
                                                          online: None) -> None:
    """api_pairs built from the upstream docs: the card states their licence, publish prints it before uploading."""
    from civilinstruct.opensees_docs.source import UPSTREAM_LICENSE

    card = (hf_export / "README.md").read_text()
    assert UPSTREAM_LICENSE in card and "`OpenSeesPyDoc@ce0d8f1` (24)" in card
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_free_port()}")
    res = CliRunner().invoke(app, ["publish", str(hf_export), "--repo", "me/civilinstruct"])
    assert res.exit_code == 1
    assert "licence of the upstream docs" in res.stdout and "commercial redistribution" in res.stdout


class _Refuse(BaseHTTPRequestHandler):
    """A Hub that answers every request with 401, as huggingface.co does for a bad token."""

    seen: list[str] = []

    def _refuse(self) -> None:
        _Refuse.seen.append(f"{self.command} {self.path}")
        body = json.dumps({"error": "Invalid credentials in Authorization header"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_refused_by_the_hub(hf_export: Path, monkeypatch: pytest.MonkeyPatch, online: None) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("HF_TOKEN", "hf_bad")
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        line = _one_line_failure(["publish", str(hf_export), "--repo", "me/civilinstruct"])
    finally:
        server.shutdown()
        server.server_close()
    assert "refused" in line and "401" in line
    assert any("/api/repos/create" in s for s in _Refuse.seen)


def test_features_yaml_matches_datasets() -> None:
    from datasets import Features

    ours = hf_features(hf_schema())
    theirs = Features.from_arrow_schema(hf_schema())._to_yaml_list()
    assert ours == theirs
    assert _feature(__import__("pyarrow").int32()) == {"dtype": "int32"}


class _Hostile(BaseHTTPRequestHandler):
    """A Hub that misbehaves as `mode` says: `hang` (never answers), `html` (200, not JSON), `hello` (200, JSON
    without the fields), `conflict` (409 "another conflicting operation" for ever: huggingface_hub retries that
    in an unbounded loop). A hang ends by itself after 20 s or when the test stops the server."""

    mode = "hang"
    stop = threading.Event()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.mode == "hang":
            self.stop.wait(20)
            return
        status, body, ctype = {
            "html": (200, b"<html>maintenance</html>", "text/html"),
            "hello": (200, b'{"hello": "world"}', "application/json"),
            "conflict": (409, b'{"error": "Cannot create repo: another conflicting operation is in progress"}',
                         "application/json"),
        }[self.mode]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("mode", "flags", "expected"), [
    ("hang", ["--timeout", "1"], "no answer within the request timeout"),
    ("html", [], "not its API's JSON"),
    ("hello", [], "not its API's JSON"),
    # conflict: a generous request timeout, so a slow answer under load is not mistaken for a hang
    ("conflict", ["--timeout", "10", "--deadline", "2"], "did not finish within 2 s"),
])
@pytest.mark.slow  # builds and exports a release once per worker (~15 s)
def test_publish_to_a_hostile_hub_is_bounded_and_one_line(hf_export: Path, monkeypatch: pytest.MonkeyPatch,
                                                          online: None, mode: str, flags: list[str],
                                                          expected: str) -> None:
    import time

    handler = type("Handler", (_Hostile,), {"mode": mode, "stop": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    start = time.monotonic()
    try:
        monkeypatch.setenv("HF_TOKEN", "hf_test")
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        line = _one_line_failure(["publish", str(hf_export), "--repo", "me/civilinstruct", *flags])
    finally:
        handler.stop.set()
        server.shutdown()
        server.server_close()
    assert expected in line
    assert time.monotonic() - start < 60
