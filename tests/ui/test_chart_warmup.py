"""A worker that asks to wait for the chart warm-up starts its work only once pyqtgraph is in (issue 15).

The warm-up's last step (importing pyqtgraph on the GUI thread) and a worker's first use of pandas
both want the GIL; side by side, the window stalled 130–160 ms while importing a file right after
opening a project. Needs a fresh interpreter: the test process has pyqtgraph already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys, threading, time
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop_app.ui.work import chart_warmup
owner = QObject()
seen = {"before": chart_warmup.charts_ready()}
chart_warmup.warm_up_charts(owner)

def worker():
    started = time.perf_counter()
    chart_warmup.wait_for_charts()
    seen["ready"], seen["waited"] = chart_warmup.charts_ready(), time.perf_counter() - started
    started = time.perf_counter()
    chart_warmup.wait_for_charts()
    seen["again"] = time.perf_counter() - started

threading.Thread(target=worker, daemon=True).start()
poll = QTimer()
poll.timeout.connect(lambda: "again" in seen and app.quit())
poll.start(10)
QTimer.singleShot(20_000, app.quit)
app.exec()
print(json.dumps(seen))
"""


def test_a_worker_waits_for_the_warm_up_under_way_and_not_after_it():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] is False
    assert seen["ready"] is True and seen["waited"] > 0.0
    assert seen["again"] < 0.05
