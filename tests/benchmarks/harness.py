"""What the benchmark scripts share: fresh child interpreters and median timings.

No Qt here (gui_driver.py is what the children import to drive the window), so the
scripts can import this before choosing what to load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable

# As on a user's machine, modules load from compiled bytecode: compiling a module from
# source holds the GIL and would show up as window stalls that users never see.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"QT_QPA_PLATFORM": "offscreen"}


def compile_app() -> None:
    """Write desktop_app's bytecode once, so that no child pays for compiling it."""
    subprocess.run([PY, "-m", "compileall", "-q", str(REPO / "desktop_app")], check=True, env=CHILD_ENV)


def run_child(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter with the window offscreen; it prints one JSON line last."""
    done = subprocess.run([PY, "-c", code, *args], capture_output=True, text=True, cwd=REPO, env=CHILD_ENV)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(work: Callable[[], Any], repeats: int) -> tuple[float, list[float], Any]:
    """One warm-up call, then `repeats` timed calls: (median seconds, every time, the last result)."""
    result = work()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def median_seconds(work: Callable[[], Any], repeats: int) -> float:
    return timed(work, repeats)[0]
