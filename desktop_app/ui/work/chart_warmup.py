"""Prepare pyqtgraph on the GUI thread in small slices, so that the first chart does not freeze the window.

Importing pyqtgraph costs ~0.4 s in one go, most of it spent making PySide6 create every
Qt class and enum it touches (pyqtgraph copies all of QtCore, QtGui and QtWidgets). It must
happen on the GUI thread: doing it on a worker while the GUI thread uses Qt crashes PySide6
(seen as a segmentation fault). So `warm_up_charts()` touches those attributes a few
milliseconds at a time from a zero-interval timer, then imports the other modules pyqtgraph
loads one per tick, then freezes the heap (`gc.freeze()`: what exists now lives as long as
the app) so that the full garbage collection the import would trigger scans only new
objects — a collection of the whole heap took 50–105 ms here, after freezing 3 ms — and
then imports pyqtgraph, which is left with ~50 ms of work in the running app (~0.2 s in one
go without the slices; more under pytest, whose import hook slows every import).

`main()` starts the warm-up once the welcome page is painted, so the chart library is ready
before the analyst opens a project; steps that draw charts start it too (when the window was
built without `main()`, as in tests). Its last step (importing pyqtgraph, 50–70 ms alone) and
the first work of a project's loading workers (pandas, pyarrow's kernels, SQLAlchemy) all want
the GIL: run together, the window stalled 120–215 ms. A worker about to start such work calls
`wait_for_charts()` first, which returns at once unless the warm-up is under way (the second
after the launch), and then at its end.

numpy, which pyqtgraph and pandas need, is not Qt: the warm-up imports it on a thread of its own
(`import_numpy_in_background`) while it touches Qt's classes.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time

from PySide6.QtCore import QObject, QTimer

from desktop_app.ui.work import heap

SLICE_S = 0.006  # GUI time per timer tick
STEP_INTERVAL_MS = 5  # between the longer steps that follow
# What importing pyqtgraph loads besides itself and QtCore/QtGui/QtWidgets, imported a tick each beforehand.
DEPENDENCIES = ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "PySide6.QtTest", "colorama",
                "multiprocessing.connection", "xml.etree.ElementTree", "cProfile")

_timer: QTimer | None = None
_not_warming = threading.Event()  # set unless a warm-up is under way
_not_warming.set()
WAIT_LIMIT_S = 2.0


_numpy_import: threading.Thread | None = None


def import_numpy_in_background() -> None:
    """Start importing numpy on a thread of its own (once per process); returns at once."""
    global _numpy_import
    if "numpy" not in sys.modules and _numpy_import is None:
        _numpy_import = threading.Thread(target=importlib.import_module, args=("numpy",), name="numpy-import",
                                         daemon=True)
        _numpy_import.start()


def charts_ready() -> bool:
    return "pyqtgraph" in sys.modules


def wait_for_charts(timeout: float = WAIT_LIMIT_S) -> None:
    """On a worker thread: let a chart warm-up under way finish first (at most `timeout` seconds)."""
    _not_warming.wait(timeout)


def warm_up_charts(parent: QObject) -> None:
    """Start preparing pyqtgraph (once per process); returns at once."""
    global _timer
    if charts_ready() or _timer is not None:
        return
    from PySide6 import QtCore, QtGui, QtWidgets

    import_numpy_in_background()
    names = iter([(module, name) for module in (QtCore, QtGui, QtWidgets) for name in dir(module)])
    later = iter([*(lambda m=m: importlib.import_module(m) for m in DEPENDENCIES), heap.freeze])
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
        # Longer steps now: a non-zero interval lets due timers, input and paints in between
        # (a zero-interval timer would run the collection and the import back to back).
        timer.setInterval(STEP_INTERVAL_MS)
        if _numpy_import is not None and _numpy_import.is_alive():
            return   # what follows imports numpy: waiting on its import lock would hold the window until it is in
        step = next(later, None)
        if step is not None:
            try:
                step()
            except ImportError:  # pyqtgraph will do without, or say so itself
                pass
            return
        timer.stop()
        timer.deleteLater()
        _timer = None
        try:
            import pyqtgraph  # noqa: F401 - what remains of the import is quick now
            heap.freeze()  # pyqtgraph's objects live as long as the app: out of the full collections
        finally:
            _not_warming.set()

    def forget() -> None:  # the parent went away before the end
        global _timer
        _timer = None
        _not_warming.set()

    timer.timeout.connect(tick)
    timer.destroyed.connect(forget)
    _timer = timer
    _not_warming.clear()
    timer.start()
