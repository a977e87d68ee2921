"""How long the GUI thread's event loop stalls: shared by the UI tests and the benchmarks.

A 10 ms timer on the GUI thread; the longest gap between two ticks, less the 10 ms, is the
stall. A watchdog thread samples what the GUI thread is doing during a gap over 50 ms, so a
failing assertion says where the time went (`culprit`).

    with Heartbeat() as heartbeat:
        ...                      # drive the window, waiting as a user would
    assert heartbeat.stall_ms < FREEZE_MS, heartbeat.culprit

Tests hold the window to FREEZE_MS, a bound only a real freeze (heavy work on the GUI thread)
comes near on a loaded machine; the tight figures (100–250 ms) are measured by
tests/benchmarks/bench_responsiveness.py.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback

from PySide6.QtCore import QTimer

INTERVAL_MS = 10
FREEZE_MS = 5_000


class Heartbeat:
    def __init__(self) -> None:
        self.longest = 0.0
        self.culprit = ""
        self._last = time.perf_counter()
        self._running = False
        self._worst_sample = 0.0
        self._main = threading.main_thread().ident
        self.timer = QTimer()
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def _watch(self) -> None:
        while self._running:
            time.sleep(0.01)
            gap = time.perf_counter() - self._last
            if gap > 0.05 and gap > self._worst_sample:
                frame = sys._current_frames().get(self._main)
                if frame is not None:
                    self._worst_sample = gap
                    self.culprit = "".join(traceback.format_stack(frame, limit=40))

    def start(self) -> Heartbeat:
        self.longest, self.culprit, self._worst_sample = 0.0, "", 0.0
        self._last = time.perf_counter()
        self._running = True
        self.timer.start()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stop watching; the longest stall in ms."""
        self._beat()
        self.timer.stop()
        self._running = False
        self._thread.join()
        return self.stall_ms

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def stall_ms(self) -> float:
        return max(0.0, self.longest * 1000 - INTERVAL_MS)
