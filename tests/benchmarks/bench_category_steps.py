"""The category encoders' fit where a frequency rule groups rare values: MLDesk's ÷ scikit-learn's. Prints figures.

    .venv/bin/python tests/benchmarks/bench_category_steps.py [--rows 1000000] [--repeats 5] [--json]

A block of --rows rows and three text columns as `AsCategories` and the most-frequent imputer leave
them (object arrays of shared strings, no gaps), with the long tail of values a high-cardinality
column has (Zipf: a few common values, thousands of rare ones): a postcode-like column of ~4,000
distinct values, a product-like one of ~900 and a region-like one of 12. Each encoder is fitted as
the pipelines set it (`core/training/pipeline.py`):

  one-hot   TextOneHotEncoder(min_frequency=MIN_FREQUENCY, max_categories=MAX_CATEGORIES), as linear
            models and the others encode a column of many categories, against scikit-learn's
            OneHotEncoder with the same settings
  ordinal   TextOrdinalEncoder(max_categories=MAX_ORDINAL_CATEGORIES), as tree models encode every
            category column, against scikit-learn's OrdinalEncoder

Each figure is the median of --repeats fits, taken in turn (ours, scikit-learn's) in this process;
the two must learn the same categories and the same rare groups, or the script stops.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from desktop_app.core.training.category_steps import TextOneHotEncoder, TextOrdinalEncoder  # noqa: E402
from desktop_app.core.training.pipeline import (  # noqa: E402
    MAX_CATEGORIES,
    MAX_ORDINAL_CATEGORIES,
    MIN_FREQUENCY,
)


def text_block(rows: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    columns = []
    for prefix, distinct in (("P", 4_000), ("item ", 900), ("region ", 12)):
        names = np.array([f"{prefix}{i:05d}" for i in range(distinct)], dtype=object)
        columns.append(names[(rng.zipf(1.2, rows) - 1) % distinct])
    return np.stack(columns, axis=1)


def _median_fit(make, X: np.ndarray, repeats: int) -> tuple[float, object]:
    times, fitted = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        fitted = make().fit(X)
        times.append(time.perf_counter() - started)
    return statistics.median(times), fitted


def _same_learning(ours, theirs) -> bool:
    return (all(np.array_equal(a, b) for a, b in zip(ours.categories_, theirs.categories_, strict=True))
            and all((a is None and b is None) or np.array_equal(a, b)
                    for a, b in zip(ours.infrequent_categories_, theirs.infrequent_categories_, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    X = text_block(args.rows)
    kinds = {
        "one-hot": (lambda: TextOneHotEncoder(handle_unknown="ignore", min_frequency=MIN_FREQUENCY,
                                              max_categories=MAX_CATEGORIES),
                    lambda: OneHotEncoder(handle_unknown="ignore", min_frequency=MIN_FREQUENCY,
                                          max_categories=MAX_CATEGORIES)),
        "ordinal": (lambda: TextOrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                               max_categories=MAX_ORDINAL_CATEGORIES),
                    lambda: OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                           max_categories=MAX_ORDINAL_CATEGORIES)),
    }
    figures = {}
    for name, (ours_make, theirs_make) in kinds.items():
        theirs_s, theirs = _median_fit(theirs_make, X, args.repeats)
        ours_s, ours = _median_fit(ours_make, X, args.repeats)
        if not _same_learning(ours, theirs):
            raise SystemExit(f"{name}: MLDesk's encoder learned something else than scikit-learn's")
        figures[name] = {"mldesk_s": ours_s, "sklearn_s": theirs_s, "ratio": ours_s / theirs_s}
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"rows": args.rows, "figures": figures, "load": load}, indent=2))
        return 0
    print(f"{args.rows:,} rows × 3 text columns ({', '.join(str(len(np.unique(X[:, j]))) for j in range(3))} "
          f"distinct values), median of {args.repeats} fits, load average {load:.2f}")
    for name, f in figures.items():
        print(f"  {name:<8} MLDesk {f['mldesk_s']:6.3f} s   scikit-learn {f['sklearn_s']:6.3f} s   "
              f"÷ scikit-learn {f['ratio']:5.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
