"""MLDesk: a desktop MLOps workbench for tabular data."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# Arrow allocates from the system allocator (malloc), not its default mimalloc: loading a 10M-row
# table spent 7–12 s in the kernel on page faults with mimalloc against 2 s with malloc, and the
# checks of a million rows varied 1.4–2.4 s against a steady 1.4 s (docs/benchmarks.md, "Ten million
# rows"). pyarrow reads the variable once, as it is imported; a pool chosen by the user is kept.
if "pyarrow" in _sys.modules:
    if "ARROW_DEFAULT_MEMORY_POOL" not in _os.environ:
        _sys.modules["pyarrow"].set_memory_pool(_sys.modules["pyarrow"].system_memory_pool())
else:
    _os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
