"""Who holds something: a process named by pid, start time and boot, so that a reused pid is another process.

A pid alone is not an identity: after a build dies, the kernel hands its pid to the next process that starts (pids
wrap at /proc/sys/kernel/pid_max, and a container's pid namespace starts them low), so `kill(pid, 0)` would keep a
dead build `running` for as long as that stranger lives. The start time (clock ticks after boot, field 22 of
/proc/<pid>/stat) tells them apart, and the boot id tells a pid from before a reboot from one of now.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

_BOOT_ID = "/proc/sys/kernel/random/boot_id"


def start_ticks(pid: int) -> int | None:
    """When process `pid` started, in clock ticks after boot; None when it is gone or /proc cannot say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()  # after the command name, which may hold spaces and parentheses
    try:
        return int(fields[19])  # field 22 of the whole line: starttime
    except (IndexError, ValueError):
        return None


def boot_id() -> str | None:
    try:
        with open(_BOOT_ID) as fh:
            return fh.read().strip() or None
    except OSError:
        return None


@dataclass(frozen=True)
class Holder:
    """One process's identity: pid, start time and boot (either of the last two None where /proc has none)."""

    pid: int
    start: int | None
    boot: str | None

    @classmethod
    def me(cls) -> "Holder":
        return cls(os.getpid(), start_ticks(os.getpid()), boot_id())

    def alive(self) -> bool:
        """Whether this very process still runs (not merely some process with its pid)."""
        if self.boot is not None and boot_id() not in (None, self.boot):
            return False  # recorded before a reboot: every process of then is gone
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # another user's process: it exists
        if self.start is not None:
            now = start_ticks(self.pid)
            if now is not None and now != self.start:
                return False  # the pid was reused by a process that started later
        return True

    def as_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "start": self.start, "boot": self.boot}

    @classmethod
    def from_json(cls, data: Any) -> "Holder | None":
        """A holder read back from a file (None when it does not say one)."""
        if not isinstance(data, dict) or not isinstance(data.get("pid"), int) or isinstance(data.get("pid"), bool):
            return None
        start, boot = data.get("start"), data.get("boot")
        return cls(data["pid"], start if isinstance(start, int) else None, boot if isinstance(boot, str) else None)


def command_line(pid: int) -> str:
    """The holder's command line, shortened (what a person sees in `ps`)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().split(b"\0")
    except OSError:
        return ""
    text = " ".join(os.path.basename(a.decode("utf-8", "replace")) if i == 0 else a.decode("utf-8", "replace")
                    for i, a in enumerate(args) if a)
    text = " ".join(text.split())  # one line, whatever the arguments hold
    return text if len(text) <= 200 else text[:197] + "..."


def describe(note: Any) -> str:
    """'held by pid N: command' from a holder note (`Holder.as_json()` plus "command"), or a vaguer phrase."""
    holder = Holder.from_json(note)
    if holder is None:
        return "held by another process"
    command = note.get("command") if isinstance(note, dict) else None
    return f"held by pid {holder.pid}" + (f": {command}" if isinstance(command, str) and command else "")
