"""Inside the sandbox: see what model a program built and what its own `eigen` calls returned, without trusting it.

Loaded by the zygote (standard library only; bound read-only next to zygote.py). The forker calls `install()` once,
after it has imported openseespy: `eigen` and `wipe` of every openseespy module object are replaced by wrappers, so
each import style (`import openseespy.opensees as ops`, `from openseespy.opensees import *`, `from openseespy import
opensees`, even the binary `openseespylinux.opensees`) gets them. The real functions, and the domain queries, stay in
the wrappers' closure: a program that redefines, deletes or monkeypatches `eigen` only loses its own record.

What the probe saw goes to the supervisor as frames on the child's report pipe, each carrying a per-run key (32
random bytes) that the supervisor sends with the request and checks on every frame. The program can only write to
that pipe, never read it, and the key never reaches the program's namespace, so what it writes itself (fake frames,
garbage) fails the check and is dropped; closing the pipe only loses frames. (A keyed hash would add nothing: no one
but the supervisor reads the pipe. The key is cheap to check, where an HMAC cost ~0.3 ms per fresh child.) A program
that digs the key out of the probe's closures with introspection or ctypes is beyond this (it runs in the same
process): the host drops the eigen record of a program that uses such tools (`probe_model.reaches_into_interpreter`).

Frames: `eigen` (each call: eigenvalues or failure, the model at that moment), `wipe` (the model before it goes),
`end` (the program's last line was passed: the report of how it ended, the model it left), `cexit` (the process is
ending from C, e.g. OpenSees' `exit()` after `nodeEigenvector` fails: the line it was on and the model then).
"""

from __future__ import annotations

import hmac  # (compare_digest)
import json
import math
import os
import struct
import sys
from typing import Any

PROGRAM_NAME = "<program>"
KEY_BYTES = 32
_HEADER = struct.Struct(">I")
MAX_SENT = 3 << 20  # what the probe sends per run at most (the supervisor keeps 4 MiB); `end` always fits
MAX_NODES = 20000  # bigger models are counted, not read whole
MODULES = ("openseespy.opensees", "openseespylinux.opensees", "openseespymac.opensees", "openseespywin.opensees")
_QUERIES = ("getNodeTags", "nodeCoord", "getFixedNodes", "nodeMass", "getEleTags", "eleNodes", "eleType", "getNDM",
            "getNDF")


