"""Wall-clock figures that tests measure but do not judge.

A test asserts behaviour (the work finished, the cancel ended the run, the window kept
processing events); how fast is a benchmark's business, because a loaded machine doubles any
figure. Tests hand their figures to `record`, which appends them to the JSON-lines file named
by $MLDESK_FIGURES and does nothing otherwise; tests/benchmarks/bench_responsiveness.py runs
the tests a few times with it set and prints the median and maximum of each figure.

    record("startup_s", seconds)
"""

from __future__ import annotations

import json
import os

ENV = "MLDESK_FIGURES"


def record(name: str, value: float) -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"figure": name, "value": float(value)}) + "\n")
