"""Team database benchmark (issue 13): logging runs and the runs table over PostgreSQL.

    eval "$(.venv/bin/python -m tests.pg_server start)"     # or any server in MLDESK_TEST_POSTGRES_URL
    .venv/bin/python tests/benchmarks/bench_team_db.py [--repeats 3] [--logged 1000] [--runs 5000]
                                                       [--only logging|table] [--json]

The server is the one in MLDESK_TEST_POSTGRES_URL (its password from PGPASSFILE); every measurement
gets a new database on it (`tests.pg.create_database`), dropped afterwards. The server's durability
settings (fsync, synchronous_commit) are printed with the figures: `tests.pg_server` starts its
server with fsync=off.

1. Logging 1,000 runs (10 parameters, 8 metrics each, `bench_training`'s run shape) to a project in
   the team database with `project.runs.log` (`bench_training.log_mldesk`, the project made in the
   team database through MLDESK_DATABASE_URL) ÷ MLflow's SQLAlchemy tracking store on a database of
   the same server (`create_run` + `log_batch` + `set_terminated`, the calls of
   `bench_training.log_mlflow`, with the same `postgresql+psycopg://` URL). Each repeat is a whole
   run of both sides on fresh databases, the side that goes first alternating; medians (goal ≤ 0.2).
2. Runs table with 5,000 runs in a team-database project (filled by `bench_training.fill_runs`):
   `project.runs.list()` in this process (what the Compare step's worker thread calls), and the
   real window opening the Compare step to the table painted with every row
   (`bench_training.RUNS_TABLE`, in a child process) (goal ≤ 1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_training import (  # noqa: E402
    N_METRICS,
    N_PARAMS,
    RUNS_TABLE,
    _run_values,
    fill_runs,
    log_mldesk,
)
from tests.benchmarks.harness import compile_app, run_child, timed  # noqa: E402
from tests.pg import SERVER_ENV, create_database, drop_database  # noqa: E402

GOALS = {"logging_ratio": 0.2, "runs_table_seconds": 1.0}
SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    url = create_database(server)
    try:
        yield url
    finally:
        drop_database(url)


@contextmanager
def team_projects(url: str) -> Iterator[None]:
    """While inside, `Project.create(folder)` makes its project in the team database at `url`."""
    from desktop_app.core.project import DATABASE_URL_ENV

    before = os.environ.get(DATABASE_URL_ENV)
    os.environ[DATABASE_URL_ENV] = url
    try:
        yield
    finally:
        if before is None:
            del os.environ[DATABASE_URL_ENV]
        else:
            os.environ[DATABASE_URL_ENV] = before


def server_settings(server: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(server)
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(f"SHOW {name}")).scalar() for name in
                    ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")}
    finally:
        engine.dispose()


# -- 1. logging 1,000 runs ÷ MLflow on the same server ---------------------------------------------

def log_mldesk_team(server: str, count: int) -> float:
    with fresh_database(server) as url, team_projects(url), tempfile.TemporaryDirectory() as folder:
        return log_mldesk(Path(folder), SAMPLE, count)


def log_mlflow_server(server: str, count: int) -> float:
    """`bench_training.log_mlflow`'s calls, with the tracking store in a database of the server."""
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    with fresh_database(server) as url, tempfile.TemporaryDirectory() as folder:
        client = MlflowClient(tracking_uri=url)  # MLflow's SqlAlchemyStore takes the psycopg 3 URL as it is
        experiment = client.create_experiment("bench", artifact_location=str(Path(folder) / "artifacts"))
        started = time.perf_counter()
        for i in range(count):
            params, metrics = _run_values(i)
            run = client.create_run(experiment, tags={"mlflow.runName": "random_forest"})
            now = int(time.time() * 1000)
            client.log_batch(run.info.run_id, params=[Param(k, str(v)) for k, v in params.items()],
                             metrics=[Metric(k, v, now, 0) for k, v in metrics.items()])
            client.set_terminated(run.info.run_id)
        seconds = time.perf_counter() - started
        assert len(client.search_runs([experiment], max_results=count + 1)) == count
        client._tracking_client.store.engine.dispose()  # its pooled connections, before the database is dropped
    return seconds


