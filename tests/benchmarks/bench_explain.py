"""Explanations and dossier benchmark (issue 18): per-row contributions for 1,000 rows of the 400k-row heart
model, and the model version's dossier.

    .venv/bin/python tests/benchmarks/bench_explain.py [--rows 400000] [--repeats 3]

A project with the heart data (400,000 rows, the sample's generator) and two registered models,
logistic regression and hist gradient boosting (the app's defaults). Timed, median of --repeats:
`project.explain.explain(MODEL, FILE, rows=1000)` on a 1,000-row file of new patients, the whole call
as `mldesk explain` makes it (load the model, read and check the rows, contributions, the check that
they add up to the model's own output). Goals: ≤ 2 s for logistic regression, ≤ 10 s for gradient
boosting. The logistic regression's first call also builds the version's drift reference (its
background rows), once per version, as the first drift check would: timed apart.

For scale, in the same run: the model's own scoring of the same 1,000 rows (`pipeline.predict_proba`).
Then the version's dossier, `project.dossier.html(MODEL)` (gathering every section, the partial dependence
curves included, and laying it out), median of --repeats: goal ≤ 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_training_core import TARGET, data_file  # noqa: E402
from tests.benchmarks.harness import compile_app  # noqa: E402

GOALS = {"logistic_regression": 2.0, "hist_gradient_boosting": 10.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv", type=Path, help="the training file (default: generated once in the temp folder)")
    args = parser.parse_args(argv)
    compile_app()
    import os

    import pandas as pd

    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec

    csv = data_file(args.rows, args.csv)
    print(f"{args.rows:,} training rows, 1,000 rows explained; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder, Project.create(Path(folder) / "p") as project:
        project.datasets.import_file(csv, name="heart")
        new = Path(folder) / "new.csv"
        pd.read_csv(csv, nrows=1000).drop(columns=[TARGET]).to_csv(new, index=False)
        rows = pd.read_csv(new)
        for algorithm, goal in GOALS.items():
            run = project.runs.train(RunSpec(dataset="heart", target=TARGET, algorithm=algorithm))
            name = f"heart-{algorithm.replace('_', '-')}"
            project.registry.register(run.id, name)
            first = time.perf_counter()
            project.explain.explain(name, new, rows=1000)
            first = time.perf_counter() - first
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                result = project.explain.explain(name, new, rows=1000)
                times.append(time.perf_counter() - started)
            pipeline = project.registry.load_model(name)
            scoring = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                pipeline.predict_proba(rows)
                scoring.append(time.perf_counter() - started)
            dossier = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                project.dossier.html(name)
                dossier.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(f"  {algorithm:<24} explain {median:6.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}; first "
                  f"call {first:.2f} s) — goal ≤ {goal:g} s {'PASS' if median <= goal else 'MISS'}; the model "
                  f"scoring the same rows {statistics.median(scoring):.3f} s; "
                  f"{len(result.explanation.outputs):,} rows, {len(result.explanation.features)} columns")
            print(f"  {'':<24} dossier {statistics.median(dossier):6.2f} s (runs "
                  f"{', '.join(f'{t:.2f}' for t in dossier)}) — goal ≤ 5 s "
                  f"{'PASS' if statistics.median(dossier) <= 5 else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
