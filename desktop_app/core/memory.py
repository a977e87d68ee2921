"""Will a step fit in memory? An estimate made before the work starts, and a clear refusal if not.

    memory.ensure_fits(f"Checking {version.label}", memory.step_bytes("check", memory.table_bytes(
        version.columns, version.rows, snapshot)))

A table that does not fit used to end with the operating system killing the window (or the
machine swapping to a halt) minutes into the work. Each core service that loads a whole table
(quality checks, training, drift) calls `ensure_fits` first: the step's peak memory is its
measured multiple of the table's in-memory size (tests/benchmarks/bench_10m.py, docs/
benchmarks.md "Ten million rows"), compared with what the operating system says is available
now. Too much raises `NotEnoughMemoryError`, whose sentence gives both figures and what to do.

Available memory is read with the standard library only (no psutil at run time): MemAvailable
from /proc/meminfo on Linux, GlobalMemoryStatusEx on Windows, vm_stat on macOS, sysconf
elsewhere. When it cannot be read, nothing is refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from desktop_app.core.errors import MLDeskError

GB = 1024**3

# Peak memory of each step ÷ the in-memory size (pandas) of the table it works on, measured on 1M
# and 10M rows of the wide heart sample (20 mixed columns) and rounded up; see bench_10m.py.
STEP_FACTORS = {
    "import": 2.0,       # the file read into Arrow, kinds applied, written as Parquet (10M: 1.55, 1M: 2.04)
    "check": 2.5,        # load (Arrow + pandas) and the checks' factorized columns (2.25, 2.48)
    "train": 3.5,        # the rows in training order and the encoded matrix (logistic regression 2.60, 3.08;
                         # hist gradient boosting 2.94, 3.20)
    "reference": 2.5,    # drift reference: the model's training rows loaded, described, a sample scored (2.1)
    "batch": 3.0,        # a drift batch (÷ its own table): read, validated, scored, compared, imported (2.4)
}
TEXT_TABLE_RATIO = 1.75  # a CSV's table in memory ÷ the file's size (numbers and short text)

# Bytes a cell takes in memory, by the Arrow type recorded for the column.
_FIXED = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4, "float": 4,
          "halffloat": 2, "date32[day]": 4}
STRING_CELL = 24    # offset + characters of a text cell when the snapshot is not sampled (typical: 12–20)
SAMPLE_ROWS = 65_536
_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ".psv", ".gz"}


class NotEnoughMemoryError(MLDeskError):
    """A step would need more memory than the machine has available now."""

    def __init__(self, what: str, needed: int, available: int) -> None:
        super().__init__(
            f"{what} needs about {_gb(needed)} of memory and {_gb(available)} is available now; "
            "import a sample of the rows (a file with fewer rows) as a smaller dataset, use a machine "
            "with more memory, or close other programs and try again.")
        self.needed, self.available = needed, available


def _gb(n: float) -> str:
    return f"{n / GB:.1f} GB" if n >= GB / 10 else f"{n / 1024**2:.0f} MB"


# -- available memory ------------------------------------------------------------------------------

def available_bytes() -> int | None:
    """Memory the operating system can give this process now without swapping; None if unknown."""
    try:
        if sys.platform.startswith("linux"):
            return _linux()
        if sys.platform == "win32":
            return _windows()
        if sys.platform == "darwin":
            return _macos()
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError, subprocess.SubprocessError):
        return None


def _linux() -> int | None:
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")  # kernels before 3.14


def _windows() -> int | None:
    import ctypes
    from ctypes import wintypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("dwLength", wintypes.DWORD), ("dwMemoryLoad", wintypes.DWORD),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong), ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong), ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(MemoryStatus)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return None
    return int(status.ullAvailPhys)


def _macos() -> int | None:
    """Free, inactive and speculative pages (what Activity Monitor counts as available, less cache)."""
    text = subprocess.run(["vm_stat"], capture_output=True, text=True, timeout=2, check=True).stdout
    page = re.search(r"page size of (\d+) bytes", text)
    counts = dict(re.findall(r"^Pages (free|inactive|speculative):\s+(\d+)\.", text, re.MULTILINE))
    if page is None or not counts:
        return None
    return sum(int(v) for v in counts.values()) * int(page.group(1))


# -- estimates -------------------------------------------------------------------------------------

def _cell_bytes(dtype: str) -> float:
    if "string" in dtype or dtype in ("binary", "large_binary", "null"):
        return STRING_CELL
    if dtype.startswith("dictionary"):
        return 4
    return _FIXED.get(dtype, 8)  # int64, double, timestamps, durations, decimals…


def table_bytes(columns: Iterable[Any], rows: int, snapshot: Path | None = None) -> int:
    """The in-memory size (pandas) of a table of `rows` rows with these columns (ColumnInfo: name, dtype).

    With `snapshot` (the version's Parquet object) the text columns are measured on its first
    rows instead of assumed, so long free text is not underestimated.
    """
    widths = {c.name: _cell_bytes(str(c.dtype)) for c in columns}
    text = [name for name, width in widths.items() if width == STRING_CELL]
    if snapshot is not None and text and rows:
        measured = _text_widths(snapshot, text)
        widths.update(measured)
    return int(rows * sum(widths.values()))


def _text_widths(snapshot: Path, columns: list[str]) -> dict[str, float]:
    """Bytes per cell of `columns` over the first SAMPLE_ROWS rows of a Parquet file ({} if unreadable)."""
    try:
        import pyarrow.parquet as pq

        with pq.ParquetFile(snapshot) as parquet:
            batch = next(parquet.iter_batches(batch_size=SAMPLE_ROWS, columns=columns), None)
        if batch is None or batch.num_rows == 0:
            return {}
        return {name: batch.column(name).nbytes / batch.num_rows + 1 for name in columns}
    except (OSError, ValueError, KeyError, StopIteration):  # pyarrow's errors derive from these
        return {}


class _Field:
    def __init__(self, name: str, dtype: str) -> None:
        self.name, self.dtype = name, dtype


def file_table_bytes(path: Path) -> int | None:
    """The in-memory size of the table in a text or Parquet file (None for other kinds of file)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            with pq.ParquetFile(path) as parquet:
                fields = [_Field(f.name, str(f.type)) for f in parquet.schema_arrow]
                rows = parquet.metadata.num_rows
            return table_bytes(fields, rows, snapshot=path)
        if suffix in _TEXT_SUFFIXES:
            return int(path.stat().st_size * TEXT_TABLE_RATIO * (4 if suffix == ".gz" else 1))
    except (OSError, ValueError):
        return None
    return None


# -- the check -------------------------------------------------------------------------------------

def ensure_fits(what: str, needed: int | None) -> None:
    """Raise NotEnoughMemoryError if `needed` bytes exceed the memory available now.

    `what` starts the sentence: "Checking sales@3", "Training on sales@3", … Nothing is refused
    when the need or the available memory is unknown.
    """
    if not needed:
        return
    available = available_bytes()
    if available is not None and needed > available:
        raise NotEnoughMemoryError(what, needed, available)


def step_bytes(step: str, table: int | None) -> int | None:
    """Peak memory of `step` (a key of STEP_FACTORS) on a table of `table` bytes in memory."""
    return None if table is None else int(STEP_FACTORS[step] * table)


def release_unused_memory() -> None:
    """Hand memory Arrow has freed back to the system, so that the next step (NumPy, scikit-learn) can use it.

    An allocator may keep the pages a loaded table freed for its own later use (mimalloc, jemalloc, or
    malloc's trimmable top: `desktop_app` makes Arrow use malloc unless the user chose a pool);
    training allocates through malloc and would otherwise grow beside them.
    """
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


def let_go(frame: Any) -> None:
    """Empty `frame` (a pandas DataFrame its caller holds the last reference to) a column at a time,
    letting other threads run between the columns.

    A freed table goes back to the system (munmap) while the freeing thread holds the GIL: a loaded
    10M-row table in one go held it for 130 ms, a stall of the window whose worker had checked it.
    Column by column, the longest step is ~20 ms (one of pandas' consolidated blocks of numbers).
    """
    import time

    while frame.shape[1]:
        del frame[frame.columns[-1]]
        time.sleep(0)   # give the window's thread its turn
