"""Bundle benchmark: batch scoring through predict.py ÷ the bare pipeline, and serve.py's latency. Prints figures.

    .venv/bin/python tests/benchmarks/bench_bundle.py [--rows 100000] [--train-rows 5000] [--repeats 3]
                                                      [--algorithms logistic_regression hist_gradient_boosting]
                                                      [--requests 2000] [--clients 1 4] [--json]

Setup: a project in a temporary folder, the heart sample (resources/sample_data/make_heart_sample.py;
files generated once into the system temp folder) imported, one run per algorithm trained,
exported with `project.bundles.export` (export and verification time printed).

Batch scoring of a CSV of --rows rows (medians of --repeats runs after one warm-up):

  bundle        `python predict.py rows.csv --out out.csv` in a new process: wall time, so Python's
                start, imports (pandas, scikit-learn, skops), the SHA256SUMS check, loading the model,
                reading the CSV, predicting and writing the CSV are all included
  bare predict  the pipeline already loaded and the rows already in memory, in this process:
                pipeline.predict + pipeline.predict_proba, nothing else (the floor); under the
                thread limits the app and the bundle use (training/threads.py), and once more
                with the libraries' default threads
  bare e2e      in this process: pd.read_csv + predict + predict_proba + to_csv (the same work as
                the bundle but the process start, imports and model load)
  app           project.scoring.score_file(..., out=out.csv): the app's reader, validation, chunked
                prediction and Arrow CSV writer

  ratio = bundle ÷ bare predict, and bundle ÷ bare e2e

serve.py: started once per algorithm on 127.0.0.1 (a free port); --requests POSTs of one row each
(dataframe_split JSON) from --clients client threads in this process. Each client keeps one
HTTP/1.1 keep-alive connection (http.client); a second pass opens a new connection per request.
Latency is per request as the client sees it (send → whole answer read); requests/s = requests ÷
wall time of the pass. The server and the clients share this machine's cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.harness import median_seconds  # noqa: E402

GENERATOR = REPO / "resources" / "sample_data" / "make_heart_sample.py"
TARGET = "heart_disease"


def data_file(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"heart_{rows}.csv"
    if not path.exists():
        subprocess.run([sys.executable, str(GENERATOR), "--rows", str(rows), "--out", str(path)], check=True)
    return path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def batch(project, bundle: Path, ref: str, rows_csv: Path, work: Path, repeats: int) -> dict[str, float]:
    pipeline = project.scoring.pipeline(ref)
    frame = pd.read_csv(rows_csv)
    X = frame.drop(columns=[TARGET])
    scoring_input = work / "rows.csv"
    X.to_csv(scoring_input, index=False)
    out = work / "out.csv"

    def run_bundle():
        subprocess.run([sys.executable, str(bundle / "predict.py"), str(scoring_input), "--out", str(out)],
                       cwd=work, env=_env(), check=True, stdout=subprocess.DEVNULL)

    def bare_predict():
        pipeline.predict(X)
        pipeline.predict_proba(X)

    def bare_e2e():
        rows = pd.read_csv(scoring_input)
        result = pd.DataFrame({"prediction": pipeline.predict(rows)})
        proba = pipeline.predict_proba(rows)
        for i, label in enumerate(pipeline.classes_):
            result[f"proba_{label}"] = proba[:, i]
        result.to_csv(out, index=False)

    def app():
        project.scoring.score_file(ref, scoring_input, out=work / "app_out.csv")

    from desktop_app.core.training.threads import limited_threads

    t_bundle = median_seconds(run_bundle, repeats)
    bundled = pd.read_csv(out)
    same = list(bundled["prediction"]) == list(pipeline.predict(X)) and float(
        np.max(np.abs(bundled.iloc[:, 1:].to_numpy() - pipeline.predict_proba(X)))) <= 1e-9
    startup = median_seconds(lambda: subprocess.run([sys.executable, "-c", "import pandas, sklearn, skops.io"],
                                             env=_env(), check=True), repeats)
    t_bare = median_seconds(limited_threads(bare_predict), repeats)
    t_bare_default = median_seconds(bare_predict, repeats)
    t_e2e = median_seconds(limited_threads(bare_e2e), repeats)
    t_app = median_seconds(app, repeats)
    return {"rows": len(X), "bundle_seconds": t_bundle, "imports_only_seconds": startup,
            "bare_predict_seconds": t_bare, "bare_predict_default_threads_seconds": t_bare_default,
            "bare_e2e_seconds": t_e2e, "app_score_file_seconds": t_app,
            "ratio_vs_bare_predict": t_bundle / t_bare, "ratio_vs_bare_e2e": t_bundle / t_e2e,
            "same_predictions": same}


def _start_server(bundle: Path, work: Path) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([sys.executable, str(bundle / "serve.py"), "--port", "0", "--quiet"], cwd=work,
                               env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "http://127.0.0.1:" not in line:
        process.kill()
        raise RuntimeError(f"serve.py did not start: {process.stderr.read()}")
    return process, int(line.split("http://127.0.0.1:")[1].split()[0])


def _client(port: int, bodies: list[bytes], keep_alive: bool, latencies: list[float], errors: list[str]) -> None:
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60) if keep_alive else None
    for body in bodies:
        started = time.perf_counter()
        conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/invocations", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            errors.append(payload.decode()[:200])
        if connection is None:
            conn.close()
    if connection is not None:
        connection.close()


def serve(bundle: Path, rows_csv: Path, work: Path, requests: int, clients: list[int]) -> list[dict]:
    frame = pd.read_csv(rows_csv, nrows=max(requests, 1)).drop(columns=[TARGET])
    bodies = [json.dumps({"dataframe_split": json.loads(frame.iloc[[i % len(frame)]].to_json(
        orient="split", index=False))}).encode() for i in range(requests)]
    process, port = _start_server(bundle, work)
    results = []
    try:
        _client(port, bodies[:50], True, [], [])  # warm-up
        for keep_alive in (True, False):
            for n in clients:
                latencies: list[float] = []
                errors: list[str] = []
                shares = [bodies[i::n] for i in range(n)]
                threads = [threading.Thread(target=_client, args=(port, share, keep_alive, latencies, errors))
                           for share in shares]
                started = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                wall = time.perf_counter() - started
                ms = np.asarray(latencies) * 1000
                results.append({"clients": n, "keep_alive": keep_alive, "requests": len(latencies),
                                "errors": len(errors), "requests_per_second": len(latencies) / wall,
                                "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
                                "max_ms": float(ms.max())})
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def measure(algorithm: str, args, work: Path) -> dict:
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec

    with Project.create(work / f"proj-{algorithm}") as project:
        project.datasets.import_file(data_file(args.train_rows), name="heart")
        run = project.runs.train(RunSpec("heart", TARGET, algorithm, seed=0))
        project.registry.register(run.id, "heart-risk")
        started = time.perf_counter()
        exported = project.bundles.export("heart-risk", work / f"out-{algorithm}")
        export_seconds = time.perf_counter() - started
        bundle = exported.path
        rows_csv = data_file(args.rows)
        result = {"algorithm": algorithm, "export_seconds": export_seconds,
                  "verify_seconds": exported.verification.seconds, "verified": exported.verification.ok,
                  "bundle_bytes": exported.size_bytes}
        result["batch"] = batch(project, bundle, "heart-risk", rows_csv, work, args.repeats)
        result["serve"] = serve(bundle, rows_csv, work, args.requests, args.clients)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--train-rows", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--algorithms", nargs="+", default=["logistic_regression", "hist_gradient_boosting"])
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mldesk-bench-bundle-") as tmp:
        results = [measure(name, args, Path(tmp)) for name in args.algorithms]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"Batch: {args.rows:,} rows scored, medians of {args.repeats} runs; models trained on "
          f"{args.train_rows:,} rows. Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.")
    for r in results:
        b = r["batch"]
        print(f"\n{r['algorithm']}  (export {r['export_seconds']:.2f} s, of which verification "
              f"{r['verify_seconds']:.2f} s; bundle {r['bundle_bytes'] / 1024:.0f} KiB; verified {r['verified']})")
        print(f"  bundle predict.py, new process (start+imports+load+read+predict+write) "
              f"{b['bundle_seconds']:7.2f} s   [python -c 'import pandas, sklearn, skops.io' alone: "
              f"{b['imports_only_seconds']:.2f} s]")
        print(f"  bare predict + predict_proba, in memory                                 "
              f"{b['bare_predict_seconds']:7.2f} s   ratio bundle/bare {b['ratio_vs_bare_predict']:.2f}"
              f"   [library-default threads: {b['bare_predict_default_threads_seconds']:.2f} s]")
        print(f"  bare read_csv + predict + predict_proba + to_csv, in process            "
              f"{b['bare_e2e_seconds']:7.2f} s   ratio bundle/bare e2e {b['ratio_vs_bare_e2e']:.2f}")
        print(f"  app score_file (reader, validation, chunks, Arrow CSV)                  "
              f"{b['app_score_file_seconds']:7.2f} s")
        print(f"  bundle predictions equal the pipeline's: {b['same_predictions']}")
        print("  serve.py, 1-row dataframe_split requests over loopback:")
        for s in r["serve"]:
            mode = "keep-alive     " if s["keep_alive"] else "new connection "
            print(f"    {mode} {s['clients']} client(s)  {s['requests_per_second']:7.0f} req/s   "
                  f"p50 {s['p50_ms']:6.2f} ms   p99 {s['p99_ms']:6.2f} ms   max {s['max_ms']:6.1f} ms"
                  f"   errors {s['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
