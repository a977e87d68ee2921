"""MLDesk: a desktop MLOps workbench for tabular data."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# Arrow allocates from the system allocator (malloc), not its default mimalloc: loading a 10M-row
# table took 7.6–9.9 s with mimalloc, 9–14 s of CPU in the kernel on page faults, against 3.0 s in all
# with malloc, and the checks of a million rows varied 1.7–2.4 s against a steady 1.4 s (docs/
# benchmarks.md, "Ten million rows"). jemalloc, faster still, stalled the window while it purged.
# pyarrow reads the variable once, as it is imported; a pool chosen by the user is kept.
if "pyarrow" in _sys.modules:
    if "ARROW_DEFAULT_MEMORY_POOL" not in _os.environ:
        _sys.modules["pyarrow"].set_memory_pool(_sys.modules["pyarrow"].system_memory_pool())
else:
    _os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
