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

The start time in milliseconds is worked out from the kernel's boot time, which moves whenever the wall
clock is set (by NTP, or by the host of a virtual machine: 18 s once on a test machine, after which a training
worker judged its own live window gone and marked the window's queued run interrupted). So on Linux an owner
also records `start_id` — the boot's id and the process's start in clock ticks since boot, which no clock
setting moves — and that is compared exactly when both sides have it. Records without it (older ones, other
systems, temporary names) are judged by the milliseconds, within START_TOLERANCE_MS.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    start_id: str | None = None   # Linux: "<boot id>:<start in clock ticks since boot>" (see the module doc)

    def alive(self) -> bool | None:
        """Whether the owning process still runs; None when it ran on another host."""
        if self.host != current_host():
            return None
        if self.start_id is not None:
            now = process_start_id(self.pid)
            if now is not None:
                return now == self.start_id
        started = process_started_ms(self.pid)
        return started is not None and abs(started - self.started_ms) <= START_TOLERANCE_MS

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"host": self.host, "pid": self.pid, "started_ms": self.started_ms}
        if self.start_id is not None:
            found["start_id"] = self.start_id
        return found

    @classmethod
    def from_dict(cls, data: dict | None) -> Owner | None:
        if data is None:
            return None
        try:
            start_id = data.get("start_id")
            return cls(str(data["host"]), int(data["pid"]), int(data["started_ms"]),
                       str(start_id) if start_id is not None else None)
        except (TypeError, KeyError, ValueError, AttributeError):
            return None


def process_started_ms(pid: int) -> int | None:
    """The start time of process `pid` in milliseconds, or None when no such process runs."""
    import psutil

    try:
        return int(round(psutil.Process(pid).create_time() * 1000))
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, ValueError):
        return None


def process_start_id(pid: int) -> str | None:
    """Linux: "<boot id>:<start ticks>" of process `pid`, which no setting of the clock moves, or "" when no such
    process runs; None where /proc does not tell (other systems)."""
    try:
        boot = _boot_id()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return "" if Path("/proc/self/stat").exists() else None
    except (OSError, ValueError):
        return None
    fields = stat.rsplit(")", 1)[-1].split()   # after the command name, which may hold spaces and parentheses
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None   # field 22 of proc(5): starttime


@cache
def _boot_id() -> str:
    return Path("/proc/sys/kernel/random/boot_id").read_text().strip()


@cache
def _this_process(pid: int) -> Owner:
    return Owner(current_host(), pid, process_started_ms(pid) or 0, process_start_id(pid) or None)


def current_owner() -> Owner:
    """This process (the pid is read each time: a forked child is another owner)."""
    return _this_process(os.getpid())


def host_tag(host: str) -> str:
    """A short fixed-width stand-in for a host name, safe in a file name."""
    return hashlib.sha256(host.encode()).hexdigest()[:8]


def temp_name(prefix: str) -> str:
    """A unique temporary file or folder name that records this process as its owner.

    On Linux it holds the start in ticks since boot too (".t<ticks>"; the boot's id is left out, for length: a
    name is read on this host, and a process started in another boot is gone)."""
    me = current_owner()
    ticks = f".t{me.start_id.rsplit(':', 1)[1]}" if me.start_id else ""
    return f"{prefix}{host_tag(me.host)}.{me.pid}.{me.started_ms}{ticks}.{secrets.token_hex(4)}"


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
    here = tag == host_tag(current_host())
    host = current_host() if here else f"host:{tag}"
    start_id = None
    if here and parts[3].startswith("t") and parts[3][1:].isdigit():   # a hex token never starts with "t"
        boot = _boot_id_or_none()
        start_id = f"{boot}:{parts[3][1:]}" if boot is not None else None
    return Owner(host, int(parts[1]), int(parts[2]), start_id)


def _boot_id_or_none() -> str | None:
    try:
        return _boot_id()
    except OSError:
        return None
