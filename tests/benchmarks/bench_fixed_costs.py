"""Fixed costs: what a command or the window costs before any real work, whole processes. Prints figures.

    .venv/bin/python tests/benchmarks/bench_fixed_costs.py [--repeats 9] [--json]

Setup: a project in a temporary folder with the heart sample imported and linked to a
shared folder (synced once, so a sync finds nothing to do); desktop_app's bytecode
compiled first and the children run without PYTHONDONTWRITEBYTECODE, as an installed app.

Each figure is the median wall time of --repeats runs of a new process (after one warm-up
run, so the files are in the page cache):

  python -c pass            the interpreter alone: the floor every command pays
  bare sqlite3 listing      python -c: sqlite3 opens the project file and selects the datasets
  import sqlalchemy.orm     python -c: what opening a project the full way pays first
  mldesk --help
  mldesk datasets PROJECT   goal ≤ 0.25 s
  mldesk sync PROJECT       nothing to do; goal ≤ 0.25 s
  mldesk runs PROJECT       lists the runs at a glance too (core/tracking/listing.py)
  mldesk models PROJECT     opens the project the full way (SQLAlchemy), for comparison
  launch → welcome page     `mldesk` with no command: from before the interpreter starts until the
                            welcome page is painted (offscreen); goal ≤ 1 s

Ratios are to the bare sqlite3 listing (the same work without MLDesk) and to `python -c pass`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import CHILD_ENV, PY, compile_app  # noqa: E402

BARE_LISTING = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1] + "/mldesk.db")
rows = con.execute("SELECT d.name, v.number, v.rows, v.sha256 FROM datasets d JOIN dataset_versions v "
                   "ON v.dataset_id = d.id ORDER BY d.name, v.number").fetchall()
print(rows)
"""

# The real entry point (`mldesk` with no command), its event loop replaced by one paint and a report.
LAUNCH = """
import sys, time
t0 = float(sys.argv[1])
import desktop_app.ui.app as app_module

def _painted(app, window):
    window.repaint()
    app.processEvents()
    print(time.time() - t0)
    return 0

app_module._run = _painted
from desktop_app.cli import main
raise SystemExit(main([]))
"""


def _median_process_seconds(command: list[str], repeats: int) -> float:
    subprocess.run(command, check=True, capture_output=True, env=CHILD_ENV, cwd=REPO)  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=CHILD_ENV, cwd=REPO)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _launch_seconds(repeats: int) -> float:
    times = []
    for _ in range(repeats + 1):
        done = subprocess.run([PY, "-c", LAUNCH, repr(time.time())], check=True, capture_output=True, text=True,
                              env=CHILD_ENV, cwd=REPO)
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(times[1:])


def _project(work: Path) -> Path:
    from desktop_app.core.project import Project
    from desktop_app.core.sample import SAMPLE_CSV

    project = work / "sample"
    with Project.create(project, name="Sample") as opened:
        opened.datasets.import_file(SAMPLE_CSV, name="heart")
        opened.sync.sync(work / "shared")
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    compile_app()
    mldesk = [PY, "-m", "desktop_app.cli"]
    with tempfile.TemporaryDirectory() as work:
        project = str(_project(Path(work)))
        figures = {
            "python -c pass": _median_process_seconds([PY, "-c", "pass"], args.repeats),
            "bare sqlite3 listing": _median_process_seconds([PY, "-c", BARE_LISTING, project], args.repeats),
            "import sqlalchemy.orm": _median_process_seconds([PY, "-c", "import sqlalchemy.orm"], args.repeats),
            "mldesk --help": _median_process_seconds([*mldesk, "--help"], args.repeats),
            "mldesk datasets": _median_process_seconds([*mldesk, "datasets", project], args.repeats),
            "mldesk sync (nothing to do)": _median_process_seconds([*mldesk, "sync", project], args.repeats),
            "mldesk runs": _median_process_seconds([*mldesk, "runs", project], args.repeats),
            "mldesk models (opens the full way)": _median_process_seconds([*mldesk, "models", project],
                                                                          args.repeats),
            "launch → welcome page": _launch_seconds(args.repeats),
        }
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"seconds": figures, "load": load}, indent=2))
        return 0
    floor, bare = figures["python -c pass"], figures["bare sqlite3 listing"]
    print(f"medians of {args.repeats} new processes, bytecode compiled, load average {load:.2f}")
    for name, seconds in figures.items():
        print(f"  {name:<34} {seconds:6.3f} s   ÷ bare listing {seconds / bare:5.2f}   ÷ python {seconds / floor:5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
