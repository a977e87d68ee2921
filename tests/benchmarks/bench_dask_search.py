"""A search on a Dask cluster against the same work on joblib's local processes (issue 17).

    .venv/bin/python tests/benchmarks/bench_dask_search.py [--rows 100000] [--repeats 3] [--workers 2]

A 24-candidate grid (decision tree: max_depth 2–7 × min_samples_leaf 1, 5, 20, 50), 3-fold
cross-validation each, on the heart sample's training rows (75% of --rows), refit off:

  cluster   `search_prepared(..., cluster=ADDRESS)`: the app's own path, on a
            `distributed.LocalCluster` of --workers worker processes (one thread each), started
            once before the timing as a team's cluster would already be running
  joblib    the same candidates' `cluster.score_candidate` through joblib's `Parallel` with
            --workers local processes (loky, the pool warmed up first): the bare library doing
            the same work
  here      the app's search without a cluster: one candidate after another in this process

Each side's seconds are the median of --repeats rounds run alternately; the ratio (goal ≤ 1.2)
is cluster ÷ joblib in the same round (median). The candidates' scores must be equal on all three.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_training_core import data_file  # noqa: E402

SPACE = {"max_depth": [2, 3, 4, 5, 6, 7], "min_samples_leaf": [1, 5, 20, 50]}
GOAL = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import distributed
    import numpy as np
    import pandas as pd
    from joblib import Parallel, delayed

    from desktop_app.core.training.catalogue import get_algorithm
    from desktop_app.core.training.cluster import score_candidate
    from desktop_app.core.training.prepare import prepare
    from desktop_app.core.training.search import candidates_for, normalise_space, search_prepared

    frame = pd.read_csv(data_file(args.rows, None))
    prep = prepare(frame, None, "heart_disease", "decision_tree", seed=0).in_training_order()
    algorithm = get_algorithm("decision_tree", "classification")
    settings = candidates_for(algorithm, normalise_space(algorithm, dict(SPACE)), "grid", 24, 0)
    fixed = algorithm.effective_params(None)
    print(f"{len(settings)} candidates × 3 folds on {len(prep.train):,} training rows; {args.workers} workers; "
          f"{os.cpu_count()} CPUs")

    def on_cluster(address):
        result = search_prepared(prep, method="grid", space=SPACE, cv_folds=3, seed=0, refit=False, cluster=address)
        return [c.mean_score for c in result.candidates]

    def on_joblib():
        scores = Parallel(n_jobs=args.workers, backend="loky")(
            delayed(score_candidate)(prep, {**fixed, **s}, None, 0, 3, prep.train, "roc_auc") for s in settings)
        return [float(np.mean(folds)) for folds, _seconds in scores]

    def here():
        result = search_prepared(prep, method="grid", space=SPACE, cv_folds=3, seed=0, refit=False)
        return [c.mean_score for c in result.candidates]

    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        address = cluster.scheduler_address
        on_joblib()  # start the loky pool; the cluster's workers are up already
        times: dict[str, list[float]] = {"cluster": [], "joblib": [], "here": []}
        scores = {}
        for _ in range(args.repeats):
            for name, run in (("cluster", lambda: on_cluster(address)), ("joblib", on_joblib), ("here", here)):
                started = time.perf_counter()
                scores[name] = run()
                times[name].append(time.perf_counter() - started)
    same = scores["cluster"] == scores["joblib"] == scores["here"]
    ratios = [c / j for c, j in zip(times["cluster"], times["joblib"])]
    for name, values in times.items():
        print(f"  {name:8s} {statistics.median(values):6.2f} s  (rounds: {', '.join(f'{v:.2f}' for v in values)})")
    ratio = statistics.median(ratios)
    print(f"cluster ÷ joblib local processes: {ratio:.2f} (rounds {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"goal ≤ {GOAL}) {'PASS' if ratio <= GOAL else 'MISS'}; scores equal on all three: {same}; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
