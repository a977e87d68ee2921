"""The first chart of the Compare step does not freeze the window.

The figures come from a fresh interpreter (pyqtgraph not yet imported, modules loaded from
bytecode as in an installed app) that shows the welcome page (starting the chart warm-up as
`main()` does), opens a project in the real window, goes to the Compare step, selects two runs
and opens the ROC / PR tab. A 10 ms QTimer heartbeat runs
throughout; a stall is the longest gap between beats minus 10 ms.

    .venv/bin/python -m tests.ui.test_compare_stall            # train two runs, measure 5 rounds

Each round measures the app as it is, then with the chart warm-up switched off (`warm=False`:
pyqtgraph imported in one go by the first chart, as before the Compare step prepared it), and
prints the longest stall (ms) of each phase: `loading` (the window opens the project), `opening`
(go to the Compare step), `selecting` (select two runs: the bars drawn), `curves` (open ROC / PR).
Rounds with `wait_s` 0 open the project and select the runs at once, before the warm-up has finished
(`mldesk PROJECT`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BEAT_MS = 10
# As on a user's machine, modules load from bytecode (this workplace sets PYTHONDONTWRITEBYTECODE).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"QT_QPA_PLATFORM": "offscreen"}


def make_project(folder: Path) -> Path:
    """A project holding two finished runs (plain and balanced logistic regression on the heart sample)."""
    from desktop_app.core.project import Project
    from tests.ui.helpers import train_plain_and_balanced

    with Project.create(folder / "proj", "Heart study") as project:
        train_plain_and_balanced(project)
    return folder / "proj"


def measure_in_child(project_dir: Path, wait_s: float = 1.0, warm: bool = True) -> dict[str, float]:
    """Run `child()` in a fresh interpreter; its figures in ms."""
    code = f"from tests.ui.test_compare_stall import child; child({str(project_dir)!r}, {wait_s!r}, {warm!r})"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=CHILD_ENV, capture_output=True, text=True,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"exit {out.returncode}: {out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(project_dir: str, wait_s: float, warm: bool = True) -> None:
    """Open the project (then wait `wait_s`), go to Compare (wait `wait_s`: the user reads the table),
    select both runs, open the ROC / PR tab: the longest stall of each phase."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    work = Path(tempfile.mkdtemp(prefix="mldesk-stall-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication([])
    from desktop_app.core.project import Project
    from desktop_app.ui.app import configure_application
    from desktop_app.ui.main_window import MainWindow

    configure_application(app)
    assert "pyqtgraph" not in sys.modules
    if not warm:  # no warm-up: the first chart imports pyqtgraph in one go
        import desktop_app.ui.steps.compare.comparison as compare_panel
        import desktop_app.ui.steps.compare.panel as compare_step

        compare_step.warm_up_charts = compare_panel.warm_up_charts = lambda parent: None
        compare_panel.charts_ready = lambda: True

    def spin_until(condition, timeout: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            if time.perf_counter() > deadline:
                raise TimeoutError("the window did not get there in time")

    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(BEAT_MS)
    timer.timeout.connect(beat)

    def start() -> None:
        gaps.clear()
        last[0] = time.perf_counter()
        timer.start()

    def stop() -> float:
        beat()
        timer.stop()
        return max(0.0, max(gaps) * 1000 - BEAT_MS)

    project = Project.open(project_dir)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    spin_until(window.isVisible)
    if warm:   # as `main()` does once the welcome page is painted; the analyst reads it for `wait_s`
        from desktop_app.ui.work.chart_warmup import warm_up_charts

        warm_up_charts(window)
    until = time.perf_counter() + wait_s
    spin_until(lambda: time.perf_counter() > until)
    start()
    window.set_project(project)
    spin_until(lambda: not window.runner.tasks)
    until = time.perf_counter() + wait_s
    spin_until(lambda: time.perf_counter() > until)
    loading = stop()
    step = window.compare_step
    runs = project.runs.list()

    start()
    window.navigator.select("compare")
    spin_until(lambda: not step.loading and step.table.model.rowCount() == len(runs))
    until = time.perf_counter() + wait_s
    spin_until(lambda: time.perf_counter() > until)
    opening = stop()
    ready = "pyqtgraph" in sys.modules

    start()
    step.select_runs([r.id for r in runs])
    panel = step.panel
    spin_until(lambda: all(r.id in step.curves for r in runs) and panel.bars.showing_chart
               and not window.runner.tasks)
    window.repaint()
    selecting = stop()

    start()
    panel.tabs.setCurrentWidget(panel.curves_chart)
    spin_until(lambda: panel.curves_chart.showing_chart)
    window.repaint()
    curves = stop()
    window.close()
    print(json.dumps({"loading": round(loading), "opening": round(opening), "selecting": round(selecting),
                      "curves": round(curves), "wait_s": wait_s, "warm": warm,
                      "charts_ready_before_selecting": ready}),
          flush=True)
    os._exit(0)  # skip the interpreter's teardown of Qt objects (it can crash offscreen, after the figures)


@pytest.fixture(scope="module")
def stall_project(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("stall"))


def test_the_first_chart_does_not_freeze_the_window(stall_project, capsys):
    from tests.figures import record
    from tests.heartbeat import FREEZE_MS

    measure_in_child(stall_project)           # writes the bytecode of the modules it loads
    figures = measure_in_child(stall_project)
    with capsys.disabled():
        print(f"\nCompare step, fresh process: longest GUI stall {figures}")
    # The chart library was prepared (in slices) before the runs were selected, not by the first chart.
    assert figures["charts_ready_before_selecting"]
    # No freeze. The 200 ms goal (without the warm-up, selecting stalls 130–290 ms) is a benchmark
    # figure: tests/benchmarks/bench_responsiveness.py. `loading` is the window opening the project
    # (all steps), not this step's doing.
    for phase in ("loading", "opening", "selecting", "curves"):
        record(f"compare_first_chart_{phase}_stall_ms", figures[phase])
    assert max(figures[k] for k in ("opening", "selecting", "curves")) < FREEZE_MS


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="mldesk-stall-project-"))
    where = make_project(folder)
    measure_in_child(where)  # writes the bytecode of the modules it loads
    for wait in (1.0, 1.0, 1.0, 0.0, 0.0):
        for warm in (True, False):
            print(measure_in_child(where, wait, warm))
