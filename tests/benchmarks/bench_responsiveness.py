"""Wall-clock figures of the responsiveness tests: start-up, GUI stalls, cancel, big tables, fast paths.

The tests themselves assert behaviour only (the work finished, the cancel ended the run, the
window kept processing events, no stall near a real freeze: tests/heartbeat.FREEZE_MS) and
hand their timings to tests/figures.record. This script runs those same tests --rounds times
with $MLDESK_FIGURES set, each round in a fresh pytest process, and prints the median and the
maximum of every figure beside the goal the tests used to assert.

    .venv/bin/python tests/benchmarks/bench_responsiveness.py [--rounds 5] [--json] [--only NAME]

A figure over its goal is marked; the exit code is 0 either way (a loaded machine doubles any
figure: compare medians between runs on the same machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The tests that measure, and the figures they record with the goal each used to assert.
TESTS = [
    "tests/ui/test_app.py::test_window_shows_without_heavy_imports",
    "tests/ui/test_compare_step.py::test_five_thousand_runs_load_sort_filter_and_compare",
    "tests/ui/test_compare_stall.py::test_the_first_chart_does_not_freeze_the_window",
    "tests/ui/test_quality_step.py::test_the_window_stays_responsive_while_checks_run_on_200k_rows",
    "tests/ui/test_train_step.py::test_two_logistic_regressions_train_in_the_background",
    "tests/ui/test_train_step.py::test_cancel_stops_a_long_run_at_once",
    "tests/ui/test_frame_model.py::test_million_rows_show_at_once",
    "tests/ui/test_frame_model.py::test_large_frames_sort_in_the_background",
    "tests/ui/test_frame_model.py::test_columns_are_sized_from_a_sample_not_all_rows",
    "tests/core/quality/test_checks_edges.py::test_500_columns_are_checked",
    "tests/core/training/test_search.py::test_time_budget_stops_starting_candidates",
    "tests/core/test_summary.py::test_a_million_rows_are_summarised",
    "tests/core/test_kinds.py::test_a_million_rows_are_inferred_and_applied",
]
GOALS: dict[str, float | None] = {      # figure → the limit the test asserted (None: printed only)
    "startup_s": 2.0,
    "compare_5000_runs_load_ms": 1000,
    "compare_5000_runs_sort_ms": 500,
    "compare_5000_runs_filter_ms": 500,
    "compare_5000_runs_select_ms": None,
    "compare_first_chart_loading_stall_ms": None,
    "compare_first_chart_opening_stall_ms": 200,
    "compare_first_chart_selecting_stall_ms": 200,
    "compare_first_chart_curves_stall_ms": 200,
    "quality_200k_rows_opening_stall_ms": 400,
    "quality_200k_rows_checking_stall_ms": 250,
    "quality_200k_rows_checks_s": None,
    "train_two_runs_stall_ms": 100,
    "train_cancel_ms": 2000,
    "train_cancel_stall_ms": 100,
    "frame_1m_rows_show_ms": 1000,
    "frame_1m_rows_sort_returns_ms": 50,
    "frame_1m_rows_column_sizing_ms": 500,
    "quality_500_columns_s": 5.0,
    "search_budget_0_7_s_candidates_s": 1.0,
    "search_budget_0_7_s_total_s": 5.0,
    "summary_1m_rows_s": 0.8,
    "kinds_1m_rows_s": 1.0,
}


def run_round(tests: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="mldesk-figures-") as folder:
        out = Path(folder) / "figures.jsonl"
        env = dict(os.environ, MLDESK_FIGURES=str(out), QT_QPA_PLATFORM="offscreen")
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], cwd=REPO,
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-3000:], file=sys.stderr)
            raise SystemExit(f"the tests failed (exit {done.returncode}); figures of a failing run mean nothing")
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="run only the tests whose id contains this text")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    tests = [t for t in TESTS if not args.only or args.only in t]
    values: dict[str, list[float]] = {}
    started = time.perf_counter()
    for i in range(args.rounds):
        for item in run_round(tests):
            values.setdefault(item["figure"], []).append(item["value"])
        print(f"round {i + 1}/{args.rounds} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    rows = []
    for name in [*GOALS, *sorted(set(values) - set(GOALS))]:
        if name not in values:
            continue
        v = values[name]
        goal = GOALS.get(name)
        rows.append({"figure": name, "goal": goal, "median": statistics.median(v), "max": max(v), "n": len(v),
                     "over_goal": sum(x >= goal for x in v) if goal is not None else None})
    if args.json:
        print(json.dumps({"rounds": args.rounds, "cpus": os.cpu_count(), "load": os.getloadavg(), "figures": rows},
                         indent=2))
        return 0
    print(f"{args.rounds} rounds, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'FIGURE':<42}{'GOAL':>8}{'MEDIAN':>10}{'MAX':>10}  OVER GOAL")
    for r in rows:
        goal = "—" if r["goal"] is None else f"{r['goal']:g}"
        over = "" if r["goal"] is None else f"{r['over_goal']} of {r['n']}"
        print(f"{r['figure']:<42}{goal:>8}{r['median']:>10.3g}{r['max']:>10.3g}  {over}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
