"""`civilinstruct docs fetch` against a loopback HTTP server serving a tarball the test builds in the upstream
layout (OpenSeesPyDoc-<commit>/src/*.rst): checksum, atomic move into the cache, the resolution order, licence."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civilinstruct.cli.app import app
from civilinstruct.opensees_docs.source import META, UPSTREAM_LICENSE, cache_root, resolve_docs

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _tarball(src: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(src, arcname=f"OpenSeesPyDoc-{COMMIT}")
    return buf.getvalue()


@pytest.fixture
def server(rst_docs: Path) -> Iterator[tuple[str, bytes]]:
    body = _tarball(rst_docs)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path != f"/tar.gz/{COMMIT}":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/tar.gz/{COMMIT}", body
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_verifies_moves_into_the_cache_and_becomes_the_default(server: tuple[str, bytes], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILINSTRUCT_CACHE", str(tmp_path / "cache"))
    url, body = server
    sha = hashlib.sha256(body).hexdigest()
    runner = CliRunner()
    res = runner.invoke(app, ["docs", "fetch", "--url", url, "--commit", COMMIT, "--sha256", sha, "--json"])
    assert res.exit_code == 0, res.output
    meta = json.loads(res.stdout)
    folder = cache_root() / "docs" / f"OpenSeesPyDoc-{COMMIT}"
    assert meta["path"] == str(folder) and meta["sha256"] == sha and meta["sha256_verified"]
    assert meta["commands"] == 6 and meta["license"] == UPSTREAM_LICENSE
    assert json.loads((folder / META).read_text())["commit"] == COMMIT
    assert (folder / "src" / "steel01.rst").is_file()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temporary left behind
    # the fetched copy is now what a build reads when nothing else is named; the embedded set still wins by name
    source = resolve_docs()
    assert source.origin == "cache" and source.label == f"OpenSeesPyDoc@{COMMIT[:7]}" and source.kind == "rst"
    assert source.license == UPSTREAM_LICENSE
    assert resolve_docs(f"openseespydoc@{COMMIT}").path == str(folder)
    assert resolve_docs("embedded").kind == "embedded"
    monkeypatch.setenv("CIVILINSTRUCT_DOCS", "embedded")
    assert resolve_docs().origin == "CIVILINSTRUCT_DOCS"
    assert resolve_docs(manifest=f"openseespydoc@{COMMIT}").origin == "manifest"

    # a wrong checksum fails in one line and leaves the good copy in place
    bad = runner.invoke(app, ["docs", "fetch", "--url", url, "--commit", COMMIT, "--sha256", "0" * 64])
    assert bad.exit_code == 1 and "sha256 mismatch" in bad.output and len(bad.output.strip().splitlines()) == 1
    assert (folder / "src" / "steel01.rst").is_file()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_fetch_without_network_says_to_use_docs_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVILINSTRUCT_CACHE", str(tmp_path / "cache"))
    with socket.socket() as s:  # a port nobody listens on: connection refused, as with no network
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = CliRunner().invoke(app, ["docs", "fetch", "--url", f"http://127.0.0.1:{port}/x.tar.gz"])
    assert res.exit_code == 1 and len(res.output.strip().splitlines()) == 1
    assert "--docs PATH" in res.output
    assert not (tmp_path / "cache" / "docs" / f"OpenSeesPyDoc-{COMMIT}").exists()
