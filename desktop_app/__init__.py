"""MLDesk: a desktop MLOps workbench for tabular data."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# Arrow's allocator: jemalloc on Linux (pyarrow's wheels there have it), else the system's malloc —
# not Arrow's default mimalloc. Loading a 10M-row table spent 7–12 s in the kernel on page faults
# with mimalloc (3.0 s in all with malloc, 2.3 s with jemalloc), and malloc gives a freed table back
# to the system while holding the GIL (130 ms for 10M rows, a stall of the window; 33 ms with
# jemalloc). docs/benchmarks.md, "Ten million rows". pyarrow reads the variable as it is imported;
# a pool the user chose is kept.
ARROW_POOL = "jemalloc" if _sys.platform.startswith("linux") else "system"
if "pyarrow" in _sys.modules:
    if "ARROW_DEFAULT_MEMORY_POOL" not in _os.environ:
        _pa = _sys.modules["pyarrow"]
        try:
            _pa.set_memory_pool(getattr(_pa, f"{ARROW_POOL}_memory_pool")())
        except NotImplementedError:   # a pyarrow built without jemalloc
            _pa.set_memory_pool(_pa.system_memory_pool())
else:
    _os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", ARROW_POOL)
