"""How many threads the native libraries may use while MLDesk trains.

- BLAS (numpy/scipy linear algebra): 1 thread. The linear models' solvers make many small
  BLAS calls, where thread hand-offs cost more than they save: on 2 cores a logistic
  regression on 2,500 rows fitted ~15× faster with one BLAS thread, ~25% faster on 300,000.
- OpenMP (HistGradientBoosting, k-means-like loops): all cores but one. OpenMP threads
  spin while they wait for each other, so when another process holds a core (the window,
  a second training, anything) a fit that wants every core slows down badly — measured 30×
  for HistGradientBoosting on a 2-core machine with one core busy. One core is left free.
- joblib (forests' n_jobs=-1) uses threads that sleep while waiting, so it is left alone.

The limits apply for the duration of a call (threadpoolctl) and are restored afterwards.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

BLAS_THREADS: int | None = 1
OPENMP_THREADS: int | None = max(1, (os.cpu_count() or 2) - 1)


def limited_threads(function: F) -> F:
    """Run `function` with BLAS_THREADS / OPENMP_THREADS (None: the library's default)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import sklearn  # noqa: F401 - loads its OpenMP runtime: threadpoolctl limits only loaded libraries
        from threadpoolctl import threadpool_limits

        limits = {api: n for api, n in (("blas", BLAS_THREADS), ("openmp", OPENMP_THREADS)) if n is not None}
        if not limits:
            return function(*args, **kwargs)
        with threadpool_limits(limits=limits):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