def _program_line() -> int | None:
    """The innermost line of the program on the current stack (the wrapper is called from it)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == PROGRAM_NAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _first(value: Any) -> int | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return int(value) if isinstance(value, (int, float)) else None


def install(arm_here: bool = False) -> Any:
    """Wrap `eigen` and `wipe` in every loaded openseespy module (if any); returns the controller.

    The controller: `start(key, fd)` in each child before its program, `finish(report)` after it. `arm_here`: the
    C-exit handler is registered in this process, once, for every child it forks (only for a process that never
    ends normally, as the forker: see `_c_exit_arming`); otherwise each child registers it in `start`.
    """
    mods = [sys.modules[name] for name in MODULES if name in sys.modules]
    real_mod = next((m for m in mods if callable(getattr(m, "eigen", None))), None)
    q = {name: getattr(real_mod, name, None) for name in _QUERIES}
    pack_header = _HEADER.pack
    dumps, write = json.dumps, os.write
    st: dict[str, Any] = {"key": None}

    def send(body: dict[str, Any], always: bool = False) -> None:
        """One frame with the run's key; a closed pipe just loses it (the program may have closed it)."""
        key = st["key"]
        if key is None:
            return
        data = dumps(body, separators=(",", ":")).encode()
        if st["sent"] + len(data) > MAX_SENT:
            if not always:
                return
            data = dumps({**body, "model": None}, separators=(",", ":")).encode()  # how it ended still fits
        frame = memoryview(pack_header(KEY_BYTES + len(data)) + key + data)
        st["sent"] += len(frame)
        try:
            while frame:
                frame = frame[write(st["fd"], frame):]
        except OSError:
            pass

    def snapshot() -> dict[str, Any] | None:
        """The domain as it is now (None when it is empty); the same dict as the last one when nothing was added."""
        if real_mod is None:
            return None
        try:
            tags = q["getNodeTags"]()
            if not tags:  # (no elements without nodes)
                return None
            etags = q["getEleTags"]()
        except Exception:
            return None
        if st["last_counts"] == (len(tags), len(etags)) and st["last_snap"] is not None:
            return {"same": True}
        st["last_counts"] = (len(tags), len(etags))
        snap: dict[str, Any] = {"nodes": len(tags), "elements": len(etags)}
        try:
            snap["ndm"] = _first(q["getNDM"]())
            snap["ndf"] = _first(q["getNDF"](tags[0])) if tags else None
            fixed = list(q["getFixedNodes"]())
            snap["fixed"] = len(set(fixed))
            if len(tags) > MAX_NODES or len(etags) > 2 * MAX_NODES:
                snap["truncated"] = True
            else:
                coord, mass, ele_nodes, ele_type = q["nodeCoord"], q["nodeMass"], q["eleNodes"], q["eleType"]
                snap["coords"] = [coord(t) for t in tags]
                snap["mass_x"] = [m[0] if m else 0.0 for m in map(mass, tags)]
                index = {t: i for i, t in enumerate(tags)}
                snap["base"] = sorted(index[t] for t in set(fixed) if t in index)
                types: dict[str, int] = {}
                pairs = []
                for e in etags:
                    name = ele_type(e) if ele_type is not None else "unknown"
                    types[name] = types.get(name, 0) + 1
                    en = ele_nodes(e)
                    if len(en) == 2 and en[0] in index and en[1] in index:
                        pairs.append((index[en[0]], index[en[1]]))
                snap["types"] = types
                snap["pairs"] = pairs
        except Exception as exc:  # a query OpenSees refuses: say so, keep what was read
            snap["error"] = repr(exc)[:200]
        st["last_snap"] = snap
        return snap

    def eigen(*args: Any, **kwargs: Any) -> Any:
        if st["key"] is None or not st["model"]:
            return real_eigen(*args, **kwargs)
        line = _program_line()
        st["line"] = line
        try:
            values = real_eigen(*args, **kwargs)
        except BaseException as exc:
            send({"k": "eigen", "ok": False, "line": line, "error": type(exc).__name__})
            raise
        lambdas = [float(v) for v in (values if isinstance(values, (list, tuple)) else [values])]
        ok = bool(lambdas) and all(v > 0 and math.isfinite(v) for v in lambdas)
        send({"k": "eigen", "ok": ok, "line": line, "lambdas": lambdas[:100], "model": snapshot() if ok else None})
        return values

    def wipe(*args: Any, **kwargs: Any) -> Any:
        if st["key"] is not None and st["model"]:
            line = _program_line()
            st["line"] = line
            snap = snapshot()
            if snap is not None and not snap.get("same"):
                send({"k": "wipe", "line": line, "model": snap})
            st["last_snap"], st["last_counts"] = None, None
        return real_wipe(*args, **kwargs)

    if real_mod is not None:
        real_eigen, real_wipe = real_mod.eigen, real_mod.wipe
        eigen.__name__, eigen.__qualname__, eigen.__doc__ = "eigen", "eigen", real_eigen.__doc__
        wipe.__name__, wipe.__qualname__, wipe.__doc__ = "wipe", "wipe", real_wipe.__doc__
        for mod in mods:
            for name, fn in (("eigen", eigen), ("wipe", wipe)):
                try:
                    setattr(mod, name, fn)
                except (AttributeError, TypeError):
                    pass

    class Controller:
        """The zygote's handle (the program can find it; what it gives it is a way to send what is true)."""

        @staticmethod
        def start(key: bytes, fd: int, model: bool = True) -> None:
            """From now on frames go out on `fd`; `model=False`: only how the program ended (no eigen record,
            no snapshots: the benchmark's baseline)."""
            st.update(key=bytes(key), fd=fd, sent=0, line=None, last_snap=None,
                      last_counts=None, model=model)
            if not arm_here:
                arm_c_exit()

        @staticmethod
        def finish(report: dict[str, Any]) -> None:
            """The program's last line was passed (or it raised): the model it left, then how it ended."""
            try:
                send({"k": "end", "report": report, "model": snapshot() if st["model"] else None}, always=True)
            except BaseException:  # (out of memory, say): how it ended matters more than the model
                send({"k": "end", "report": report, "model": None}, always=True)
            st["key"] = None

        @staticmethod
        def c_exit(status: int) -> None:
            """C code called exit(): what the program printed is still in Python's buffers; then the frame."""
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
            if st["key"] is None:
                return
            line = _program_line()
            send({"k": "cexit", "status": status, "line": line if line is not None else st["line"],
                  "model": snapshot() if st["model"] else None}, always=True)
            st["key"] = None

    arm_c_exit = _c_exit_arming(Controller.c_exit)
    if arm_here:
        arm_c_exit()
    dumps({"k": [1.0]}, separators=(",", ":"))
    return Controller


