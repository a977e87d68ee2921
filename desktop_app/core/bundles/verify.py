"""Does a bundle predict what the model in the app predicts? Ask its predict.py, in its own process.

    result = verify_bundle(folder, pipeline, holdout, progress=cb)

predict.py is run by this Python (`sys.executable`: the bundle's requirements are the app's
own libraries) on the bundle's input_example.json and on held-out rows written as Parquet
(so both sides see the same types), with the current directory outside the bundle and no
PYTHONPATH, so it imports the vendored `code/` copy of MLDesk's modules, not the app's. The
two runs go in parallel. Its CSV output is compared with `scoring.predict.predict_frame` of
the pipeline loaded in the app: same columns, identical labels, probabilities (and
regression values) equal within TOLERANCE. A frozen build (no Python interpreter to run)
skips the check and says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.bundles.entities import VerificationResult
from desktop_app.core.errors import Cancelled
from desktop_app.core.progress import ProgressCallback, no_progress

TOLERANCE = 1e-9
TIMEOUT_SECONDS = 600


def frame_from_example(path: Path) -> pd.DataFrame:
    """input_example.json as predict.py reads it (`pd.DataFrame(data, columns=columns)`)."""
    split = json.loads(path.read_text(encoding="utf-8"))
    return pd.DataFrame(split["data"], columns=split["columns"])


def verify_bundle(folder: Path, pipeline: Any, holdout: pd.DataFrame | None, *,
                  progress: ProgressCallback = no_progress, python: str | None = None) -> VerificationResult:
    started = time.perf_counter()
    if python is None:
        if getattr(sys, "frozen", False):
            return VerificationResult(True, "Not verified: this build of MLDesk has no Python interpreter to run the "
                                            "bundle's predict.py with.", skipped=True)
        python = sys.executable
    inputs: list[tuple[str, Path, pd.DataFrame]] = []
    with tempfile.TemporaryDirectory(prefix="mldesk-verify-") as tmp:
        work = Path(tmp)
        example = folder / "input_example.json"
        if example.is_file():
            inputs.append(("input example", example, frame_from_example(example)))
        if holdout is not None and len(holdout):
            rows = work / "holdout.parquet"
            holdout.reset_index(drop=True).to_parquet(rows, index=False)
            inputs.append(("held-out rows", rows, pd.read_parquet(rows)))
        if not inputs:
            return VerificationResult(False, "There are no rows to verify the bundle with.")
        progress(0.05, "Running the bundle's predict.py")
        outputs = _run_all(python, folder, [(path, work / f"out{i}.csv") for i, (_, path, _) in enumerate(inputs)],
                           progress)
        checks: list[dict[str, Any]] = []
        for (name, _, frame), (code, stderr, out) in zip(inputs, outputs):
            if code != 0:
                reason = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {code}"
                return VerificationResult(False, f"The bundle's predict.py failed on the {name}: {reason}",
                                          checks=tuple(checks), seconds=time.perf_counter() - started)
            check = compare(frame, pipeline, out)
            checks.append({"name": name, **check})
            if not check["ok"]:
                return VerificationResult(False, f"The bundle disagrees with the model in MLDesk on the {name}: "
                                                 f"{check['problem']}", sum(c["rows"] for c in checks),
                                          tuple(checks), seconds=time.perf_counter() - started)
    rows = sum(c["rows"] for c in checks)
    progress(1.0, "Bundle verified")
    return VerificationResult(True, f"predict.py, run in a separate process, gave the same predictions as the model "
                                    f"in MLDesk on {rows:,} rows ({', '.join(c['name'] for c in checks)}).",
                              rows, tuple(checks), seconds=time.perf_counter() - started)


def _run_all(python: str, folder: Path, jobs: list[tuple[Path, Path]],
             progress: ProgressCallback) -> list[tuple[int, str, Path]]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in the bundle's code/
    processes = []
    try:
        for source, out in jobs:
            processes.append(subprocess.Popen(
                [python, str(folder / "predict.py"), str(source), "--out", str(out)], cwd=out.parent, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        deadline = time.monotonic() + TIMEOUT_SECONDS
        results: list[tuple[int, str, Path] | None] = [None] * len(processes)
        while any(r is None for r in results):
            for i, process in enumerate(processes):
                if results[i] is None:
                    try:
                        _, stderr = process.communicate(timeout=0.1)
                    except subprocess.TimeoutExpired:
                        continue
                    results[i] = (process.returncode, stderr or "", jobs[i][1])
            done = sum(r is not None for r in results)
            progress(0.05 + 0.85 * done / len(processes), "Running the bundle's predict.py")  # may raise Cancelled
            if time.monotonic() > deadline:
                return [r or (1, f"predict.py took longer than {TIMEOUT_SECONDS} s", jobs[i][1])
                        for i, r in enumerate(results)]
        return [r for r in results if r is not None]
    except Cancelled:
        raise
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def compare(frame: pd.DataFrame, pipeline: Any, out: Path) -> dict[str, Any]:
    """The bundle's CSV output against the app's predictions for the same rows."""
    from desktop_app.core.scoring.predict import PREDICTION, class_label, classes_of, predict_frame

    expected = predict_frame(pipeline, frame.reset_index(drop=True))
    got = pd.read_csv(out, dtype={PREDICTION: str}, keep_default_na=False)
    result: dict[str, Any] = {"rows": len(expected), "labels_equal": False, "max_abs_diff": None, "ok": False}
    if list(got.columns) != list(expected.columns):
        return {**result, "problem": f"its columns are {list(got.columns)}, the app's {list(expected.columns)}."}
    if len(got) != len(expected):
        return {**result, "problem": f"it gave {len(got)} rows for {len(expected)}."}
    diffs = []
    if classes_of(pipeline) is not None or expected[PREDICTION].dtype.kind not in "fiu":
        labels = [class_label(v) for v in expected[PREDICTION].tolist()]
        equal = labels == got[PREDICTION].tolist()
        result["labels_equal"] = equal
        if not equal:
            first = next(i for i, (a, b) in enumerate(zip(labels, got[PREDICTION])) if a != b)
            return {**result, "problem": f"row {first + 1} is labelled {got[PREDICTION].iloc[first]!r} by the "
                                         f"bundle and {labels[first]!r} by the app."}
        numeric = list(expected.columns[1:])
    else:
        result["labels_equal"] = True
        numeric = list(expected.columns)
    for column in numeric:
        a = expected[column].to_numpy(dtype=np.float64)
        b = pd.to_numeric(got[column], errors="coerce").to_numpy(dtype=np.float64)
        both_nan = np.isnan(a) & np.isnan(b)
        delta = np.where(both_nan, 0.0, np.abs(a - b) / np.maximum(1.0, np.abs(a)))  # relative beyond 1
        diffs.append(float(np.nanmax(np.where(np.isnan(delta), np.inf, delta))) if len(delta) else 0.0)
    result["max_abs_diff"] = max(diffs) if diffs else 0.0
    if result["max_abs_diff"] > TOLERANCE:
        return {**result, "problem": f"values differ by up to {result['max_abs_diff']:.3g} (allowed {TOLERANCE:g})."}
    return {**result, "ok": True}
