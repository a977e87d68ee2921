"""Ten-million-row benchmark (issue 15). Prints, per step, the 10M ÷ 1M time and peak memory ÷ table size.

    .venv/bin/python tests/benchmarks/bench_10m.py [--rows 1000000 10000000] [--batch-rows 1000000]
                                                   [--steps import quality logistic_regression
                                                            hist_gradient_boosting bare_boosting drift]
                                                   [--workdir /tmp/bench10m] [--keep] [--json]

For each row count N, the wide heart sample (resources/sample_data/make_heart_sample.py --wide:
20 mixed columns — 8 numeric, 9 categorical/boolean, a date, an id, the Yes/No target) is
generated once into --workdir, and one project is taken through the app's core services, each
step in a fresh interpreter so its peak memory is its own:

  import                  project.datasets.import_file(csv)
  quality                 project.quality.check(version, target="heart_disease")
  logistic_regression     project.runs.train(RunSpec(..., "logistic_regression"))
  hist_gradient_boosting  project.runs.train(RunSpec(..., "hist_gradient_boosting"))
  bare_boosting           scikit-learn alone on the same loaded table: stratified split, the classifier's
                          own categorical support and defaults (early stopping), fit, predict_proba, ROC
                          AUC: how the model itself grows with the rows, the anchor for the line above
  drift                   project.registry.register(the logistic regression's run), then
                          project.monitor.add_batch(model, a 1M-row batch CSV) — the first batch of a
                          version also builds its reference statistics from the N training rows

Per step: wall seconds, and the rise of the process's maximum RSS over its RSS just before the
step (libraries already imported). The table's in-memory size is the imported snapshot loaded as
the app loads it (project.datasets.load → pandas, memory_usage(deep=True)).

  time ratio    seconds at the largest N ÷ seconds at the smallest N    goal ≤ 12 for 10M ÷ 1M
  memory ratio  peak rise ÷ the table's in-memory size                  goal ≤ 2.5

With both boosting steps, two more lines set them side by side: their time ratios with the rounds
early stopping ran at each N, and the fit's seconds per round, largest N ÷ smallest (the growth
of one round, apart from how many rounds the rows call for).

With --window, each table is then taken through the real window (offscreen, as a user clicks:
tests/benchmarks/gui_driver.py): imported through the wizard, checked in the Quality step, a
logistic regression trained from the Train step (in its worker process), registered, the batch
added in the Monitor step (drift, in a separate process for a batch this large), and the registered
version's Explain tab opened in the Registry step (its curves drawn on the drift reference's sample,
which the batch stored) and the version exported from the Export step (the bundle verified on the
held-out rows, re-created in a separate process), then Move alias opened on it for "production" and
its "Score this version on its held-out data" clicked (the held-out rows re-created and scored in a
separate process past 64 MB). The longest stall of a 10 ms heartbeat timer is
reported per action (goal ≤ 100 ms), beside the longest stall an idle process had in the same
seconds and the CPU time the hypervisor stole (machine_stalls.py): on a virtual machine a stall
both share is the machine's.

The projects and data stay in --workdir (delete it afterwards: the 10M CSV is ~1.4 GB); with
--keep an existing project of the same N is reused for the steps after import.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import PY, compile_app, run_child  # noqa: E402

GENERATOR = REPO / "resources" / "sample_data" / "make_heart_sample.py"
TARGET = "heart_disease"
STEPS = ["import", "quality", "logistic_regression", "hist_gradient_boosting", "bare_boosting", "drift"]
TIME_GOAL, MEMORY_GOAL = 12.0, 2.5

PRELUDE = """
import json, resource, sys, time
def rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()
def peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
import numpy, pandas, pyarrow, pyarrow.parquet, pyarrow.csv, sklearn.pipeline, sklearn.linear_model
import sklearn.ensemble, scipy.stats
from desktop_app.core.project import Project
from desktop_app.core.tracking.entities import RunSpec
import desktop_app.core.data.readers, desktop_app.core.data.kinds, desktop_app.core.data.detect
import desktop_app.core.quality.checks, desktop_app.core.training.evaluation, desktop_app.core.monitor.drift
folder, step, source = sys.argv[1], sys.argv[2], sys.argv[3]
project = Project.create(folder) if step == 'import' else Project.open(folder)
start = rss_bytes()
t = time.perf_counter()
"""

STEP_CODE = {
    "import": "out = {'version': project.datasets.import_file(source, name='bench').version.id}",
    "quality": "r = project.quality.check('bench', target='heart_disease').report.summary()\n"
               "out = {'summary': r['text']}",
    "logistic_regression": "run = project.runs.train(RunSpec('bench', 'heart_disease', 'logistic_regression'))\n"
                           "out = {'run': run.id, 'status': str(run.status), 'error': run.error,\n"
                           "       'metrics': {k: run.metrics.get(k) for k in ('roc_auc', 'recall')}}",
    "hist_gradient_boosting": "run = project.runs.train(RunSpec('bench', 'heart_disease', "
                              "'hist_gradient_boosting'))\n"
                              "out = {'run': run.id, 'status': str(run.status), 'error': run.error,\n"
                              "       'metrics': {k: run.metrics.get(k) for k in ('roc_auc', 'recall')}}",
    # The anchor for the boosting's ratio: scikit-learn alone, as a script would use it on the same
    # table (its own categorical support, the same defaults, early stopping and all), no MLDesk code
    # past loading the snapshot. Its 10M ÷ 1M shows how the model itself grows with the rows.
    "bare_boosting": "from sklearn.ensemble import HistGradientBoostingClassifier\n"
                     "from sklearn.metrics import roc_auc_score\n"
                     "from sklearn.model_selection import train_test_split\n"
                     "frame = project.datasets.load('bench', categories=True)\n"
                     "y = frame.pop('heart_disease').astype(str).to_numpy()\n"
                     "frame = frame.drop(columns=['record_id', 'notes', 'last_visit'])\n"
                     "frame = frame.astype({c: 'category' for c in frame.columns\n"
                     "                      if not pandas.api.types.is_numeric_dtype(frame[c].dtype)})\n"
                     "x_train, x_test, y_train, y_test = train_test_split(frame, y, test_size=0.25, stratify=y,\n"
                     "                                                    random_state=0)\n"
                     "fit_start = time.perf_counter()\n"
                     "model = HistGradientBoostingClassifier(random_state=0).fit(x_train, y_train)\n"
                     "fit_seconds = time.perf_counter() - fit_start\n"
                     "auc = roc_auc_score(y_test == 'Yes', model.predict_proba(x_test)[:, 1])\n"
                     "out = {'n_iter': int(model.n_iter_), 'metrics': {'roc_auc': auc},\n"
                     "       'timings': {'fit_seconds': fit_seconds}}",
    "drift": "runs = [r for r in project.runs.list() if r.algorithm == 'logistic_regression'"
             " and str(r.status) == 'finished']\n"
             "model = project.registry.register(runs[0].id, 'bench-model')\n"
             "batch = project.monitor.add_batch(model, source)\n"
             "out = {'drifted': list(batch.drifted_columns), 'seconds': batch.result.seconds}",
}

EPILOGUE = """
seconds = time.perf_counter() - t
out.update(seconds=seconds, peak_rise=peak_bytes() - start, start_rss=start)
if 'run' in out:  # outside the timing: the fit's own figures, and how many rounds the boosting ran
    run = project.runs.get(out['run'])
    out['timings'] = run.summary.get('timings')
    if run.algorithm == 'hist_gradient_boosting':  # early stopping: more rows may run more rounds
        out['n_iter'] = int(project.runs.load_model(run).steps[-1][1].n_iter_)
