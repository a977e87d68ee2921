"""Pipeline overhead (issue 17): one `mldesk pipeline run` against its steps' commands run one by one. Prints figures.

    .venv/bin/python tests/benchmarks/bench_pipeline.py [--rounds 5] [--rows 100000] [--workdir /tmp/bench_pipeline]

Each round draws a new month file (--rows rows sampled with replacement from the heart sample, a new
seed every round, so no work is reused) and prepares two fresh projects alike, untimed: init, import
the sample as heart, train a weak production model (decision_tree, max_depth=1, balanced) and register
it as heart-risk with the alias production. Then, whole processes timed (`python -m desktop_app.cli`):

  by hand    import, check (--fail-on error), drift against heart-risk@production, train
             (logistic_regression, balanced), register with the alias moved, export (verified): six
             processes in the order a scheduled script runs them; if check or drift exits non-zero
             the script would stop there, so the round is counted as invalid
  pipeline   `pipeline run P monthly --input MONTH`: the same steps in one process. Saved untimed with
             --from heart-risk@1, its training spec changed to logistic_regression (no params) so that
             the new model beats production and is promoted and exported as on the by-hand side

The by-hand sequence skips the promote step's comparison with production on the same held-out rows
(no single CLI command does it), so it is slightly less work than the pipeline.
The two sides alternate which goes first; ratio = pipeline ÷ by hand in the same round, median over
the valid rounds; goal ≤ 1.05. desktop_app's bytecode is compiled first (as an installed app).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import CHILD_ENV, PY, compile_app  # noqa: E402

SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"
MLDESK = [PY, "-m", "desktop_app.cli"]
TARGET = ["--target", "heart_disease"]
GOAL = 1.05


def mldesk(*args: str, ok: tuple[int, ...] = (0,)) -> tuple[int, dict]:
    done = subprocess.run([*MLDESK, *map(str, args)], capture_output=True, text=True, env=CHILD_ENV, cwd=REPO)
    if done.returncode not in ok:
        raise RuntimeError(f"mldesk {' '.join(map(str, args))} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done.returncode, (json.loads(done.stdout) if "--json" in args and done.stdout.strip() else {})


def timed(*args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, int, dict]:
    started = time.perf_counter()
    code, out = mldesk(*args, ok=ok)
    return time.perf_counter() - started, code, out


def prepare(project: Path) -> None:
    """Untimed: a project whose heart-risk@1 (production) is a weak model the month's logistic regression beats."""
    mldesk("init", project)
    mldesk("import", project, SAMPLE, "--name", "heart", "--json")
    _, run = mldesk("train", project, "heart@1", *TARGET, "--model", "decision_tree", "--param", "max_depth=1",
                    "--class-weight", "balanced", "--json")
    mldesk("register", project, run["run"], "--name", "heart-risk", "--alias", "production", "--json")


def by_hand(project: Path, month: Path) -> tuple[dict[str, float], bool]:
    steps: dict[str, float] = {}
    steps["import"], _, imported = timed("import", project, month, "--name", "heart", "--json")
    data = f"heart@{imported['version']}"
    steps["check"], code, _ = timed("check", project, data, *TARGET, "--fail-on", "error", "--json", ok=(0, 1))
    if code:
        return steps, False
    steps["drift"], code, _ = timed("drift", project, "heart-risk@production", month, "--json", ok=(0, 3))
    if code:
        return steps, False
    steps["train"], _, run = timed("train", project, data, *TARGET, "--model", "logistic_regression",
                                   "--class-weight", "balanced", "--json")
    steps["register"], _, version = timed("register", project, run["run"], "--name", "heart-risk",
                                          "--alias", "production", "--reason", "monthly retrain", "--json")
    steps["export"], _, _ = timed("export", project, f"heart-risk@{version['version']}", project / "exports", "--json")
    return steps, True


def pipeline(project: Path, month: Path) -> tuple[float, dict]:
    mldesk("pipeline", "save", project, "monthly", "--from", "heart-risk@1", "--input", month)
    toml = subprocess.run([*MLDESK, "pipeline", "show", str(project), "monthly", "--toml"], capture_output=True,
                          text=True, env=CHILD_ENV, cwd=REPO, check=True).stdout
    toml = toml.replace('algorithm = "decision_tree"', 'algorithm = "logistic_regression"')
    toml = re.sub(r"\[training\.specs\.params\]\n(?:[^\[\n].*\n)*", "", toml)  # drop max_depth and co.
    (project.parent / "monthly.toml").write_text(toml)
    mldesk("pipeline", "save", project, "monthly", "--file", project.parent / "monthly.toml")
    seconds, _, result = timed("pipeline", "run", project, "monthly", "--input", month, "--json", ok=(0, 3))
    return seconds, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench_pipeline"))
    args = parser.parse_args(argv)

    import pandas as pd

    compile_app()
    sample = pd.read_csv(SAMPLE)
    rows, loads = [], []
    print(f"{args.rows:,}-row month files; desktop_app bytecode compiled; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; load average before {os.getloadavg()[0]:.2f}")
    print("  round  first      by hand   pipeline   ratio   outside its steps   pipeline outcome")
    for round_ in range(args.rounds):
        work = args.workdir / f"round{round_}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        month = work / f"month{round_}.csv"
        sample.sample(n=args.rows, replace=True, random_state=1000 + round_).to_csv(month, index=False)
        prepare(work / "hand" / "P")
        prepare(work / "pipe" / "P")
        first = "hand" if round_ % 2 == 0 else "pipe"
        for side in (first, "pipe" if first == "hand" else "hand"):
            if side == "hand":
                steps, valid = by_hand(work / "hand" / "P", month)
            else:
                seconds, result = pipeline(work / "pipe" / "P", month)
        loads.append(os.getloadavg()[0])
        promoted = any(s["step"] == "promote" and (s.get("result") or {}).get("promoted") for s in result["steps"])
        hand = sum(steps.values())
        valid = valid and result["status"] == "done" and promoted
        # what the pipeline process spent outside its steps' own work: start-up, opening, the run's records
        outside = seconds - sum(s.get("seconds") or 0.0 for s in result["steps"])
        rows.append({"hand": hand, "pipe": seconds, "steps": steps, "valid": valid, "outside": outside})
        print(f"  {round_ + 1:5d}  {first:8s} {hand:7.2f} s  {seconds:7.2f} s  {seconds / hand:6.3f}   "
              f"{outside:13.2f} s   "
              f"{result['status']}{', promoted' if promoted else ', NOT promoted'}{'' if valid else '  (invalid)'}")
        shutil.rmtree(work)
    good = [r for r in rows if r["valid"]]
    if not good:
        print("no valid round")
        return 1
    hand, pipe = statistics.median(r["hand"] for r in good), statistics.median(r["pipe"] for r in good)
    ratio = statistics.median(r["pipe"] / r["hand"] for r in good)
    print("  by hand, per step (median): " + ", ".join(
        f"{step} {statistics.median(r['steps'][step] for r in good):.2f} s" for step in good[0]["steps"]))
    print(f"medians of {len(good)} valid rounds ({len(rows) - len(good)} invalid): by hand {hand:.2f} s, "
          f"pipeline {pipe:.2f} s; pipeline ÷ by hand {ratio:.3f} (goal ≤ {GOAL}) "
          f"{'PASS' if ratio <= GOAL else 'MISS'}; outside its steps "
          f"{statistics.median(r['outside'] for r in good):.2f} s; "
          f"load average {statistics.median(loads):.2f} (per round: {', '.join(f'{x:.2f}' for x in loads)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
