"""serve.py against `mlflow models serve` on the same exported bundle, same machine, same client. Prints figures.

    .venv/bin/python tests/benchmarks/bench_serve.py [--passes 5] [--seconds 3] [--clients 1 4] [--workers 2]
                                                     [--algorithms logistic_regression hist_gradient_boosting]
                                                     [--train-rows 5000] [--json]

Setup: a project in a temporary folder, the heart sample (resources/sample_data/make_heart_sample.py,
as bench_bundle.py makes it) imported, one run per algorithm trained and exported with
`project.bundles.export`. On that one bundle three servers are started side by side on 127.0.0.1:

  serve.py              the bundle's own server, as a user starts it (`python serve.py --quiet`)
  serve.py --workers N  the same with N forked worker processes
  mlflow                `mlflow models serve -m <bundle> --env-manager local` (MLflow's pyfunc
                        scoring server: uvicorn + FastAPI, one worker; benchmark-only, the app never
                        needs it). Checked to serve the bundle: its predictions for 50 rows must
                        equal serve.py's, else the benchmark stops. Its native libraries keep their
                        own thread counts unless --mlflow-threads pins them (serve.py pins its own).

The client is the same for all: threads in this process, each holding one HTTP/1.1 keep-alive
connection (raw socket, TCP_NODELAY, the request bytes built beforehand) and sending 1-row
`dataframe_split` JSON requests (rows of the sample in turn) one after the other for --seconds.
Latency is per request as the client sees it (send → whole answer read); requests/s = answers ÷
wall time. A pass measures every server with 1 client, then every server with 4, in turn, so that a
change in the machine's load falls on all of them alike; figures are medians over --passes passes,
ratio = serve.py requests/s ÷ MLflow's in the same pass (median). The servers and the client share
this machine's cores (the 1-minute load average is printed before and after). Servers load their
modules from whatever bytecode exists: only the start depends on it, not what is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
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

from tests.benchmarks.bench_bundle import TARGET, data_file  # noqa: E402

VENV_BIN = Path(sys.executable).parent
START_TIMEOUT = 180.0


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"   # mlflow runs `uvicorn` from PATH
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(body: bytes) -> bytes:
    return (b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


class Client:
    """One keep-alive connection: send a request, read one whole answer (Content-Length framing)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def ask(self, request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(request)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._more()
        head = self.buffer[:end].decode("latin-1").lower()
        length = int(head.split("content-length:")[1].split("\r\n")[0])
        while len(self.buffer) < end + 4 + length:
            self._more()
        body = self.buffer[end + 4:end + 4 + length]
        self.buffer = self.buffer[end + 4 + length:]
        return int(head.split()[1]), body

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def started(command: list[str], port: int, cwd: Path, env: dict[str, str] | None = None):
    """A server process (its own process group, stopped whole) answering GET /ping on `port`."""
    log = open(cwd / f"server-{port}.log", "w+")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(command, cwd=cwd, env=_env() | (env or {}), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{' '.join(command[:3])} did not start:\n{log.read()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                    sock.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if sock.recv(64).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            time.sleep(0.3)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def drive(port: int, requests: list[bytes], clients: int, seconds: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, asking one request after another for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    connections = [Client(port) for _ in range(clients)]
    start_gate = threading.Barrier(clients + 1)

    def run(k: int) -> None:
        client, mine = connections[k], latencies[k]
        start_gate.wait()
        deadline = time.perf_counter() + seconds
        i = k
        while (now := time.perf_counter()) < deadline:
            status, body = client.ask(requests[i % len(requests)])
            mine.append(time.perf_counter() - now)
            if status != 200:
                errors.append(body.decode()[:200])
            i += clients

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    for c in connections:
        c.close()
    ms = np.concatenate([np.asarray(x) for x in latencies]) * 1000
    return {"requests": int(ms.size), "errors": len(errors), "requests_per_second": ms.size / wall,
            "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99))}


def _predictions(port: int, requests: list[bytes]) -> list:
    client = Client(port)
    try:
        return [json.loads(client.ask(r)[1])["predictions"][0] for r in requests]
    finally:
        client.close()


def measure(algorithm: str, args, work: Path) -> dict:
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec

    with Project.create(work / f"proj-{algorithm}") as project:
        project.datasets.import_file(data_file(args.train_rows), name="heart")
        run = project.runs.train(RunSpec("heart", TARGET, algorithm, seed=0))
        project.registry.register(run.id, "heart-risk")
        bundle = project.bundles.export("heart-risk", work / f"out-{algorithm}").path
    rows = pd.read_csv(data_file(args.train_rows), nrows=500).drop(columns=[TARGET])
    requests = [_request(json.dumps({"dataframe_split": json.loads(rows.iloc[[i]].to_json(
        orient="split", index=False))}).encode()) for i in range(len(rows))]
    python = sys.executable
    servers = {
        "serve.py": lambda port: [python, str(bundle / "serve.py"), "--port", str(port), "--quiet"],
        f"serve.py --workers {args.workers}": lambda port: [python, str(bundle / "serve.py"), "--port", str(port),
                                                            "--quiet", "--workers", str(args.workers)],
        "mlflow models serve": lambda port: [str(VENV_BIN / "mlflow"), "models", "serve", "-m", str(bundle),
                                             "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)],
    }
    ports = {name: _free_port() for name in servers}
    threads = {} if args.mlflow_threads is None else {
        name: str(args.mlflow_threads) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        for name, command in servers.items():
            stack.enter_context(started(command(ports[name]), ports[name], work,
                                        threads if name.startswith("mlflow") else None))
        ours, theirs = (_predictions(ports[n], requests[:50]) for n in ("serve.py", "mlflow models serve"))
        if ours != theirs:
            raise RuntimeError(f"MLflow's predictions differ from serve.py's: {theirs[:5]} vs {ours[:5]}")
        for port in ports.values():   # warm-up
            drive(port, requests, 1, 1.0)
        passes: list[dict] = []
        for _ in range(args.passes):
            one = {}
            for n in args.clients:
                for name, port in ports.items():
                    one[(name, n)] = drive(port, requests, n, args.seconds)
            passes.append(one)
    load_after = os.getloadavg()[0]
    table = []
    for n in args.clients:
        for name in servers:
            runs = [p[(name, n)] for p in passes]
            ratios = [p[(name, n)]["requests_per_second"] / p[("mlflow models serve", n)]["requests_per_second"]
                      for p in passes]
            table.append({"server": name, "clients": n, "passes": len(runs),
                          "requests_per_second": statistics.median(r["requests_per_second"] for r in runs),
                          "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                          "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                          "errors": sum(r["errors"] for r in runs),
                          "ratio_vs_mlflow": statistics.median(ratios),
                          "ratio_range": [min(ratios), max(ratios)],
                          "requests_per_second_each_pass": [round(r["requests_per_second"]) for r in runs]})
    return {"algorithm": algorithm, "mlflow_predictions_equal": True, "load_before": load_before,
            "load_after": load_after, "table": table}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--algorithms", nargs="+", default=["logistic_regression", "hist_gradient_boosting"])
    parser.add_argument("--train-rows", type=int, default=5_000)
    parser.add_argument("--mlflow-threads", type=int, default=None, metavar="N",
                        help="OMP/OpenBLAS/MKL threads for the MLflow server (default: its own, all cores); "
                             "serve.py pins its own to 1 per request")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mldesk-bench-serve-") as tmp:
        results = [measure(name, args, Path(tmp)) for name in args.algorithms]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"1-row dataframe_split requests over loopback keep-alive; medians of {args.passes} passes of "
          f"{args.seconds:g} s per server and client count. Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.")
    for r in results:
        pinned = f"; MLflow with {args.mlflow_threads} native thread(s)" if args.mlflow_threads else ""
        print(f"\n{r['algorithm']}  (MLflow serves the bundle: its predictions equal serve.py's on 50 rows; "
              f"1-min load {r['load_before']:.2f} before, {r['load_after']:.2f} after{pinned})")
        for row in r["table"]:
            low, high = row["ratio_range"]
            print(f"  {row['server']:<22} {row['clients']} client{'s' if row['clients'] > 1 else ' '}  "
                  f"{row['requests_per_second']:7.0f} req/s   p50 {row['p50_ms']:6.2f} ms   p99 {row['p99_ms']:6.2f} ms"
                  f"   ÷ MLflow {row['ratio_vs_mlflow']:5.2f} (passes {low:.2f}–{high:.2f})   errors {row['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
