"""Prepare pyqtgraph on the GUI thread in small slices, so that the first chart does not freeze the window.

Importing pyqtgraph costs ~0.4 s in one go, most of it spent making PySide6 create every
Qt class and enum it touches (pyqtgraph copies all of QtCore, QtGui and QtWidgets). It must
happen on the GUI thread: doing it on a worker while the GUI thread uses Qt crashes PySide6
(seen as a segmentation fault). So `warm_up_charts()` touches those attributes a few
milliseconds at a time from a zero-interval timer, and then imports pyqtgraph, which is left
with ~65 ms of work in the running app (~0.2 s in one go without the slices; more under
pytest, whose import hook slows every import).
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QObject, QTimer

SLICE_S = 0.006  # GUI time per timer tick

_timer: QTimer | None = None


def charts_ready() -> bool:
    return "pyqtgraph" in sys.modules


def warm_up_charts(parent: QObject) -> None:
    """Start preparing pyqtgraph (once per process); returns at once."""
    global _timer
    if charts_ready() or _timer is not None:
        return
    from PySide6 import QtCore, QtGui, QtWidgets

    names = iter([(module, name) for module in (QtCore, QtGui, QtWidgets) for name in dir(module)])
    timer = QTimer(parent)
    timer.setInterval(0)

    def tick() -> None:
        global _timer
        deadline = time.perf_counter() + SLICE_S
        for module, name in names:
            try:
                getattr(module, name)
            except Exception:  # noqa: BLE001 - an attribute that cannot be read is simply skipped
                pass
            if time.perf_counter() > deadline:
                return
        timer.stop()
        timer.deleteLater()
        _timer = None
        import pyqtgraph  # noqa: F401 - what remains of the import is quick now

    def forget() -> None:  # the parent went away before the end
        global _timer
        _timer = None

    timer.timeout.connect(tick)
    timer.destroyed.connect(forget)
    _timer = timer
    timer.start()
