"""Who owns a piece of unfinished work, and whether that owner is still alive.

A crash (kill -9, power loss, a frozen machine restarted) leaves runs marked `running`
and temporary files behind. Everything MLDesk leaves while it works names its owner —
host, process id and the process's start time, so that a recycled process id is not
mistaken for the owner — and `doctor` (also run when a project opens) clears what
belongs to owners that are gone. Work owned on another host is never judged dead by
this host: it cannot see that host's processes.

    name = temp_name(".mldesk-export-")        # ".mldesk-export-1a2b3c4d.4242.1733353200123.9f8e"
    owner = owner_of_temp(name, ".mldesk-export-")
    owner.alive()                              # True, False, or None (another host)
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache

from desktop_app.core.identity import current_host

# Two processes may compute one process's start time a second apart: the kernel's boot time
# (which start times are counted from) is read as whole seconds and drifts with clock
# adjustments. A process id reused within this window by another process is not a worry.
START_TOLERANCE_MS = 2000
# The temporary folder an export is built in, beside its final place (`bundles.service`).
EXPORT_TEMP_PREFIX = ".mldesk-export-"


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    started_ms: int  # the process's start time, milliseconds since the epoch

    def alive(self) -> bool | None:
        """Whether the owning process still runs; None when it ran on another host."""
        if self.host != current_host():
            return None
        started = process_started_ms(self.pid)
        return started is not None and abs(started - self.started_ms) <= START_TOLERANCE_MS

    def to_dict(self) -> dict[str, object]:
        return {"host": self.host, "pid": self.pid, "started_ms": self.started_ms}

    @classmethod
    def from_dict(cls, data: dict | None) -> Owner | None:
        if data is None:
            return None
        try:
            return cls(str(data["host"]), int(data["pid"]), int(data["started_ms"]))
        except (TypeError, KeyError, ValueError):
            return None


def process_started_ms(pid: int) -> int | None:
    """The start time of process `pid` in milliseconds, or None when no such process runs."""
    import psutil

    try:
        return int(round(psutil.Process(pid).create_time() * 1000))
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, ValueError):
        return None


@cache
def _this_process(pid: int) -> Owner:
    return Owner(current_host(), pid, process_started_ms(pid) or 0)


def current_owner() -> Owner:
    """This process (the pid is read each time: a forked child is another owner)."""
    return _this_process(os.getpid())


def host_tag(host: str) -> str:
    """A short fixed-width stand-in for a host name, safe in a file name."""
    return hashlib.sha256(host.encode()).hexdigest()[:8]


def temp_name(prefix: str) -> str:
    """A unique temporary file or folder name that records this process as its owner."""
    me = current_owner()
    return f"{prefix}{host_tag(me.host)}.{me.pid}.{me.started_ms}.{secrets.token_hex(4)}"


def owner_of_temp(name: str, prefix: str) -> Owner | None:
    """The owner recorded in a `temp_name`, or None for a name not made by it.

    The host comes back as this host when its tag matches, else as the tag itself
    (which never equals a real host name, so `alive()` answers None for it).
    """
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix):].split(".")
    if len(parts) < 4 or not (parts[1].isdigit() and parts[2].isdigit()):
        return None
    tag = parts[0]
    host = current_host() if tag == host_tag(current_host()) else f"host:{tag}"
    return Owner(host, int(parts[1]), int(parts[2]))
