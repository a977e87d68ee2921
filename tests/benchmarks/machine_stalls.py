"""The machine's own stalls, to set beside the window's: how long an idle process went without the CPU.

On a virtual machine the hypervisor can take every virtual CPU away at once (steal time); then every process
stalls, the window with them, whatever the app does. `MachineWatch` starts a tiny process that sleeps 2 ms at a
time and notes each longer gap with its time; `phase()` gives, since the previous call, that process's longest
gap and the CPU time stolen from the machine's CPUs (Linux's /proc/stat; 0 elsewhere). A window stall that an
idle process shared at the same moment is the machine's, not the window's. `major_faults()` counts the pages the
measuring process itself had to read back from disk: a stall with many of them is memory pressure, not the app's
own work.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEARTBEAT = """
import sys, time
out = open(sys.argv[1], "w", buffering=1)
prev = time.time()
while True:
    time.sleep(0.002)
    now = time.time()
    if now - prev > 0.01:
        out.write(f"{now:.4f} {(now - prev) * 1000:.0f}\\n")
    prev = now
"""


def stolen_ms() -> float:
    """CPU time the hypervisor took from all CPUs since boot, in ms (0 where /proc/stat is missing)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) * 10.0   # USER_HZ ticks of 10 ms
    except (OSError, IndexError, ValueError):
        return 0.0


def major_faults() -> int:
    """This process's page faults that read from disk so far (pages of code or data the kernel had dropped under
    memory pressure); 0 where the resource module is missing (Windows)."""
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_majflt


class MachineWatch:
    def __init__(self) -> None:
        self._file = Path(tempfile.mkstemp(prefix="mldesk-heartbeat-", suffix=".txt")[1])
        self._process = subprocess.Popen([sys.executable, "-c", HEARTBEAT, str(self._file)])
        self._since, self._stolen = time.time(), stolen_ms()

    def phase(self) -> dict[str, float]:
        """Since the previous call: the idle process's longest gap (ms) and the CPU time stolen (ms)."""
        now, stolen = time.time(), stolen_ms()
        gaps = [float(ms) for t, ms in (line.split() for line in self._file.read_text().splitlines())
                if self._since < float(t) <= now]
        found = {"machine_stall_ms": max(gaps, default=0.0), "steal_ms": stolen - self._stolen}
        self._since, self._stolen = now, stolen
        return found

    def close(self) -> None:
        self._process.kill()
        self._process.wait()
        self._file.unlink(missing_ok=True)
