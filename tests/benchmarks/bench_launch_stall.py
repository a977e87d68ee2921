"""The window's longest stall in its first seconds, with and without a project to open. Prints figures.

    .venv/bin/python tests/benchmarks/bench_launch_stall.py [--repeats 5] [--seconds 4] [--json]

Each run is a new process of the real entry point (`mldesk`, offscreen), its event loop replaced by one
that runs for --seconds with a 10 ms heartbeat timer; the stall is the longest gap between two beats less
the 10 ms. Two kinds of run, taken in turn:

  welcome page        `mldesk`: the window shows the welcome page while the chart warm-up runs
  gui PROJECT         `mldesk gui PROJECT`: the project (two finished runs on the heart sample) is
                      opened as the window starts, its steps load while the warm-up runs

Figures: the median and every run's stall (ms), goal ≤ 100 ms; for a project, also when the window showed it
and when its steps had loaded (ms after the event loop started, medians). desktop_app is compiled first and the
children run without PYTHONDONTWRITEBYTECODE, as an installed app.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import CHILD_ENV, PY, compile_app  # noqa: E402

# The real entry point, its event loop replaced by a timed one that reports the longest heartbeat gap.
CHILD = """
import json, sys, time
import desktop_app.ui.app as app_module
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

def _watched(app, window):
    clock, gaps, last = QElapsedTimer(), [], [0]
    clock.start()
    def beat():
        now = clock.elapsed(); gaps.append(now - last[0]); last[0] = now
    timer = QTimer(); timer.timeout.connect(beat); timer.start(10)
    end = time.perf_counter() + float(sys.argv[1])
    shown = settled = None
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if shown is None and window.project is not None:
            shown = clock.elapsed()
        if shown is not None and settled is None and not window.runner.tasks:
            settled = clock.elapsed()
    print(json.dumps({"stall_ms": max(gaps) - 10, "project_open": window.project is not None,
                      "shown_ms": shown, "settled_ms": settled}))
    return 0

app_module._run = _watched
from desktop_app.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


def _project(work: Path) -> Path:
    from desktop_app.core.project import Project
    from tests.ui.helpers import train_plain_and_balanced

    with Project.create(work / "proj", "Heart study") as project:
        train_plain_and_balanced(project)
    return work / "proj"


def _stall(seconds: float, *command: str) -> dict:
    done = subprocess.run([PY, "-c", CHILD, str(seconds), *command], check=True, capture_output=True, text=True,
                          env=CHILD_ENV, cwd=REPO, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    compile_app()
    with tempfile.TemporaryDirectory() as work:
        project = str(_project(Path(work)))
        kinds = {"welcome page": (), "gui PROJECT": ("gui", project)}
        _stall(args.seconds, *kinds["gui PROJECT"])   # warm-up run: the files in the page cache
        runs: dict[str, list[float]] = {name: [] for name in kinds}
        shown: list[float] = []
        settled: list[float] = []
        for _ in range(args.repeats):
            for name, command in kinds.items():
                seen = _stall(args.seconds, *command)
                if command and (not seen["project_open"] or seen["settled_ms"] is None):
                    raise SystemExit(f"the project did not open and load within {args.seconds} s")
                runs[name].append(seen["stall_ms"])
                if command:
                    shown.append(seen["shown_ms"])
                    settled.append(seen["settled_ms"])
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"stall_ms": runs, "shown_ms": shown, "settled_ms": settled, "load": load}, indent=2))
        return 0
    print(f"the window's longest stall in its first {args.seconds:g} s, {args.repeats} new processes each, "
          f"bytecode compiled, load average {load:.2f} (goal ≤ 100 ms)")
    for name, stalls in runs.items():
        print(f"  {name:<14} median {statistics.median(stalls):5.0f} ms   runs {', '.join(f'{s:.0f}' for s in stalls)}")
    print(f"  the project shown {statistics.median(shown):.0f} ms, its steps loaded "
          f"{statistics.median(settled):.0f} ms after the event loop started (medians)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
