"""sandbox.sweep: after a program, nothing of it stays. Each test runs in a fresh child Python made a subreaper,
as the zygote's supervisor is, so the sweep only ever sees processes the test itself started."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from civilinstruct.sandbox import sweep


def _child(body: str) -> dict[str, object]:
    """Run `body` in a subreaper child; it prints one JSON line."""
    code = textwrap.dedent("""
        import ctypes, json, os, signal, time
        from civilinstruct.sandbox import sweep as S
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER

        def alive(pid):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
            except OSError:
                return False

        def spawn(fn):
            pid = os.fork()
            if pid == 0:
                try:
                    fn()
                finally:
                    os._exit(0)
            return pid
        """) + textwrap.dedent(body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-800:]
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_sweep_kills_orphans_and_term_ignorers_and_spares_forkers() -> None:
    """Guards the process sweep without a uid: a SIGTERM-ignoring sleeper and a daemon (its parent exited, so it is
    re-parented to us) are killed and reaped; a forker survives."""
    result = _child("""
        def stubborn():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            time.sleep(60)

        def daemonize():
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)

        forker = spawn(lambda: time.sleep(60))
        sleeper = spawn(stubborn)
        spawn(daemonize)
        time.sleep(0.2)
        orphans = sorted(S.children() - {forker, sleeper})  # the daemon and its exited (unreaped) parent
        before = [alive(p) for p in orphans]
        S.sweep(None, {forker})
        print(json.dumps({"left": sorted(S.children()), "forker": forker, "forker_alive": alive(forker),
                          "sleeper_alive": alive(sleeper), "orphans": orphans, "before": before,
                          "orphans_alive": [alive(p) for p in orphans]}))
        os.kill(forker, signal.SIGKILL)
        """)
    assert result["left"] == [result["forker"]] and result["forker_alive"]
    assert not result["sleeper_alive"]
    assert sorted(result["before"]) == [False, True]  # type: ignore[type-var]  # a zombie parent, a live daemon
    assert result["orphans_alive"] == [False, False]


def test_a_dead_forker_is_reported() -> None:
    """Guards ForkerDied: a forker that exits is noticed when reaped, so the zygote is replaced."""
    result = _child("""
        forker = spawn(lambda: None)
        time.sleep(0.1)
        try:
            S.reap({forker})
            print(json.dumps({"raised": False}))
        except S.ForkerDied:
            print(json.dumps({"raised": True}))
        """)
    assert result == {"raised": True}


def test_descendants_and_parents_see_a_grandchild() -> None:
    """Guards the /proc walk the uid-less sweep relies on: a grandchild is among our descendants, with its
    parent recorded."""
    result = _child("""
        def with_grandchild():
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            time.sleep(60)

        child = spawn(with_grandchild)
        time.sleep(0.2)
        found = S.descendants(os.getpid())
        grand = [p for p, pp in S.parents().items() if pp == child]
        print(json.dumps({"child": child, "found": found, "grand": grand}))
        S.sweep(None, set())
        """)
    assert result["child"] in result["found"]  # type: ignore[operator]
    assert len(result["grand"]) == 1 and result["grand"][0] in result["found"]  # type: ignore[index, arg-type]


def test_ipc_objects_sees_a_new_segment_with_its_creator() -> None:
    """Guards the SysV IPC reader: a shared-memory segment made here appears with our uid and goes when removed
    (only that segment is touched)."""
    result = _child("""
        libc = ctypes.CDLL(None, use_errno=True)
        ident = libc.shmget(0, 4096, 0o600 | 0o1000)  # IPC_PRIVATE, IPC_CREAT
        seen = [o for o in S.ipc_objects() if o[0] == "shm" and o[1] == ident]
        S.remove_ipc([("shm", ident)])
        gone = not [o for o in S.ipc_objects() if o[0] == "shm" and o[1] == ident]
        print(json.dumps({"ident": ident, "seen": seen, "uid": os.geteuid(), "gone": gone}))
        """)
    assert result["ident"] >= 0  # type: ignore[operator]
    assert result["seen"] == [["shm", result["ident"], result["uid"]]]
    assert result["gone"]


def test_ipc_snapshot_is_empty_in_an_own_namespace() -> None:
    """Guards the rule that in the zygote's own IPC namespace nothing is someone else's (no snapshot taken)."""
    assert sweep.ipc_snapshot(own_ipc=True) == frozenset()
    assert sweep.clean_ipc(None, own_ipc=False, before=frozenset()) is None  # shared namespace, no uid: untouched
