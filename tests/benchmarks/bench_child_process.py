"""What a child process spares the window: the longest gap of a 2 ms heartbeat thread while a large run's Explain
curves are made on a thread of the same process (as the window did) or in a child (`core.project_process`).

    .venv/bin/python tests/benchmarks/bench_child_process.py PROJECT [--repeats 2]

PROJECT is a project with a finished logistic regression run, e.g. the 10M one that
`bench_10m.py --rows 10000000 --steps import logistic_regression --workdir /tmp/b10m --keep` leaves in
/tmp/b10m/project_10000000. `explain.run_dependence` re-creates the run's training rows (numpy's legacy shuffle
and pandas' factorize hold the GIL), then draws the curves.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def measure(project, run_id: str, mode: str) -> tuple[float, float, int]:
    """(seconds, longest heartbeat gap in ms, gaps over 50 ms) for one call in `mode` ("thread" or "child")."""
    from desktop_app.core.project_process import call_in_process

    gaps: list[float] = []
    beating = True

    def beat() -> None:
        previous = time.monotonic()
        while beating:
            time.sleep(0.002)
            now = time.monotonic()
            gaps.append(now - previous)
            previous = now

    heart = threading.Thread(target=beat, daemon=True)
    heart.start()
    started = time.perf_counter()
    if mode == "thread":
        worker = threading.Thread(target=lambda: project.explain.run_dependence(run_id))
        worker.start()
        worker.join()
    else:
        call_in_process(project, "explain.run_dependence", run_id)
    seconds = time.perf_counter() - started
    beating = False
    heart.join()
    return seconds, max(gaps) * 1000, sum(g > 0.05 for g in gaps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    from desktop_app.core.project import Project

    with Project.open(args.project) as project:
        run = next(r for r in project.runs.list()
                   if r.algorithm == "logistic_regression" and r.status.value == "finished")
        for _ in range(args.repeats):
            for mode in ("thread", "child"):
                seconds, longest, over = measure(project, run.id, mode)
                print(f"{mode:<6} {seconds:6.1f} s   longest heartbeat gap {longest:5.0f} ms   gaps over 50 ms: {over}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
