"""Per-row contributions of a fitted MLDesk pipeline, on its input columns, adding up to its output.

    explained = explain_rows(pipeline, X, background, positive="Yes")
    explained.base_value + explained.contributions[i].sum() == explained.outputs[i]    # within 1e-6

The rows go through the pipeline's preparation (recipe, then the column transformer); the estimator's
contributions on the prepared columns come from `trees` (tree models, exact path-dependent TreeSHAP)
or `linear` (linear models, exact); each input column's contribution is the sum over its block of
prepared columns (`training.importance.column_blocks`: its one-hot columns, its date parts).

What is explained is the model's raw output: a classifier's log-odds (logistic regression, gradient
boosting), or its class probability (forests, single trees, whose trees vote probabilities); a
regression's prediction. A binary classifier is explained for its positive class; a multi-class one
for the class each row is predicted. Every explanation is checked against the model's own output
before it is returned: numbers that did not add up would never be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.explain.linear import is_linear_model, linear_contributions
from desktop_app.core.explain.trees import is_tree_model, tree_contributions
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.training.errors import TrainingError

TOLERANCE = 1e-6


class ExplainError(TrainingError):
    """A model MLDesk cannot explain row by row; the sentence says which and what it offers instead."""


@dataclass(frozen=True)
class Explanation:
    features: tuple[str, ...]         # the model's input columns, in order
    base_values: np.ndarray           # (rows,) the output at the background (the training rows), before any
                                      # column: one value, except per class for a multi-class model
    output_space: str                 # "log_odds", "probability", "raw_score" (multi-class) or "value"
    outputs: np.ndarray               # (rows,) the model's raw output for each row
    contributions: np.ndarray         # (rows × features)
    classes: tuple[Any, ...] = ()     # per row, the class whose output is explained (classifiers)

    @property
    def base_value(self) -> float:
        return float(self.base_values[0]) if len(self.base_values) else 0.0

    @property
    def per_class_base(self) -> bool:
        return self.output_space == "raw_score"

    def row(self, i: int) -> dict[str, Any]:
        document: dict[str, Any] = {"output": float(self.outputs[i]),
                                    "contributions": {f: float(v) for f, v in zip(self.features,
                                                                                   self.contributions[i])}}
        if self.classes:
            document["class"] = self.classes[i]
        if self.per_class_base:
            document["base_value"] = float(self.base_values[i])
        return document

    def top(self, i: int, count: int = 3) -> list[tuple[str, float]]:
        """The `count` columns that moved row `i`'s output most (largest absolute contribution first)."""
        order = np.argsort(-np.abs(self.contributions[i]), kind="stable")[:count]
        return [(self.features[j], float(self.contributions[i, j])) for j in order]


def can_explain(pipeline: Any) -> str | None:
    """None when the pipeline can be explained row by row, else the sentence saying why not."""
    from desktop_app.core.training.importance import column_blocks
    from desktop_app.core.training.pipeline import estimator_of

    estimator = estimator_of(pipeline)
    if not (is_tree_model(estimator) or is_linear_model(estimator)):
        return (f"Per-row explanations are made for linear and tree models; this one is "
                f"{type(estimator).__name__}, so only its global importance is shown.")
    if column_blocks(pipeline) is None:
        return "This model's preparation steps cannot be traced column by column, so it is not explained per row."
    if is_tree_model(estimator):
        from desktop_app.core.explain.trees import MAX_SECONDS, NODES_PER_SECOND, node_count

        nodes = node_count(estimator)
        if nodes / NODES_PER_SECOND > MAX_SECONDS:
            return (f"This model's trees have {nodes:,} nodes: explaining its rows one by one would take about "
                    f"{nodes / NODES_PER_SECOND / 60:.0f} minutes here, so only its global importance is shown; a "
                    "forest trained with a smaller max_depth (e.g. 10) or fewer trees can be explained.")
    return None


