"""What PySide6's look at each new module costs the imports that follow Qt, and what is left of it with
`ui/pyside_import_check.speed_up()`. Prints figures.

    .venv/bin/python tests/benchmarks/bench_pyside_look.py [--repeats 7] [--json]

Each run is a new process that imports PySide6's QtCore, QtGui and QtWidgets first (as the window
has by the time it needs them), then, timed, what the window imports later: pandas, pyarrow's
Parquet module, scikit-learn's linear models and ensembles, SciPy's statistics and pyqtgraph. Three
kinds of run, taken in turn so that the machine's drift reaches each alike:

  no Qt        the same imports in a process that never imported Qt: the floor
  PySide6      with Qt imported, PySide6's own look at each new module (`inspect.getsource`)
  quick        with Qt imported and the look made quick (`speed_up()`, as the window does)

Figures: the median seconds of --repeats runs of each, and each ÷ the floor. desktop_app is
compiled first; the children run without PYTHONDONTWRITEBYTECODE, as an installed app.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import CHILD_ENV, PY, compile_app  # noqa: E402

IMPORTS = ("pandas", "pyarrow.parquet", "sklearn.linear_model", "sklearn.ensemble", "scipy.stats", "pyqtgraph")

CHILD = """
import sys, time
kind = sys.argv[1]
if kind != "no Qt":
    import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets
    app = PySide6.QtWidgets.QApplication([])
if kind == "quick":
    from desktop_app.ui import pyside_import_check
    pyside_import_check.speed_up()
t = time.perf_counter()
for name in sys.argv[2:]:
    __import__(name)
print(time.perf_counter() - t, len(sys.modules))
"""

KINDS = ("no Qt", "PySide6", "quick")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    compile_app()
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    modules = 0
    for round_ in range(args.repeats + 1):   # the first round warms the page cache and is not counted
        for kind in KINDS:
            done = subprocess.run([PY, "-c", CHILD, kind, *IMPORTS], capture_output=True, text=True, check=True,
                                  cwd=REPO, env=CHILD_ENV)
            seconds, modules = done.stdout.split()[-2:]
            if round_:
                times[kind].append(float(seconds))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    print(f"imports after Qt ({', '.join(IMPORTS)}; {modules} modules loaded in all), median of {args.repeats} "
          f"new processes each; load average now {os.getloadavg()[0]:.1f}")
    for kind in KINDS:
        spread = ", ".join(f"{t:.2f}" for t in sorted(times[kind]))
        print(f"  {kind:<8} {medians[kind]:6.3f} s  ÷ no Qt {medians[kind] / medians['no Qt']:5.2f}   ({spread})")
    print(f"  PySide6's own look: {medians['PySide6'] - medians['no Qt']:+.3f} s; the quick one: "
          f"{medians['quick'] - medians['no Qt']:+.3f} s")
    if args.json:
        print(json.dumps({"medians": medians, "times": times}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
