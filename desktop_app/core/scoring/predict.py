"""Predictions of a fitted pipeline, in chunks: labels and, for classifiers, one probability per class.

    out = predict_frame(pipeline, frame, progress=cb)   # columns: prediction, proba_<class> …

The preparation steps run once per chunk and feed both `predict` and `predict_proba` of the
final estimator, which is exactly what `pipeline.predict` and `pipeline.predict_proba` compute.
The bundle's predict.py does the same (core/bundles/templates/predict.py); `bundles.verify`
checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.progress import ProgressCallback, no_progress

PREDICTION = "prediction"
PROBA_PREFIX = "proba_"
CHUNK_ROWS = 50_000


def class_label(value: Any) -> str:
    """A class as it appears in a column name: proba_Yes, proba_1, proba_True."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return str(value)


def classes_of(pipeline: Any) -> list[Any] | None:
    """The classes in `predict_proba` order, or None for a regressor (or a classifier without probabilities)."""
    model = pipeline.steps[-1][1]
    classes = getattr(pipeline, "classes_", None)
    if classes is None or not hasattr(model, "predict_proba"):
        return None
    return [c.item() if hasattr(c, "item") else c for c in classes]


def output_names(classes: list[Any] | None, taken: Iterable[str] = ()) -> list[str]:
    """`prediction` and `proba_<class>` names, suffixed with `_` while they clash with `taken` columns."""
    names = [PREDICTION] + [PROBA_PREFIX + class_label(c) for c in classes or ()]
    used = {str(c) for c in taken}
    out = []
    for name in names:
        while name in used:
            name += "_"
        used.add(name)
        out.append(name)
    return out


def predict_frame(
    pipeline: Any, frame: pd.DataFrame, *, taken: Iterable[str] = (), chunk_rows: int = CHUNK_ROWS,
    progress: ProgressCallback = no_progress,
) -> pd.DataFrame:
    """Predictions for every row of `frame` (same index), chunk by chunk; `progress` may cancel between chunks.

    Runs under the thread limits training uses (`training.threads`: one BLAS thread, OpenMP on
    all cores but one), which spare HistGradientBoosting's spinning OpenMP threads a busy core.
    """
    from desktop_app.core.training.threads import limited_threads

    return limited_threads(_predict_frame)(pipeline, frame, taken, chunk_rows, progress)


def _predict_frame(pipeline: Any, frame: pd.DataFrame, taken: Iterable[str], chunk_rows: int,
                   progress: ProgressCallback) -> pd.DataFrame:
    classes = classes_of(pipeline)
    names = output_names(classes, taken)
    model, head = pipeline.steps[-1][1], pipeline[:-1]
    n = len(frame)
    labels: list[np.ndarray] = []
    probas: list[np.ndarray] = []
    for start in range(0, n, chunk_rows):
        progress(start / max(n, 1), f"Scoring rows {start + 1:,}–{min(start + chunk_rows, n):,} of {n:,}")
        X = head.transform(frame.iloc[start:start + chunk_rows])
        labels.append(np.asarray(model.predict(X)))
        if classes is not None:
            probas.append(np.asarray(model.predict_proba(X), dtype=np.float64))
    progress(1.0, f"Scored {n:,} rows")
    out = pd.DataFrame(index=frame.index)
    out[names[0]] = _labels(labels, n)
    if classes is not None:
        proba = np.vstack(probas) if probas else np.empty((0, len(classes)))
        for i, name in enumerate(names[1:]):
            out[name] = proba[:, i]
    return out


def _labels(parts: list[np.ndarray], n: int) -> Any:
    if not parts:
        return np.empty(0, dtype=object)
    values = np.concatenate(parts)
    if values.dtype.kind in "OUS":
        return pd.array(values.astype(object), dtype="str")
    return values
