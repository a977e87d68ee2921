"""Data-quality benchmark (issue 3). Prints the checks' time as ratios, in one run.

    .venv/bin/python tests/benchmarks/bench_quality.py [--rows 1000000] [--repeats 3] [--csv FILE] [--detail]
                                                       [--pandas-read] [--json]

1. all checks (run_checks) ÷ a bare pandas pass over the same frame:
   isna().mean(), duplicated().sum(), nunique(), describe(include="all")      goal ≤ 1.5
2. all checks ÷ ydata-profiling's minimal report of the same frame
   (ProfileReport(minimal=True).get_description(); only if ydata-profiling is importable)   goal ≤ 0.1

The frame is 1M rows × 20 mixed columns: the wide heart sample
(resources/sample_data/make_heart_sample.py --wide), read the way an import reads it
(pyarrow, kinds inferred and applied, then to pandas) when the data modules allow,
else with pandas.read_csv. Timings are medians of --repeats runs after one warm-up,
all in this one process on the same frame.
"""

from __future__ import annotations

import argparse
import json
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

GENERATOR = REPO / "resources" / "sample_data" / "make_heart_sample.py"
CACHED = Path(__file__).resolve().parent / "_data"  # bench_import's generated files, reused if present


def _own_wide_frame(rows: int, seed: int = 42) -> pd.DataFrame:
    """A stand-in 20-column mixed frame, used only if the sample generator is missing."""
    rng = np.random.default_rng(seed)
    cats = lambda k, p=None: pd.array(rng.choice([f"v{i}" for i in range(k)], rows, p=p), dtype="str")  # noqa: E731
    frame = pd.DataFrame({
        "age": rng.integers(30, 80, rows), "weight": np.round(rng.normal(78, 14, rows), 1),
        "height": rng.integers(145, 205, rows), "sys_bp": rng.integers(85, 230, rows),
        "dia_bp": rng.integers(45, 140, rows), "income": np.round(np.exp(rng.normal(10.5, 0.45, rows)), 2),
        "bmi": np.round(rng.normal(27, 4, rows), 1), "visits": rng.poisson(2.5, rows),
        "gender": cats(2), "smoke": cats(2), "alcohol": cats(2), "phys_active": cats(2), "cholesterol": cats(3),
        "diabetes": cats(2), "region": cats(12), "employment": cats(6), "notes": cats(80),
        "last_visit": pd.array(np.datetime_as_string(
            np.datetime64("2022-01-01") + rng.integers(0, 1096, rows).astype("timedelta64[D]")), dtype="str"),
        "record_id": pd.array([f"HD-{i:07d}" for i in rng.permutation(rows)], dtype="str"),
        "heart_disease": pd.array(np.where(rng.random(rows) < 0.08, "Yes", "No"), dtype="str"),
    })
    frame.loc[rng.random(rows) < 0.015, "weight"] = np.nan
    return frame


def data_file(rows: int, csv: Path | None, workdir: Path) -> Path | None:
    if csv is not None:
        return csv
    cached = CACHED / f"heart_wide_{rows}.csv"
    if cached.exists():
        return cached
    if not GENERATOR.exists():
        return None
    out = workdir / f"heart_wide_{rows}.csv"
    subprocess.run([sys.executable, str(GENERATOR), "--rows", str(rows), "--wide", "--out", str(out)],
                   check=True, capture_output=True)
    return out


def load(path: Path | None, rows: int, plain: bool = False) -> tuple[pd.DataFrame, dict, str]:
    """(frame, kinds, how it was read)."""
    if path is None:
        return _own_wide_frame(rows), {}, "generated in this script (sample generator missing); kinds from dtypes"
    if plain:
        return pd.read_csv(path), {}, f"{path.name} via pandas.read_csv; kinds from dtypes (--pandas-read)"
    try:
        import pyarrow.csv as pv

        from desktop_app.core.data.kinds import apply_kinds, infer_kinds

        table = pv.read_csv(path)
        kinds = infer_kinds(table)
        table = apply_kinds(table, kinds).table
        return table.to_pandas(), kinds, f"{path.name} via pyarrow + infer_kinds/apply_kinds (as an import does)"
    except Exception as exc:  # the data modules are someone else's and may be mid-change
        why = f"{type(exc).__name__}: {exc}"
        return pd.read_csv(path), {}, f"{path.name} via pandas.read_csv; kinds from dtypes ({why})"


def bare_pandas_pass(frame: pd.DataFrame) -> dict[str, float]:
    parts = {}
    for name, work in (
        ("isna().mean()", lambda: frame.isna().mean()),
        ("duplicated().sum()", lambda: frame.duplicated().sum()),
        ("nunique()", lambda: frame.nunique()),
        ('describe(include="all")', lambda: frame.describe(include="all")),
    ):
        started = time.perf_counter()
        work()
        parts[name] = time.perf_counter() - started
    parts["total"] = sum(parts.values())
    return parts


