"""Sync benchmark (issue 12): prints every figure the issue names, as ratios to the bare work.

    .venv/bin/python tests/benchmarks/bench_sync.py [--runs 1000] [--versions 10] [--repeats 5]

The project: `--versions` dataset versions (20,000 rows × 12 columns each, as Parquet
snapshots) and `--runs` trained runs (logistic regression and random forest on 2,000 rows, each
with its model and curves stored), published to a shared folder. It is built once and kept
under tests/benchmarks/_data/ (delete that folder to build it again).

1. First clone ÷ copying: `mldesk clone SHARED NEW` (a whole process: it reads the journal,
   copies and verifies every object, applies every record) ÷ a whole process that copies the
   project folder with `shutil.copytree` (goal ≤ 1.5).
2. A sync with nothing to do ÷ `mldesk datasets` on the same project, whole processes
   (goal ≤ 1.5).
Medians of `--repeats` runs after one warm-up, app bytecode compiled first (as installed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import CHILD_ENV, PY, compile_app  # noqa: E402

DATA = REPO / "tests" / "benchmarks" / "_data"
GOALS = {"clone_ratio": 1.5, "noop_ratio": 1.5}


def build(runs: int, versions: int) -> tuple[Path, Path]:
    """The project and its shared folder (cached)."""
    import numpy as np
    import pandas as pd

    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec

    root = DATA / f"sync_{runs}runs_{versions}versions"
    if (root / "done").exists():
        return root / "project", root / "shared"
    shutil.rmtree(root, ignore_errors=True)
    (root / "csv").mkdir(parents=True)
    rng = np.random.default_rng(0)
    with Project.create(root / "project", name="Sync bench") as project:
        for v in range(versions):
            frame = pd.DataFrame(rng.normal(size=(20_000, 10)), columns=[f"x{i}" for i in range(10)])
            frame["group"] = rng.choice(["a", "b", "c"], size=len(frame))
            frame["y"] = (frame["x0"] + rng.normal(size=len(frame)) > 0).astype(int)
            path = root / "csv" / f"v{v}.csv"
            frame.to_csv(path, index=False)
            project.datasets.import_file(path, name="table")
        small = pd.DataFrame(rng.normal(size=(2_000, 5)), columns=[f"x{i}" for i in range(5)])
        small["y"] = (small["x0"] + rng.normal(size=len(small)) > 0).astype(int)
        small.to_csv(root / "csv" / "small.csv", index=False)
        project.datasets.import_file(root / "csv" / "small.csv", name="small")
        for i in range(runs):
            algorithm = "random_forest" if i % 10 == 0 else "logistic_regression"
            params = {"n_estimators": 20} if algorithm == "random_forest" else {"C": 0.1 + i / runs}
            project.runs.train(RunSpec("small", "y", algorithm, params=params, seed=i))
            if i % 100 == 0:
                print(f"  built {i}/{runs} runs", file=sys.stderr)
        project.sync.sync(root / "shared")
    (root / "done").touch()
    return root / "project", root / "shared"


def whole(args: list[str], repeats: int) -> tuple[float, list[float]]:
    """Median seconds of a whole process, after one warm-up run."""
    times = []
    for i in range(repeats + 1):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=CHILD_ENV, cwd=REPO)
        if i:
            times.append(time.perf_counter() - started)
    return statistics.median(times), times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    compile_app()
    project, shared = build(args.runs, args.versions)
    size = sum(p.stat().st_size for p in project.rglob("*") if p.is_file())
    mldesk = [PY, "-m", "desktop_app.cli"]
    with tempfile.TemporaryDirectory() as scratch:
        counter = iter(range(10_000))

        def fresh() -> str:
            return str(Path(scratch) / f"t{next(counter)}")

        copy_code = "import shutil, sys; shutil.copytree(sys.argv[1], sys.argv[2])"
        copy_s, copy_runs = _timed_fresh([PY, "-c", copy_code, str(project)], fresh, args.repeats)
        clone_s, clone_runs = _timed_fresh([*mldesk, "clone", str(shared)], fresh, args.repeats)
        cloned = fresh()
        subprocess.run([*mldesk, "clone", str(shared), cloned], check=True, capture_output=True, env=CHILD_ENV)
        noop_s, noop_runs = whole([*mldesk, "sync", cloned], args.repeats)
        datasets_s, datasets_runs = whole([*mldesk, "datasets", cloned], args.repeats)
    figures = {
        "runs": args.runs, "versions": args.versions, "project_mb": round(size / 1e6, 1),
        "clone_s": clone_s, "copytree_s": copy_s, "clone_ratio": clone_s / copy_s,
        "noop_sync_s": noop_s, "datasets_s": datasets_s, "noop_ratio": noop_s / datasets_s,
        "clone_runs": clone_runs, "copy_runs": copy_runs, "noop_runs": noop_runs, "datasets_runs": datasets_runs,
    }
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"Project: {args.runs:,} runs, {args.versions} dataset versions, {figures['project_mb']} MB of files")
    print(f"First clone (mldesk clone, whole process)    : {clone_s:.2f} s (median of {args.repeats})")
    print(f"copytree of the project (whole process)      : {copy_s:.2f} s")
    print(f"  ratio {figures['clone_ratio']:.2f} (goal ≤ {GOALS['clone_ratio']})")
    print(f"Sync with nothing to do (whole process)      : {noop_s:.3f} s")
    print(f"mldesk datasets (whole process)              : {datasets_s:.3f} s")
    print(f"  ratio {figures['noop_ratio']:.2f} (goal ≤ {GOALS['noop_ratio']})")
    return 0


def _timed_fresh(command: list[str], fresh, repeats: int) -> tuple[float, list[float]]:
    """Like `whole`, with a new target folder appended for each run (clone and copy need one)."""
    times = []
    for i in range(repeats + 1):
        target = fresh()
        started = time.perf_counter()
        subprocess.run([*command, target], check=True, capture_output=True, env=CHILD_ENV, cwd=REPO)
        if i:
            times.append(time.perf_counter() - started)
    return statistics.median(times), times


if __name__ == "__main__":
    sys.exit(main())
