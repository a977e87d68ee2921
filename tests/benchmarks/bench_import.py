"""Import benchmark (issue 2). Prints figures as ratios against the bare libraries.

    .venv/bin/python tests/benchmarks/bench_import.py [--rows 1000000]

1. import time ÷ (pandas read_csv + to_parquet of the same file)      goal ≤ 2.0
2. peak memory of the import ÷ the DataFrame's in-memory size          goal ≤ 3
3. longest GUI event-loop stall while the window imports the file     goal ≤ 100 ms
4. time to show the 1M-row table                                      goal ≤ 0.5 s
5. `mldesk --help` ≤ 0.5 s; launch-to-window ≤ 2 s

Each measurement runs in its own process so peak memory and start-up are clean.
The data (1M rows × 20 mixed columns) is generated once into tests/benchmarks/_data/.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import PY, compile_app, run_child  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent / "_data"


def make_data(rows: int) -> Path:
    path = DATA_DIR / f"heart_wide_{rows}.csv"
    if not path.exists():
        DATA_DIR.mkdir(exist_ok=True)
        subprocess.run(
            [PY, str(REPO / "resources/sample_data/make_heart_sample.py"), "--rows", str(rows), "--wide",
             "--out", str(path)],
            check=True,
        )
    return path


PEAK = """
import json, resource, sys, time
def rss_kb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * (resource.getpagesize() // 1024)
"""

BASELINE = PEAK + """
import pandas as pd, pyarrow, tempfile, os
start = rss_kb()
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
with tempfile.TemporaryDirectory() as d:
    df.to_parquet(os.path.join(d, 'x.parquet'))
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
print(json.dumps({"seconds": seconds, "peak_kb": peak, "frame_bytes": int(df.memory_usage(deep=True).sum()),
                  "rows": len(df), "columns": df.shape[1]}))
"""

APP_IMPORT = PEAK + """
import tempfile
from desktop_app.core.project import Project
import desktop_app.core.data.readers, desktop_app.core.data.kinds, desktop_app.core.data.detect
import pandas, pyarrow.parquet
with tempfile.TemporaryDirectory() as d:
    project = Project.create(d + '/p')
    start = rss_kb()
    t = time.perf_counter()
    result = project.datasets.import_file(sys.argv[1], name='bench')
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
    print(json.dumps({"seconds": seconds, "peak_kb": peak, "rows": result.version.rows,
                      "columns": result.version.n_columns, "warnings": list(result.warnings)}))
"""


def bench_import(path: Path, repeats: int) -> dict:
    base = [run_child(BASELINE, str(path)) for _ in range(repeats)]
    app = [run_child(APP_IMPORT, str(path)) for _ in range(repeats)]
    base_s = statistics.median(b["seconds"] for b in base)
    app_s = statistics.median(a["seconds"] for a in app)
    frame_bytes = base[0]["frame_bytes"]
    app_peak = min(a["peak_kb"] for a in app) * 1024
    base_peak = min(b["peak_kb"] for b in base) * 1024
    return {
        "rows": app[0]["rows"], "columns": app[0]["columns"],
        "pandas_seconds": base_s, "mldesk_seconds": app_s, "time_ratio": app_s / base_s,
        "frame_mb": frame_bytes / 2**20, "mldesk_peak_mb": app_peak / 2**20,
        "memory_ratio": app_peak / frame_bytes, "pandas_peak_ratio": base_peak / frame_bytes,
        "warnings": app[0]["warnings"],
    }


GUI = """
import json, sys, time, tempfile
from PySide6.QtCore import QTimer, QElapsedTimer
from PySide6.QtWidgets import QApplication
from desktop_app.core.project import Project
from tests.benchmarks.gui_driver import open_window, import_in_window, show_version_in_window
app = QApplication([])
d = tempfile.mkdtemp()
project = Project.create(d + '/p')
window = open_window(project)
gaps, clock, last = [], QElapsedTimer(), [0]
clock.start()
def beat():
    now = clock.elapsed(); gaps.append(now - last[0]); last[0] = now
timer = QTimer(); timer.timeout.connect(beat); timer.start(10)
t = time.perf_counter()
version = import_in_window(window, sys.argv[1])   # spins the event loop until the import is done
import_seconds = time.perf_counter() - t
timer.stop()
show_seconds = show_version_in_window(window, version)
print(json.dumps({"max_stall_ms": max(gaps[1:]) - 10, "import_seconds": import_seconds,
                  "show_table_seconds": show_seconds}))
"""

GUI_WARMUP = """
import json, tempfile
from PySide6.QtWidgets import QApplication
from desktop_app.core.project import Project
from tests.benchmarks.gui_driver import open_window
import desktop_app.core.training.catalogue, desktop_app.core.quality, sklearn.pipeline, pyqtgraph
app = QApplication([])
window = open_window(Project.create(tempfile.mkdtemp() + '/p'))
print(json.dumps({}))
"""

LAUNCH = """
import time, json, sys
t0 = float(sys.argv[1])
from tests.benchmarks.gui_driver import launch_to_window_seconds
print(json.dumps({"seconds": launch_to_window_seconds(t0)}))
"""


def bench_startup(repeats: int) -> dict:
    help_times = []
    mldesk = Path(PY).with_name("mldesk")
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([str(mldesk), "--help"], check=True, capture_output=True)
        help_times.append(time.perf_counter() - t)
    launch = []
    for _ in range(repeats):
        launch.append(run_child(LAUNCH, repr(time.time()))["seconds"])
    return {"help_seconds": statistics.median(help_times), "launch_to_window_seconds": statistics.median(launch)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    path = make_data(args.rows)
    compile_app()  # modules load from bytecode, as on a user's machine (harness.CHILD_ENV)
    run_child(GUI_WARMUP)  # writes the bytecode of everything the window imports
    print(f"data: {path.name}, {path.stat().st_size / 2**20:.0f} MB")

    imp = bench_import(path, args.repeats)
    print(f"import {imp['rows']:,} rows × {imp['columns']} columns")
    print(f"  pandas read_csv + to_parquet : {imp['pandas_seconds']:.2f} s (median of {args.repeats})")
    print(f"  mldesk import                : {imp['mldesk_seconds']:.2f} s")
    print(f"  time ratio                   : {imp['time_ratio']:.2f}   (goal ≤ 2.0)")
    print(f"  DataFrame in memory          : {imp['frame_mb']:.0f} MB")
    print(f"  mldesk import peak (Δ RSS)   : {imp['mldesk_peak_mb']:.0f} MB")
    print(f"  memory ratio                 : {imp['memory_ratio']:.2f}   "
          f"(goal ≤ 3; pandas alone: {imp['pandas_peak_ratio']:.2f})")

    gui = run_child(GUI, str(path))
    print("window")
    print(f"  longest event-loop stall during import : {gui['max_stall_ms']:.0f} ms   (goal ≤ 100)")
    print(f"  import in the window                   : {gui['import_seconds']:.2f} s")
    print(f"  time to show the {imp['rows']:,}-row table : {gui['show_table_seconds']:.2f} s   (goal ≤ 0.5)")

    start = bench_startup(args.repeats)
    print("start-up")
    print(f"  mldesk --help     : {start['help_seconds']:.2f} s   (goal ≤ 0.5)")
    print(f"  launch-to-window  : {start['launch_to_window_seconds']:.2f} s   (goal ≤ 2)")


if __name__ == "__main__":
    main()