print(json.dumps(out, default=str))
"""

WINDOW = """
import json, sys, time, tempfile
from pathlib import Path
from PySide6.QtCore import QTimer, QElapsedTimer
from PySide6.QtWidgets import QApplication
from desktop_app.core.project import Project
from tests.benchmarks.gui_driver import between_clicks, open_window, import_in_window, spin_until
from tests.benchmarks.machine_stalls import MachineWatch, major_faults
app = QApplication([])
project = Project.create(sys.argv[1])
window = open_window(project)
gaps, clock, last = [], QElapsedTimer(), [0]
clock.start()
def beat():
    now = clock.elapsed(); gaps.append(now - last[0]); last[0] = now
timer = QTimer(); timer.timeout.connect(beat); timer.start(10)
out = {}
machine = MachineWatch()   # an idle process beside the window: the stalls the machine itself had
faults = [major_faults()]
def stall(phase=None):
    # The longest gap since the previous call, less the timer's 10 ms. Each phase starts with a call just
    # before its action, so its first gap holds what the action does at once, such as opening the wizard.
    worst = max(gaps, default=10) - 10
    gaps.clear(); last[0] = clock.elapsed()
    seen = machine.phase()
    faults.append(major_faults())
    if phase:
        out[phase + "_machine_ms"], out[phase + "_steal_ms"] = seen["machine_stall_ms"], seen["steal_ms"]
        out[phase + "_faults"] = faults[-1] - faults[-2]   # the window's pages read back from disk
    return worst
