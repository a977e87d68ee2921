"""Drift benchmark (issue 6). Prints the batch-side drift time as ratios, in one run.

    .venv/bin/python tests/benchmarks/bench_drift.py [--reference-rows 1000000] [--batch-rows 100000]
                                                     [--repeats 5] [--evidently-python PYTHON] [--json]

Data: the 20-column mixed table of tests/core/monitor/synthetic.py (10 numeric, 10
categorical, a few columns with missing values): a 1M-row reference and a 100k-row batch
drawn the same way except for planted shifts — `income` moved by 0.3 standard deviations,
`smoke` from 80/20 to 60/40, a new category in 5% of `region` (the missing shares stay the
same: Evidently does not look at them, so the flags stay comparable).

1. MLDesk ÷ bare SciPy                                                       goal ≤ 1.0
   MLDesk: `monitor.drift.data_drift(reference, batch, DriftSettings())` — every column's
   test (Evidently's defaults: Wasserstein normed / Jensen–Shannon for a >1000-row reference),
   PSI, missing shares, new categories, dataset drift — against reference statistics
   computed once per model version and stored (built and loaded outside the timing; both
   times are printed).
   Bare SciPy: the same tests on the full arrays, as a script would call them: per numeric
   column `scipy.stats.wasserstein_distance(ref, batch) / np.std(ref)` on the non-missing
   values; per categorical column (and numeric with ≤ 5 values) `value_counts` of both sides
   and `scipy.spatial.distance.jensenshannon` on the shares. No PSI, no missing shares.
   The statistics of both sides are checked equal (to 1e-9) and their flags identical.
2. MLDesk ÷ Evidently's data-drift report on the same frames                 goal ≤ 0.05
   `Report([DataDriftPreset()]).run(batch, reference)` (Evidently 0.7), numeric and
   categorical columns declared; run here if Evidently is importable, else with
   --evidently-python (Evidently needs pandas < 3: python3 -m venv /tmp/evvenv &&
   /tmp/evvenv/bin/pip install evidently "pandas<3" pyarrow) on the same frames written to
   Parquet, timing only the report. Its flagged columns are compared with MLDesk's.

Timings are medians of --repeats runs after one warm-up (Evidently: --evidently-repeats, one
by default, it is slow), all on the same frames.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import timed  # noqa: E402
from tests.core.monitor.synthetic import CATEGORICAL, KINDS, NUMERIC, make_frame  # noqa: E402

PLANTED = dict(mean_shift={"income": 0.3}, proportions={"smoke": [0.6, 0.4]},
               new_category={"region": ("region_99", 0.05)})
EXPECTED = {"income", "smoke", "region"}


def bare_scipy(reference: pd.DataFrame, batch: pd.DataFrame, small_values: set[str]) -> dict[str, dict]:
    """Evidently's default tests for a large reference, called directly on the full arrays."""
    from scipy import stats
    from scipy.spatial import distance

    out = {}
    for column in reference.columns:
        if column in NUMERIC and column not in small_values:
            ref = reference[column].to_numpy(dtype=np.float64, na_value=np.nan)
            cur = batch[column].to_numpy(dtype=np.float64, na_value=np.nan)
            ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
            value = stats.wasserstein_distance(ref, cur) / max(float(np.std(ref)), 0.001)
            out[column] = {"test": "wasserstein", "statistic": value, "drifted": value >= 0.1}
        else:
            ref, cur = reference[column].value_counts(), batch[column].value_counts()
            keys = ref.index.union(cur.index)
            p = ref.reindex(keys, fill_value=0).to_numpy() / ref.sum()
            q = cur.reindex(keys, fill_value=0).to_numpy() / cur.sum()
            value = float(distance.jensenshannon(p, q))
            out[column] = {"test": "jensen_shannon", "statistic": value, "drifted": value >= 0.1}
    return out