def _c_exit_arming(handler: Any) -> Any:
    """A function that makes C's exit() (OpenSees calls it mid-program) run `handler(status)` in this process.

    Only for processes that never end normally (the forker, the children: they end with os._exit, which runs no
    handler): a ctypes callback run after the interpreter has finalized would crash.
    """
    try:
        import ctypes

        callback = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p)(lambda status, _arg: handler(status))
        on_exit = ctypes.CDLL(None).on_exit
    except (OSError, AttributeError):
        return lambda: None
    _KEEP.append(callback)  # the C side holds a pointer to it

    def arm() -> None:
        on_exit(callback, None)

    return arm


_KEEP: list[Any] = []


# ---------------------------------------------------------------------------------------------------- supervisor side
def read_frames(data: bytes, key: bytes) -> tuple[list[dict[str, Any]], bool]:
    """The genuine frames in what the child's report pipe held, in order; also whether anything else was there."""
    frames: list[dict[str, Any]] = []
    tampered = False
    pos = 0
    while pos < len(data):
        if pos + _HEADER.size > len(data):
            return frames, True
        (size,) = _HEADER.unpack_from(data, pos)
        body = data[pos + _HEADER.size: pos + _HEADER.size + size]
        pos += _HEADER.size + size
        if size < KEY_BYTES or len(body) != size:
            return frames, True
        if not hmac.compare_digest(body[:KEY_BYTES], key):
            tampered = True  # a frame the probe did not write: dropped
            continue
        payload = body[KEY_BYTES:]
        try:
            frames.append(json.loads(payload.decode("utf-8")))
        except ValueError:
            tampered = True
    return frames, tampered


def merge(frames: list[dict[str, Any]]) -> dict[str, Any]:
    """What the supervisor tells the host: how the program ended, where, and what the probe saw (raw)."""
    out: dict[str, Any] = {"reached_end": False}
    eigen_calls = 0
    lambdas: list[float] = []
    failed = False
    model, kind, latest, latest_kind = None, None, None, None
    last_line = None
    for frame in frames:
        k = frame.get("k")
        snap = frame.get("model")
        if isinstance(snap, dict) and not snap.get("same"):
            latest, latest_kind = snap, ("eigen" if k == "eigen" else "wipe" if k == "wipe" else "end")
        if frame.get("line") is not None:
            last_line = frame["line"]
        if k == "eigen":
            eigen_calls += 1
            failed = not frame.get("ok")
            if frame.get("ok"):
                lambdas = [float(v) for v in frame.get("lambdas") or []]
                model, kind = latest, "eigen"
        elif k == "end":
            out["reached_end"] = True
            out.update({key: v for key, v in (frame.get("report") or {}).items()
                        if key in ("exception_type", "exception_message", "error_line")})
        elif k == "cexit":
            out["c_exit_status"] = frame.get("status")
    if model is None and latest is not None:
        model, kind = latest, latest_kind
    if not out["reached_end"]:
        out["last_line"] = last_line
    out["probe"] = {"eigen_calls": eigen_calls, "eigen_failed": failed and eigen_calls > 0,
                    "eigen_periods_s": [2 * math.pi / math.sqrt(v) for v in lambdas if v > 0],
                    "snapshot": kind, "raw": model}
    return out