stall()   # from here on, the window's own work (starting the idle process above was the benchmark's)
t = time.perf_counter()
version = import_in_window(window, sys.argv[2])   # the wizard, then the Data step shows the table
out["import_seconds"], out["import_stall_ms"] = time.perf_counter() - t, stall("import")
window.navigator.select("quality")
step = window.quality_step
spin_until(lambda: not window.runner.tasks)
stall()
step.set_target("heart_disease")
between_clicks()
t = time.perf_counter()
step.run_checks()
spin_until(lambda: not step.is_checking() and not window.runner.tasks)
out["check_seconds"], out["check_stall_ms"] = time.perf_counter() - t, stall("check")
out["checked"] = step.stored is not None
window.navigator.select("train")   # logistic regression, started with the step's button; it fits in a worker
train = window.train_step
spin_until(lambda: train.info is not None and not window.runner.tasks)
for card in train.models.cards:
    card.set_checked(card.algorithm.name == "logistic_regression")
stall()
t = time.perf_counter()
train.primary_button.click()
spin_until(lambda: len(train.batch) == 1)
run_id = train.batch[0]
spin_until(lambda: train.queue_list.row(run_id).status in ("finished", "failed", "cancelled", "interrupted")
           and not window.runner.tasks)
out["train_seconds"], out["train_stall_ms"] = time.perf_counter() - t, stall("train")
out["trained"] = train.queue_list.row(run_id).status
window.project.registry.register(run_id, "bench-model")
window.navigator.select("monitor")   # a 1M batch added through the step: drift in a separate process
monitor = window.monitor_step
spin_until(lambda: monitor.version is not None and not monitor.busy and not window.runner.tasks)
stall()
t = time.perf_counter()
monitor.add_batch_file(sys.argv[3])
spin_until(lambda: len(monitor.batches) == 1 and not monitor.busy and not window.runner.tasks)
out["drift_seconds"], out["drift_stall_ms"] = time.perf_counter() - t, stall("drift")
window.navigator.select("registry")   # the version's Explain tab, on the reference sample the batch stored
registry = window.registry_step
spin_until(lambda: registry.tree.item_for("bench-model", 1) is not None and not window.runner.tasks)
registry.tree.select("bench-model", 1)
spin_until(lambda: not window.runner.tasks)
stall()
t = time.perf_counter()
explain = registry.details.explain
registry.details.tabs.setCurrentWidget(explain)
spin_until(lambda: explain.charts.count() >= 2 and not window.runner.tasks)
out["explain_seconds"], out["explain_stall_ms"] = time.perf_counter() - t, stall("explain")
out["explain_charts"] = explain.charts.count()
window.navigator.select("export")   # the version as a bundle, verified on held-out rows re-created in a child
export = window.export_step
spin_until(lambda: not export.loading and export.entry is not None and not window.runner.tasks)
stall()
t = time.perf_counter()
bundles = tempfile.TemporaryDirectory()
export.start_export(Path(bundles.name))
spin_until(lambda: not export.busy and not window.runner.tasks)
out["export_seconds"], out["export_stall_ms"] = time.perf_counter() - t, stall("export")
out["exported"] = export.bundle.banner.summary()
bundles.cleanup()
window.navigator.select("registry")   # Move alias: "production" for the version, scored on its held-out rows first
spin_until(lambda: registry.tree.item_for("bench-model", 1) is not None and not window.runner.tasks)
registry.tree.select("bench-model", 1)
spin_until(lambda: not window.runner.tasks)
dialog = registry.move_alias("production", 1)
spin_until(dialog.isVisible)
between_clicks()
stall()
t = time.perf_counter()
dialog.compare_button.click()
spin_until(lambda: not dialog.work.running("compare") and not window.runner.tasks)
out["holdout_seconds"], out["holdout_stall_ms"] = time.perf_counter() - t, stall("holdout")
out["holdout"] = dialog.compare_note.text()
dialog.reject()
timer.stop()
machine.close()
print(json.dumps(out))
"""

SIZE = """
import json, sys
from desktop_app.core.project import Project
project = Project.open(sys.argv[1])
version = project.datasets.get_version('bench')
frame = project.datasets.load(version)
print(json.dumps({"rows": version.rows, "columns": len(version.columns),
                  "frame_bytes": int(frame.memory_usage(deep=True).sum()),
                  "snapshot_bytes": project.objects.path(version.sha256).stat().st_size,
                  "dtypes": frame.dtypes.astype(str).value_counts().to_dict()}))