EVIDENTLY_CHILD = """
import json, sys, time, warnings
import pandas as pd
warnings.filterwarnings("ignore")
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset
reference, current = pd.read_parquet(sys.argv[1]), pd.read_parquet(sys.argv[2])
numeric, categorical, repeats = json.loads(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5])
times, snapshot = [], None
for _ in range(repeats):
    started = time.perf_counter()
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    snapshot = Report([DataDriftPreset()]).run(Dataset.from_pandas(current, data_definition=definition),
                                               Dataset.from_pandas(reference, data_definition=definition))
    times.append(time.perf_counter() - started)
columns = {}
for metric in snapshot.dict()["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift"):
        method, threshold, value = config.get("method", ""), config.get("threshold"), float(metric["value"])
        p_value = "p_value" in method
        columns[config["column"]] = {"method": method, "value": value, "threshold": threshold,
                                     "drifted": bool(value <= threshold if p_value else value >= threshold)}
    elif config.get("type", "").endswith("DriftedColumnsCount"):
        share = float(metric["value"]["share"])
print(json.dumps({"seconds": times, "columns": columns, "share": share}))
"""


def evidently(reference: pd.DataFrame, batch: pd.DataFrame, python: Path | None, repeats: int) -> dict | None:
    """Evidently's DataDriftPreset report: here if importable, else in `python`'s environment via Parquet."""
    if python is None:
        import importlib.util

        if importlib.util.find_spec("evidently") is None:
            return None
        python = Path(sys.executable)
    with tempfile.TemporaryDirectory() as folder:
        ref_path, cur_path = Path(folder) / "reference.parquet", Path(folder) / "batch.parquet"
        reference.to_parquet(ref_path)
        batch.to_parquet(cur_path)
        done = subprocess.run([str(python), "-c", EVIDENTLY_CHILD, str(ref_path), str(cur_path),
                               json.dumps(NUMERIC), json.dumps(CATEGORICAL), str(repeats)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"Evidently failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference-rows", type=int, default=1_000_000)
    parser.add_argument("--batch-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--evidently-python", type=Path, metavar="PYTHON",
                        help="a python with Evidently installed, used when it is not importable here")
    parser.add_argument("--evidently-repeats", type=int, default=1)
    parser.add_argument("--domain", action="store_true", help="also time the domain classifier (multivariate)")
    parser.add_argument("--json", action="store_true", help="print one JSON document as the last line")
    args = parser.parse_args()

    from desktop_app.core.monitor.drift import data_drift
    from desktop_app.core.monitor.reference import ReferenceStats, build_reference
    from desktop_app.core.monitor.settings import DriftSettings

    started = time.perf_counter()
    reference = make_frame(args.reference_rows, seed=1)
    batch = make_frame(args.batch_rows, seed=2, **PLANTED)
    print(f"data: reference {len(reference):,} rows, batch {len(batch):,} rows × {batch.shape[1]} columns "
          f"({len(NUMERIC)} numeric, {len(CATEGORICAL)} categorical; made in {time.perf_counter() - started:.1f} s); "
          "planted: income +0.3 sd, smoke 80/20 → 60/40, region_99 in 5% of region")

    started = time.perf_counter()
    stats = build_reference(reference, KINDS, list(reference.columns))
    built = time.perf_counter() - started
    started = time.perf_counter()
    stored = stats.to_bytes()
    to_bytes = time.perf_counter() - started
    started = time.perf_counter()
    stats = ReferenceStats.from_bytes(stored)
    loaded = time.perf_counter() - started
    print(f"reference statistics (once per model version): built in {built:.2f} s, serialised in {to_bytes:.2f} s "
          f"({len(stored) / 1e6:.0f} MB object), loaded in {loaded:.2f} s")

    settings = DriftSettings()
    ours_s, ours_runs, drift = timed(lambda: data_drift(stats, batch, settings), args.repeats)
    small_values = {c.column for c in drift.columns if c.kind == "numeric" and c.test == "jensen_shannon"}
    bare_s, bare_runs, bare = timed(lambda: bare_scipy(reference, batch, small_values), args.repeats)

    worst = 0.0
    for c in drift.columns:
        b = bare[c.column]
        assert c.test == b["test"], (c.column, c.test, b["test"])
        worst = max(worst, abs(c.statistic - b["statistic"]) / max(abs(b["statistic"]), 1e-12))
    ours_flags = set(drift.drifted_columns)
    bare_flags = {k for k, v in bare.items() if v["drifted"]}
    ratio_bare = ours_s / bare_s
    print(f"MLDesk batch side        : {ours_s * 1000:.0f} ms (median of {args.repeats}: "
          + ", ".join(f"{t * 1000:.0f}" for t in ours_runs) + ")")
    print(f"bare SciPy, full arrays  : {bare_s * 1000:.0f} ms (median of {args.repeats}: "
          + ", ".join(f"{t * 1000:.0f}" for t in bare_runs) + ")")
    print(f"    statistics equal to SciPy's: largest relative difference {worst:.1e} "
          f"({'PASS' if worst <= 1e-9 else 'FAIL'} at 1e-9); flags "
          f"{'identical' if ours_flags == bare_flags else f'differ: {sorted(ours_flags ^ bare_flags)}'}")
    print(f"MLDesk ÷ bare SciPy      : {ratio_bare:.3f}   (goal ≤ 1.0) {'PASS' if ratio_bare <= 1.0 else 'FAIL'}")
    print(f"    drifted: {sorted(ours_flags)} (planted: {sorted(EXPECTED)}) — share {drift.share_drifted:.2f}, "
          f"dataset drift {drift.dataset_drift}")

    domain_s = None
    if args.domain:
        from desktop_app.core.monitor.multivariate import domain_classifier

        started = time.perf_counter()
        mv = domain_classifier(stats.sample, batch, KINDS, settings)
        domain_s = time.perf_counter() - started
        print(f"domain classifier        : {domain_s:.2f} s, AUROC {mv['auc']:.3f}, drifted {mv['drifted']}, "
              f"top {[t['column'] for t in mv['top_features'][:3]]} (not in the ratios)")

    ev = evidently(reference, batch, args.evidently_python, args.evidently_repeats)
    ratio_ev = None
    if ev is None:
        print("MLDesk ÷ Evidently       : skipped (Evidently is not installed; see --evidently-python)")
    else:
        ev_s = statistics.median(ev["seconds"])
        ratio_ev = ours_s / ev_s
        ev_flags = {k for k, v in ev["columns"].items() if v["drifted"]}
        methods = sorted({v["method"] for v in ev["columns"].values()})
        print(f"Evidently DataDriftPreset: {ev_s:.2f} s (runs: " + ", ".join(f"{t:.2f}" for t in ev["seconds"])
              + f"); methods {methods}")
        print(f"MLDesk ÷ Evidently       : {ratio_ev:.4f}   (goal ≤ 0.05) {'PASS' if ratio_ev <= 0.05 else 'FAIL'}")
        worst_ev = max(abs(c.statistic - ev["columns"][c.column]["value"]) for c in drift.columns)
        print(f"    flags {'identical' if ev_flags == ours_flags else f'differ: {sorted(ev_flags ^ ours_flags)}'}; "
              f"largest difference of a statistic {worst_ev:.1e} (Evidently share drifted {ev['share']:.2f})")
    if args.json:
        print(json.dumps({"reference_rows": len(reference), "batch_rows": len(batch), "reference_built": built,
                          "reference_bytes": len(stored), "reference_loaded": loaded, "mldesk_seconds": ours_s,
                          "bare_seconds": bare_s, "ratio_bare": ratio_bare, "max_relative_difference": worst,
                          "evidently_seconds": None if ev is None else statistics.median(ev["seconds"]),
                          "ratio_evidently": ratio_ev, "drifted": sorted(ours_flags), "domain_seconds": domain_s,
                          "flags_match_bare": ours_flags == bare_flags,
                          "flags_match_evidently": None if ev is None else
                          ({k for k, v in ev["columns"].items() if v["drifted"]} == ours_flags)}))
    return 0 if not math.isnan(ratio_bare) else 1


if __name__ == "__main__":
    sys.exit(main())