def bench_logging(server: str, count: int, repeats: int) -> dict:
    import logging

    import mlflow

    logging.getLogger("mlflow").setLevel(logging.WARNING)  # its schema set-up chatter
    rounds = []
    for r in range(repeats):
        if r % 2 == 0:
            ours, theirs = log_mldesk_team(server, count), log_mlflow_server(server, count)
        else:
            theirs, ours = log_mlflow_server(server, count), log_mldesk_team(server, count)
        rounds.append({"mldesk_seconds": ours, "mlflow_seconds": theirs, "ratio": ours / theirs,
                       "load": os.getloadavg()})
    return {
        "runs": count, "repeats": repeats, "mlflow_version": mlflow.__version__, "rounds": rounds,
        "mldesk_seconds": statistics.median(r["mldesk_seconds"] for r in rounds),
        "mlflow_seconds": statistics.median(r["mlflow_seconds"] for r in rounds),
        "ratio": statistics.median(r["ratio"] for r in rounds),
    }


# -- 2. runs table with 5,000 runs -----------------------------------------------------------------

def bench_runs_table(server: str, count: int, repeats: int) -> dict:
    from desktop_app.core.project import Project

    with fresh_database(server) as url, tempfile.TemporaryDirectory() as folder:
        with team_projects(url), Project.create(Path(folder) / "p") as project:
            version = project.datasets.import_file(SAMPLE, name="heart").version
            started = time.perf_counter()
            fill_runs(project, version, count)
            fill_seconds = time.perf_counter() - started
            list_median, list_all, runs = timed(project.runs.list, repeats)
            assert len(runs) == count
        window = run_child(RUNS_TABLE, str(Path(folder) / "p"), str(repeats), str(count))
    return {"runs": count, "fill_seconds": fill_seconds, "list_seconds": list_median, "list_all": list_all,
            "seconds": window["seconds"], "all": window["all"], "load": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--logged", type=int, default=1000, help="runs to log (default 1,000)")
    parser.add_argument("--runs", type=int, default=5000, help="runs in the table (default 5,000)")
    parser.add_argument("--only", choices=["logging", "table"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    server = os.environ.get(SERVER_ENV, "").strip()
    if not server:
        parser.error(f"no PostgreSQL server: set {SERVER_ENV} (eval \"$(.venv/bin/python -m tests.pg_server start)\")")
    compile_app()  # the window's modules load from bytecode, as on a user's machine (harness.CHILD_ENV)
    results: dict = {"server": server_settings(server), "load_before": os.getloadavg(), "goals": GOALS}
    if args.only in (None, "logging"):
        results["logging"] = bench_logging(server, args.logged, args.repeats)
    if args.only in (None, "table"):
        results["runs_table"] = bench_runs_table(server, args.runs, args.repeats)
    results["load_after"] = os.getloadavg()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    s = results["server"]
    print(f"PostgreSQL {s['server_version']}: fsync={s['fsync']}, synchronous_commit={s['synchronous_commit']}, "
          f"full_page_writes={s['full_page_writes']}; load average before "
          f"{'/'.join(f'{x:.2f}' for x in results['load_before'])}, after "
          f"{'/'.join(f'{x:.2f}' for x in results['load_after'])}")
    if "logging" in results:
        lg = results["logging"]
        print(f"1. logging {lg['runs']:,} runs ({N_PARAMS} params, {N_METRICS} metrics), medians of {lg['repeats']}: "
              f"MLDesk {lg['mldesk_seconds']:.2f} s, MLflow {lg['mlflow_version']} on the same server "
              f"{lg['mlflow_seconds']:.2f} s → ratio {lg['ratio']:.3f} (goal ≤ {GOALS['logging_ratio']})")
        for i, r in enumerate(lg["rounds"], 1):
            print(f"   round {i}: MLDesk {r['mldesk_seconds']:.2f} s, MLflow {r['mlflow_seconds']:.2f} s, "
                  f"ratio {r['ratio']:.3f}, load {r['load'][0]:.2f}")
    if "runs_table" in results:
        t = results["runs_table"]
        print(f"2. runs table, {t['runs']:,} runs in the team database (filled in {t['fill_seconds']:.1f} s): "
              f"runs.list() {t['list_seconds']:.3f} s; window shows the table in {t['seconds']:.3f} s "
              f"(median of {len(t['all'])}: {', '.join(f'{x:.3f}' for x in t['all'])}) "
              f"(goal ≤ {GOALS['runs_table_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
