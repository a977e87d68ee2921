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
"""

from __future__ import annotations

import gc
import sys

NEW_MODULES = 50   # modules imported since the last freeze that make the next settle freeze

_modules_at_freeze = 0


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
