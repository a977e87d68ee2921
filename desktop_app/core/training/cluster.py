"""A search's candidates and a run's cross-validation folds on a Dask cluster, through joblib's Dask backend.

    with on_cluster("tcp://10.0.0.5:8786"):
        for scores in candidate_scores(prep, settings, ...): ...   # in the order given

A search evaluates its candidates one after another in the training process, and a run its
cross-validation folds. Given the address of a Dask scheduler (`mldesk train … --cluster
tcp://host:8786` with `--search` or `--cv`, or the Train step's field), each candidate's
cross-validation — or each fold of a run's — becomes one task on the cluster's workers instead:
the prepared rows are scattered to every worker once, then joblib's `Parallel` with the "dask"
backend sends the small tasks. What a task runs (`score_candidate`, `score_fold`) lives here, in
`desktop_app.core`, so a worker needs MLDesk installed (the same version) and nothing else. The
scores are those computed here — the same folds, seeds and thread limits — so a search gives the
same best parameters on the cluster as at home (tests/core/training/test_cluster.py runs a real
two-process `distributed.LocalCluster`).

The scheduler is a trust boundary: tasks and data travel as pickles, and a worker runs whatever
it is sent. Connect only to the team's own cluster, on a network the team controls.
`dask` and `distributed` come with the optional extra `mldesk[scale]`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from desktop_app.core.errors import MLDeskError
from desktop_app.core.training.evaluation import cross_validate, fit_and_score
from desktop_app.core.training.prepare import Prepared
from desktop_app.core.training.threads import limited_threads

CONNECT_TIMEOUT_S = 10


class ClusterError(MLDeskError):
    """The Dask cluster cannot be used: the library is missing or the scheduler does not answer."""


@contextmanager
def on_cluster(address: str | None) -> Iterator[Any]:
    """A Dask client connected to the scheduler at `address` (the default client while the block runs).

    With no address, nothing happens (the block runs here) and the client is None.
    """
    if address is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError:
        if getattr(sys, "frozen", False):  # the standalone build leaves Dask out
            raise ClusterError("This standalone MLDesk has no Dask to work on a cluster; install MLDesk from the "
                               "offline wheelhouse with the scale extra (docs/install_offline.md) to search or "
                               "cross-validate on one.") from None
        raise ClusterError("Searching on a cluster needs Dask's distributed library; install MLDesk with the "
                           "scale extra (pip install 'mldesk[scale]') and try again.") from None
    address = address.strip()
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=True)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"The Dask scheduler at {address} did not answer ({exc}); check the address "
                           "(for example tcp://host:8786) and that the cluster is running.") from None
    try:
        yield client
    finally:
        client.close()


def _sequential_inside() -> Any:
    """scikit-learn's own joblib calls in a task (the ColumnTransformer's groups, a forest's trees) run
    sequentially: under the Dask backend that joblib sets in the task they would become more tasks,
    several per worker thread at once (a 24-candidate search took 1.3× longer so)."""
    from joblib import parallel_config

    return parallel_config(backend="sequential")


@limited_threads
def score_candidate(prep: Prepared, params: dict[str, Any], class_weight: str | None, seed: int, cv_folds: int,
                    rows: np.ndarray, scoring: str) -> tuple[list[float], float]:
    """One candidate's score on each cross-validation fold of `rows`, and the seconds it took (runs on a worker)."""
    started = time.perf_counter()
    with _sequential_inside():
        folds, _ = cross_validate(prep, params, class_weight, seed, cv_folds, rows=rows, only=[scoring])
    return [float(f.get(scoring, np.nan)) for f in folds], time.perf_counter() - started


@limited_threads
def score_fold(prep: Prepared, params: dict[str, Any], class_weight: str | None, seed: int, fit_rows: np.ndarray,
               val_rows: np.ndarray, only: list[str] | None) -> tuple[dict[str, float], np.ndarray]:
    """One cross-validation fold: its metrics and the validation rows' output (runs on a worker)."""
    with _sequential_inside():
        return fit_and_score(prep, params, class_weight, seed, fit_rows, val_rows, only)


def candidate_scores(prep: Prepared, candidates: list[tuple[dict[str, Any], str | None]], seed: int, cv_folds: int,
                     rows: np.ndarray, scoring: str) -> Generator[tuple[list[float], float], None, None]:
    """Each candidate's fold scores and seconds, computed on the cluster of `on_cluster`, in the order given.

    `candidates` are (parameters, class weight) pairs. Closing the iterator early (a cancel, the
    time budget) cancels the tasks not yet finished.
    """
    yield from _on_workers(score_candidate, prep, [(params, weight, seed, cv_folds, rows, scoring)
                                                   for params, weight in candidates])


def fold_outcomes(prep: Prepared, params: dict[str, Any], class_weight: str | None, seed: int,
                  splits: list[tuple[np.ndarray, np.ndarray]], only: list[str] | None
                  ) -> Generator[tuple[dict[str, float], np.ndarray], None, None]:
    """`fit_and_score` of each (fit rows, validation rows) split, on the cluster of `on_cluster`, in order."""
    yield from _on_workers(score_fold, prep, [(params, class_weight, seed, fit_rows, val_rows, only)
                                              for fit_rows, val_rows in splits])


def _on_workers(function: Callable[..., Any], prep: Prepared, calls: list[tuple]) -> Generator[Any, None, None]:
    from distributed import get_client
    from joblib import Parallel, delayed, parallel_config

    # The rows go to every worker once, up front. joblib scatters large arguments by itself, but
    # judges their size with dask's `sizeof`, which sees a Prepared as a small object: each task
    # would carry the whole table.
    shared = get_client().scatter(prep, broadcast=True, hash=False)
    with parallel_config(backend="dask"):
        yield from Parallel(n_jobs=-1, return_as="generator")(delayed(function)(shared, *call) for call in calls)