def per_check_seconds(frame: pd.DataFrame, kinds: dict, target: str) -> dict[str, float]:
    from desktop_app.core.quality.checks import CHECKS
    from desktop_app.core.quality.checks._common import CheckContext
    from desktop_app.core.quality.profile import build_profile
    from desktop_app.core.quality.thresholds import Thresholds

    started = time.perf_counter()
    profile = build_profile(frame, kinds, Thresholds())
    seconds = {"profile (one factorize per column)": time.perf_counter() - started}
    ctx = CheckContext(profile, target, Thresholds())
    for ids, _, check in CHECKS:
        started = time.perf_counter()
        check(ctx)
        seconds["/".join(ids)] = time.perf_counter() - started
    return seconds


YDATA_CHILD = """
import sys, time, pandas as pd
from ydata_profiling import ProfileReport
frame = pd.read_parquet(sys.argv[1])
started = time.perf_counter()
ProfileReport(frame, minimal=True, progress_bar=False).get_description()
print(time.perf_counter() - started)
"""


def ydata_seconds(frame: pd.DataFrame, python: Path | None = None) -> float | None:
    """ydata-profiling's minimal report of `frame`: here if importable, else with `python`,
    an interpreter of a separate virtual environment (ydata-profiling needs pandas < 3,
    which MLDesk's environment cannot hold), on the same frame passed as Parquet."""
    if python is None:
        try:
            from ydata_profiling import ProfileReport
        except ImportError:
            return None
        started = time.perf_counter()
        ProfileReport(frame, minimal=True, progress_bar=False).get_description()
        return time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frame.parquet"
        frame.to_parquet(path)
        done = subprocess.run([str(python), "-c", YDATA_CHILD, str(path)], capture_output=True, text=True, check=True)
        return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv", type=Path, help="use this file instead of generating the wide heart sample")
    parser.add_argument("--target", default="heart_disease")
    parser.add_argument("--pandas-read", action="store_true",
                        help="read with pandas.read_csv and give no kinds "
                             "(dates and ids stay text: more for the checks)")
    parser.add_argument("--detail", action="store_true", help="also print the time of each check")
    parser.add_argument("--ydata-python", type=Path, metavar="PYTHON",
                        help="a python with ydata-profiling installed (e.g. python3 -m venv /tmp/yd && "
                             "/tmp/yd/bin/pip install ydata-profiling pyarrow), used when it is not importable here")
    parser.add_argument("--json", action="store_true", help="print one JSON document as the last line")
    args = parser.parse_args()

    from desktop_app.core.quality import run_checks

    with tempfile.TemporaryDirectory() as tmp:
        frame, kinds, how = load(data_file(args.rows, args.csv, Path(tmp)), args.rows, args.pandas_read)
    target = args.target if args.target in frame.columns else None
    print(f"data: {len(frame):,} rows × {frame.shape[1]} columns — {how}")
    print("dtypes: " + ", ".join(f"{k} {v}" for k, v in frame.dtypes.astype(str).value_counts().items()))

    pandas_s, pandas_runs, parts = timed(lambda: bare_pandas_pass(frame), args.repeats)
    checks_s, checks_runs, report = timed(lambda: run_checks(frame, kinds, target=target), args.repeats)
    ratio = checks_s / pandas_s
    summary = report.summary()
    print(f"bare pandas pass        : {pandas_s:.2f} s (median of {args.repeats}: "
          + ", ".join(f"{t:.2f}" for t in pandas_runs) + ")")
    print("    " + "; ".join(f"{k} {v:.2f} s" for k, v in parts.items() if k != "total"))
    print(f"all checks (run_checks) : {checks_s:.2f} s (median of {args.repeats}: "
          + ", ".join(f"{t:.2f}" for t in checks_runs) + f"), target {target!r}, "
          + (f"sample of {report.sample_rows:,} rows for the expensive checks" if report.sample_rows else "no sample"))
    print(f"    {summary['text']}, {summary['info']} notes: "
          + ", ".join(sorted({f'{f.check}' for f in report.findings})))
    print(f"checks ÷ pandas pass    : {ratio:.2f}   (goal ≤ 1.5) {'PASS' if ratio <= 1.5 else 'FAIL'}")

    ydata = ydata_seconds(frame, args.ydata_python)
    if ydata is None:
        print("checks ÷ ydata-profiling minimal report: skipped (ydata-profiling is not installed)")
    else:
        print(f"ydata-profiling minimal : {ydata:.2f} s")
        print(f"checks ÷ ydata-profiling minimal report: {checks_s / ydata:.3f}   (goal ≤ 0.1) "
              f"{'PASS' if checks_s / ydata <= 0.1 else 'FAIL'}")

    detail = per_check_seconds(frame, kinds, target) if args.detail else {}
    if detail:
        print("per check (one run):")
        for name, seconds in detail.items():
            print(f"    {name:45s} {seconds:6.3f} s")
    if args.json:
        print(json.dumps({"rows": len(frame), "columns": frame.shape[1], "pandas_seconds": pandas_s,
                          "checks_seconds": checks_s, "ratio_pandas": ratio,
                          "ydata_seconds": ydata, "ratio_ydata": None if ydata is None else checks_s / ydata,
                          "summary": summary, "per_check": detail}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