"""


def data_file(workdir: Path, rows: int, seed: int, stem: str) -> Path:
    path = workdir / f"{stem}_{rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        subprocess.run([PY, str(GENERATOR), "--rows", str(rows), "--wide", "--seed", str(seed), "--out", str(path)],
                       check=True, capture_output=True)
        print(f"  generated {path.name} ({path.stat().st_size / 2**20:.0f} MB) in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def run_size(rows: int, workdir: Path, steps: list[str], batch: Path, keep: bool) -> dict:
    """Every step for `rows` rows, each in its own interpreter; {step: figures} plus the table's size."""
    csv = data_file(workdir, rows, 42, "heart_wide")
    folder = workdir / f"project_{rows}"
    if "import" in steps or not keep:
        shutil.rmtree(folder, ignore_errors=True)
        steps = ["import", *[s for s in steps if s != "import"]]
    out: dict = {"rows": rows, "csv_bytes": csv.stat().st_size, "steps": {}}
    for step in steps:
        source = str(batch if step == "drift" else csv)
        if step == "drift" and "logistic_regression" not in out["steps"] and not keep:
            raise SystemExit("drift needs the logistic regression step first (it registers that run)")
        load = os.getloadavg()[0]
        figures = run_child(PRELUDE + STEP_CODE[step] + EPILOGUE, str(folder), step, source)
        figures["load_before"] = load
        out["steps"][step] = figures
        fit = figures.get("timings") or {}
        print(f"  {rows:>11,} rows  {step:<24} {figures['seconds']:8.1f} s  "
              f"peak +{figures['peak_rise'] / 2**30:5.2f} GB  (load {load:.1f})"
              + (f"  fit {fit['fit_seconds']:.1f} s" if fit else "")
              + (f", predict {fit['predict_seconds']:.1f} s" if "predict_seconds" in fit else "")
              + (f", {figures['n_iter']} boosting rounds" if figures.get("n_iter") else ""), file=sys.stderr)
    out.update(run_child(SIZE, str(folder)))  # its own interpreter: no step's peak includes it
    return out


