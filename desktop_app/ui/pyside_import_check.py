"""PySide6's look at every module imported after it, answered from the file's bytes.

Once Qt is imported, PySide6 stands in for `__import__`: after each new module it asks whether
the module's source mentions "PySide6" (the modules that `from __feature__ import snake_case`
may switch), and reads that source through `inspect.getsource`: linecache, the encoding cookie,
a list of lines, for every module. The window imports ~1,900 modules after Qt (pandas, pyarrow,
scikit-learn, SciPy, pyqtgraph); that look took 0.38 s of their 1.97 s here
(tests/benchmarks/bench_pyside_look.py), on the GUI thread when the chart warm-up imports
pyqtgraph in slices, and holding the GIL from the window while a worker imports pandas.

`speed_up()` answers the same question by searching the module's .py file as bytes. A module
without one (built in, compiled only, inside an archive as in the standalone build) is left to
PySide6's own look. A PySide6 without that look is left as it is.
"""

from __future__ import annotations

import sys
from types import ModuleType


def speed_up() -> bool:
    """Make PySide6's look at each new module read bytes; False when this PySide6 has no such look."""
    import PySide6.QtCore  # noqa: F401 - installs the look this replaces

    feature = sys.modules.get("shibokensupport.feature")
    look = getattr(feature, "_mod_uses_pyside", None)
    if not callable(look):
        return False
    if getattr(look, "__wrapped__", None) is not None:
        return True   # already done

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:   # (no import in here: it would call this again)
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return look(module)

    uses_pyside.__wrapped__ = look   # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside   # type: ignore[union-attr]
    return True
