"""`doctor`'s sandbox lines: each protection probed for real; on a machine without bubblewrap, said so."""

from __future__ import annotations

import pytest

from civilinstruct.health import Check
from civilinstruct.sandbox import checks, isolation

NAMES = ["sandbox: bubblewrap", "sandbox: network namespace", "sandbox: pid namespace + /proc",
         "sandbox: mount isolation", "sandbox: environment", "sandbox: uid drop + process cap", "sandbox: memory cap",
         "sandbox: cgroup (bonus)"]


@pytest.mark.skipif(not isolation.probe().full, reason="full isolation unavailable here")
def test_this_machine_reports_full_isolation() -> None:
    lines = checks.doctor_checks()
    assert [c.name for c in lines] == NAMES
    assert all(isinstance(c, Check) for c in lines)
    required = [c for c in lines if "bonus" not in c.name]
    assert all(c.status == "ok" for c in required), [(c.name, c.detail) for c in required if c.status != "ok"]


def test_without_bubblewrap_the_namespace_lines_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    weak = isolation.Isolation(bwrap=None, namespaces=False, uid_drop=False,
                               problems=["bubblewrap (bwrap) is not installed"])
    monkeypatch.setattr(isolation, "probe", lambda: weak)
    lines = {c.name: c for c in checks.doctor_checks()}
    assert lines["sandbox: bubblewrap"].status == "missing"
    for name in ("sandbox: network namespace", "sandbox: pid namespace + /proc", "sandbox: mount isolation"):
        assert lines[name].status == "missing", lines[name]
    assert lines["sandbox: environment"].status == "ok"  # env clearing does not need namespaces


@pytest.mark.parametrize("weak", [
    isolation.Isolation(bwrap=None, namespaces=False, uid_drop=False, problems=["bubblewrap (bwrap) is not installed"]),
    isolation.Isolation(bwrap="/usr/bin/bwrap", namespaces=True, uid_drop=False, problems=["not running as root"]),
], ids=["no-bwrap", "no-uid-drop"])
def test_without_full_isolation_the_escape_probe_is_skipped(monkeypatch: pytest.MonkeyPatch,
                                                            weak: isolation.Isolation) -> None:
    """The real sandbox runs whatever doctor submits; we only record it (without bwrap the old probe really wrote
    civilinstruct-doctor-escape files into /, /tmp and the venv)."""
    from civilinstruct.sandbox.pool import Sandbox

    monkeypatch.setattr(isolation, "probe", lambda: weak)
    submitted: list[str] = []
    real_run = Sandbox.run

    def recording_run(self: Sandbox, code: str):  # noqa: ANN202
        submitted.append(code)
        return real_run(self, code)

    monkeypatch.setattr(Sandbox, "run", recording_run)
    lines = {c.name: c for c in checks.doctor_checks()}
    assert submitted, "the harmless environment check should still run a program"
    hostile = ("civilinstruct-doctor-escape", "create_connection", "os.fork", "bytearray(8")
    assert not [marker for code in submitted for marker in hostile if marker in code]
    assert list(lines) == NAMES
    for name in ("sandbox: network namespace", "sandbox: pid namespace + /proc", "sandbox: mount isolation",
                 "sandbox: uid drop + process cap", "sandbox: memory cap"):
        assert lines[name].status != "ok" and "without full isolation" in lines[name].detail, lines[name]
    assert lines["sandbox: environment"].status == "ok"
