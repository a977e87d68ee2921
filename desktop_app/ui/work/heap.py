"""Keep the garbage collector's full passes short while the window runs.

CPython's full collection walks every object it tracks, holding the GIL: with pandas, pyarrow,
scikit-learn, SQLAlchemy and Qt's wrappers loaded that took 50–110 ms here, and on whichever
thread set it off it froze the window. It comes when the objects kept since the last full pass
reach a quarter of those it kept then, which is while a wave of modules is imported: the import
wizard's first opening, the Explain tab's first model (skops imports all of scikit-learn).

Modules, classes and functions live as long as the app. So whenever the window's background
work has settled after many new modules, `settle()` moves everything tracked so far to the
permanent generation (`gc.freeze()`, as the launch and the chart warm-up do through `freeze()`),
and later full passes walk only what came after it (the skops import's: 62 → 19 ms). Reference
counting still frees frozen objects (a loaded DataFrame included); only a reference cycle among
them that is dropped later stays in memory until the app exits.

A wave of imports known in advance (what a project's steps need, imported before it is shown) runs
under `importing()`: no collection starts while it lasts, and what it made is frozen at its end.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

NEW_MODULES = 50   # modules imported since the last freeze that make the next settle freeze

_modules_at_freeze = 0
_importing = 0               # threads inside `importing()`: the collector is back on when the last one leaves
_collector_was_on = True
_importing_lock = threading.Lock()


def freeze() -> None:
    """Everything tracked now is kept out of the full collections from here on."""
    global _modules_at_freeze
    gc.freeze()
    _modules_at_freeze = len(sys.modules)


def settle() -> bool:
    """The window's work has settled: freeze if a wave of modules came since the last freeze. True if it did."""
    if len(sys.modules) - _modules_at_freeze < NEW_MODULES:
        return False
    freeze()
    return True


@contextmanager
def importing() -> Iterator[None]:
    """Around a wave of imports on any thread: no automatic collection meanwhile (a full pass set off
    midway walks everything imported so far, holding the GIL: 27 ms while a project's steps imported
    pandas), and what it made is frozen when it ends."""
    global _importing, _collector_was_on
    with _importing_lock:
        if _importing == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _importing += 1
    try:
        yield
    finally:
        with _importing_lock:
            _importing -= 1
            if _importing == 0:
                freeze()
                if _collector_was_on:
                    gc.enable()