def report(results: list[dict]) -> None:
    small, large = results[0], results[-1]
    print(f"\n{'step':<24}" + "".join(f"{r['rows']:>12,} rows" for r in results)
          + f"{'time ratio':>12}{'mem ÷ table':>13}{'mem ÷ table':>13}")
    print(f"{'':<24}" + "".join(f"{'s / peak GB':>17}" for _ in results)
          + f"{'(goal ≤ 12)':>12}{'(smallest)':>13}{'(largest)':>13}")
    for step in STEPS:
        if not all(step in r["steps"] for r in results):
            continue
        cells = "".join(f"{r['steps'][step]['seconds']:>9.1f} / {r['steps'][step]['peak_rise'] / 2**30:4.2f}"
                        for r in results)
        ratio = large["steps"][step]["seconds"] / small["steps"][step]["seconds"]
        mem_small = small["steps"][step]["peak_rise"] / small["frame_bytes"]
        mem_large = large["steps"][step]["peak_rise"] / large["frame_bytes"]
        print(f"{step:<24}{cells}{ratio:>12.2f}{mem_small:>13.2f}{mem_large:>13.2f}")
    if all("bare_boosting" in r["steps"] and "hist_gradient_boosting" in r["steps"] for r in (small, large)):
        def ratio(step: str) -> float:
            return large["steps"][step]["seconds"] / small["steps"][step]["seconds"]

        rounds = [r["steps"][s].get("n_iter") for r in (small, large)
                  for s in ("hist_gradient_boosting", "bare_boosting")]
        print(f"boosting: MLDesk's time ratio {ratio('hist_gradient_boosting'):.2f} against scikit-learn's own "
              f"{ratio('bare_boosting'):.2f}; rounds (MLDesk, scikit-learn) {rounds[0]}, {rounds[1]} at the "
              f"smallest N, {rounds[2]}, {rounds[3]} at the largest (early stopping)")

        def per_round(result: dict, step: str) -> float:   # the fit's seconds per boosting round
            figures = result["steps"][step]
            return (figures.get("timings") or {}).get("fit_seconds", float("nan")) / figures["n_iter"]

        print("boosting, the fit's seconds per round, largest N ÷ smallest: MLDesk "
              + ", scikit-learn ".join(f"{per_round(large, s) / per_round(small, s):.2f}"
                                        for s in ("hist_gradient_boosting", "bare_boosting")))
    for r in results:
        print(f"table {r['rows']:,} × {r['columns']}: {r['frame_bytes'] / 2**30:.2f} GB in memory (pandas), "
              f"CSV {r['csv_bytes'] / 2**30:.2f} GB; dtypes {r['dtypes']}")
    print(f"goals: time ratio ≤ {TIME_GOAL} (for 10× the rows), peak ÷ table ≤ {MEMORY_GOAL}; "
          f"{os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--batch-rows", type=int, default=1_000_000)
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=STEPS)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench10m"))
    parser.add_argument("--keep", action="store_true", help="reuse an imported project of the same N")
    parser.add_argument("--window", action="store_true",
                        help="also import, check, train and monitor each table in the real window (offscreen), "
                             "timing the longest event-loop stall with a 10 ms heartbeat")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON as the last line")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    compile_app()
    batch = data_file(args.workdir, args.batch_rows, 7, "batch")
    results = [run_size(rows, args.workdir, args.steps, batch, args.keep) for rows in sorted(args.rows)]
    report(results)
    for r in results if args.window else ():
        folder = args.workdir / f"window_{r['rows']}"
        shutil.rmtree(folder, ignore_errors=True)
        r["window"] = run_child(WINDOW, str(folder), str(data_file(args.workdir, r["rows"], 42, "heart_wide")),
                                str(batch))
        shutil.rmtree(folder, ignore_errors=True)
        w = r["window"]
        print(f"window, {r['rows']:,} rows: time, the window's longest stall (goal ≤ 100 ms) [an idle process's "
              "longest stall beside it; CPU time the hypervisor stole; the window's major page faults]")
        for phase, label in (("import", "import"), ("check", "checks"), ("train", f"training ({w['trained']})"),
                             ("drift", "drift of the batch"), ("explain", "Explain tab"),
                             ("export", "export, verified"), ("holdout", "held-out scoring")):
            print(f"  {label:<22} {w[phase + '_seconds']:6.1f} s  {w[phase + '_stall_ms']:5.0f} ms  "
                  f"[{w[phase + '_machine_ms']:.0f} ms; {w[phase + '_steal_ms'] / 1000:.2f} s; {w[phase + '_faults']}]")
        print(f"  the export's banner: {w['exported']}")
        print(f"  the held-out scoring: {w['holdout']}")
    if args.json:
        print(json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
