"""Training-core benchmark: tracked training ÷ bare scikit-learn on the same pipeline. Prints ratios.

    .venv/bin/python tests/benchmarks/bench_training_core.py [--rows 400000] [--csv FILE] [--repeats 3]
                                                             [--algorithms logistic_regression hist_gradient_boosting]
                                                             [--json]

For each algorithm, on the heart sample (resources/sample_data/make_heart_sample.py, 400k rows
by default; the file is generated once into the system temp folder unless --csv is given):

  bare      train_test_split (stratified, seed 0) → the pipeline `build_pipeline` makes →
            fit → predict + predict_proba → the 8 binary metrics with sklearn.metrics, on the
            text labels, as a script is usually written
  tight     the least work for the same numbers: integer-coded labels for the split and the
            metrics, one predict_proba pass (the floor any tracking adds to)
  lean      train_and_evaluate(..., curves=False, importance=False)
  full      train_and_evaluate(...) with curves and permutation importance (≤ 5,000 rows)

  ratio = tracked ÷ bare, and tracked ÷ tight               goal ≤ 1.10

Both sides run under the same thread limits (desktop_app/core/training/threads.py); a
"bare, library-default threads" timing is printed too, so the effect of those limits is
visible apart from the tracking overhead. Timings are medians of --repeats runs after one
warm-up, all in this process on the same DataFrame (read with pandas.read_csv).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import timed  # noqa: E402

GENERATOR = REPO / "resources" / "sample_data" / "make_heart_sample.py"
TARGET = "heart_disease"
GOAL = 1.10


def data_file(rows: int, csv: Path | None) -> Path:
    if csv is not None:
        return csv
    path = Path(tempfile.gettempdir()) / f"heart_{rows}.csv"
    if not path.exists():
        subprocess.run([sys.executable, str(GENERATOR), "--rows", str(rows), "--out", str(path)], check=True)
    return path


def bare(frame: pd.DataFrame, algorithm: str, seed: int = 0) -> dict[str, float]:
    """What a script would do by hand with the same pipeline: split, fit, predict, score."""
    from sklearn.model_selection import train_test_split

    from desktop_app.core.training.catalogue import get_algorithm
    from desktop_app.core.training.pipeline import build_pipeline, complete_kinds
    from tests.sklearn_reference import binary_metrics

    kinds = complete_kinds(frame, None)
    X = frame.drop(columns=TARGET)
    y = frame[TARGET].to_numpy(dtype=object)
    x_train, x_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    model = build_pipeline(kinds, TARGET, get_algorithm(algorithm, "classification"), seed=seed)
    model.fit(x_train, y_train)
    return binary_metrics(y_test, model.predict(x_test), model.predict_proba(x_test), model.classes_)


def bare_tight(frame: pd.DataFrame, algorithm: str, seed: int = 0) -> dict[str, float]:
    """The least work for the same numbers: integer-coded labels, one predict_proba pass."""
    from sklearn import metrics as skm
    from sklearn.model_selection import train_test_split

    from desktop_app.core.training.catalogue import get_algorithm
    from desktop_app.core.training.pipeline import build_pipeline, complete_kinds

    kinds = complete_kinds(frame, None)
    X = frame.drop(columns=TARGET)
    y = frame[TARGET].to_numpy(dtype=object)
    codes = (frame[TARGET] == "Yes").to_numpy().astype(np.int64)  # "No" < "Yes": same order as classes_
    train, test = train_test_split(np.arange(len(frame)), test_size=0.25, stratify=codes, random_state=seed)
    model = build_pipeline(kinds, TARGET, get_algorithm(algorithm, "classification"), seed=seed)
    model.fit(X.iloc[train], y[train])
    proba = model.predict_proba(X.iloc[test])
    pred, truth, p_yes = np.argmax(proba, axis=1), codes[test], proba[:, 1]
    return {
        "accuracy": skm.accuracy_score(truth, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(truth, pred),
        "precision": skm.precision_score(truth, pred, zero_division=0),
        "recall": skm.recall_score(truth, pred),
        "f1": skm.f1_score(truth, pred),
        "roc_auc": skm.roc_auc_score(truth, p_yes),
        "average_precision": skm.average_precision_score(truth, p_yes),
        "log_loss": skm.log_loss(truth, proba),
    }


def tracked(frame: pd.DataFrame, algorithm: str, extras: bool, seed: int = 0):
    from desktop_app.core.training.evaluation import train_and_evaluate

    return train_and_evaluate(frame, None, TARGET, algorithm, seed=seed, curves=extras, importance=extras)


def measure(frame: pd.DataFrame, algorithm: str, repeats: int = 3) -> dict[str, float]:
    """Median seconds of bare / lean / full training of `algorithm` on `frame`, and the ratios."""
    from desktop_app.core.training.threads import limited_threads

    bare_limited, tight_limited = limited_threads(bare), limited_threads(bare_tight)
    t_bare, _, bare_metrics = timed(lambda: bare_limited(frame, algorithm), repeats)
    t_tight, _, tight_metrics = timed(lambda: tight_limited(frame, algorithm), repeats)
    t_default, _, _ = timed(lambda: bare(frame, algorithm), repeats)
    t_lean, _, lean = timed(lambda: tracked(frame, algorithm, extras=False), repeats)
    t_full, _, full = timed(lambda: tracked(frame, algorithm, extras=True), repeats)
    same = all(abs(lean.metrics[k] - v) <= 1e-9 and abs(tight_metrics[k] - v) <= 1e-9
               for k, v in bare_metrics.items())
    return {
        "algorithm": algorithm, "rows": len(frame), "bare_seconds": t_bare, "bare_tight_seconds": t_tight,
        "bare_default_threads_seconds": t_default, "lean_seconds": t_lean, "full_seconds": t_full,
        "ratio_lean": t_lean / t_bare, "ratio_full": t_full / t_bare,
        "ratio_lean_vs_tight": t_lean / t_tight, "ratio_full_vs_tight": t_full / t_tight,
        "fit_seconds": lean.timings["fit_seconds"], "predict_seconds": lean.timings["predict_seconds"],
        "curves_seconds": full.timings.get("curves_seconds", 0.0),
        "importance_seconds": full.timings.get("importance_seconds", 0.0),
        "same_metrics_as_bare": same,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--csv", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--algorithms", nargs="+", default=["logistic_regression", "hist_gradient_boosting"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    frame = pd.read_csv(data_file(args.rows, args.csv))
    results = [measure(frame, name, args.repeats) for name in args.algorithms]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{len(frame):,} rows; medians of {args.repeats} runs; goal ratio ≤ {GOAL}")
    for r in results:
        print(f"\n{r['algorithm']}")
        print(f"  bare sklearn, as written by hand    {r['bare_seconds']:7.2f} s   (library-default threads: "
              f"{r['bare_default_threads_seconds']:.2f} s)")
        print(f"  bare sklearn, tightest              {r['bare_tight_seconds']:7.2f} s")
        print(f"  train_and_evaluate, no extras       {r['lean_seconds']:7.2f} s   ratio {r['ratio_lean']:.3f} "
              f"(vs tightest {r['ratio_lean_vs_tight']:.3f})")
        print(f"  train_and_evaluate, curves+import.  {r['full_seconds']:7.2f} s   ratio {r['ratio_full']:.3f} "
              f"(vs tightest {r['ratio_full_vs_tight']:.3f})"
              f"   [curves {r['curves_seconds']:.2f} s, importance {r['importance_seconds']:.2f} s]")
        print(f"  fit {r['fit_seconds']:.2f} s, predict {r['predict_seconds']:.2f} s; metrics equal to bare: "
              f"{r['same_metrics_as_bare']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