def explain_rows(pipeline: Any, X: pd.DataFrame, background: pd.DataFrame, positive: Any = None,
                 progress: ProgressCallback = no_progress) -> Explanation:
    """Contributions of every input column to the pipeline's raw output for each row of `X`; `background`
    (training rows) is what a linear model's contributions are measured from."""
    from desktop_app.core.training.importance import column_blocks
    from desktop_app.core.training.pipeline import estimator_of

    why_not = can_explain(pipeline)
    if why_not is not None:
        raise ExplainError(why_not)
    estimator = estimator_of(pipeline)
    blocks = column_blocks(pipeline)
    assert blocks is not None
    preparation = pipeline[:-1]
    Z = _dense(preparation.transform(X))
    classes = list(getattr(estimator, "classes_", []))
    if len(classes) > 2:
        predicted = np.asarray(estimator.predict(Z))
        wanted = [classes.index(value) for value in predicted]
    else:
        wanted = [0] * len(Z)
    base_values, outputs, phi = np.zeros(len(Z)), np.zeros(len(Z)), np.zeros(Z.shape)
    linear = is_linear_model(estimator)
    if linear and len(background) == 0:
        raise ValueError("a linear model's contributions are measured from training rows: give some as background")
    background_Z = _dense(preparation.transform(background)) if linear else np.zeros((0, Z.shape[1]))
    for output in sorted(set(wanted)):
        rows = np.flatnonzero(np.asarray(wanted) == output)
        column = output if len(classes) > 2 else (1 if len(classes) == 2 and not _one_score(estimator) else 0)
        if linear:
            base, out, contrib = linear_contributions(estimator, Z[rows], background_Z, column)
        else:
            base, out, contrib = tree_contributions(estimator, Z[rows], column, progress)
        base_values[rows], outputs[rows], phi[rows] = base, out, contrib
    flip = len(classes) == 2 and positive is not None and _plain(positive) == _plain(classes[0])
    space = _space(estimator, len(classes))
    if flip:   # explained for the first class: log-odds change sign, a probability is one minus the other's
        phi = -phi
        base_values, outputs = (1 - base_values, 1 - outputs) if space == "probability" else (-base_values, -outputs)
    _check(estimator, Z, wanted, outputs, base_values, phi, flip, space)
    features = tuple(blocks)
    summed = np.column_stack([phi[:, start:stop].sum(axis=1) for start, stop in blocks.values()]) if blocks else \
        np.zeros((len(Z), 0))
    explained = [classes[w] for w in wanted] if len(classes) > 2 else \
        ([classes[0] if flip else classes[-1]] * len(Z) if classes else [])
    return Explanation(features=features, base_values=base_values, output_space=space,
                       outputs=outputs, contributions=summed, classes=tuple(_plain(c) for c in explained))


def _one_score(estimator: Any) -> bool:
    """Whether a binary classifier has one raw score (for its second class) rather than one per class."""
    return is_linear_model(estimator) or type(estimator).__name__.startswith("HistGradientBoosting")


def _space(estimator: Any, n_classes: int) -> str:
    if not n_classes:
        return "value"
    if is_linear_model(estimator) or type(estimator).__name__.startswith("HistGradientBoosting"):
        return "log_odds" if n_classes == 2 else "raw_score"
    return "probability"


def _check(estimator: Any, Z: np.ndarray, wanted: list[int], outputs: np.ndarray, base: np.ndarray,
           phi: np.ndarray, flip: bool, space: str) -> None:
    """The contributions add up to the outputs, and the outputs are the model's own."""
    if len(Z) == 0:
        return
    if not np.allclose(base + phi.sum(axis=1), outputs, rtol=0, atol=TOLERANCE * max(1.0, np.abs(outputs).max())):
        raise AssertionError("the contributions do not add up to the model's output")
    if space == "value":
        own = np.asarray(estimator.predict(Z), dtype=float)
    elif space == "probability":
        own = np.asarray(estimator.predict_proba(Z), dtype=float)[np.arange(len(Z)), np.asarray(wanted) if len(
            estimator.classes_) > 2 else 1]
        own = 1 - own if flip else own
    else:
        scores = np.asarray(estimator.decision_function(Z), dtype=float)
        own = scores[np.arange(len(Z)), wanted] if scores.ndim == 2 else (-scores if flip else scores)
    if not np.allclose(own, outputs, rtol=1e-9, atol=TOLERANCE):
        raise AssertionError("the explained outputs are not the model's own")


def _dense(matrix: Any) -> np.ndarray:
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
