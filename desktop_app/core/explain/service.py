"""Explaining a registered model version on rows of a file: what `mldesk explain` and the window call.

    result = project.explain.explain("heart-risk@production", "patients.csv", rows=10)
    result.explanation.row(0)   # {"output": 1.73, "contributions": {"age": 0.94, …}, "class": "Yes"}
    result.importance           # the version's permutation importance on its held-out rows (from its run)

The rows are checked against the model's signature first, as scoring checks them (`scoring.validation`):
a file the model cannot read is refused in the same words, rows with errors are left out and counted.
A linear model's contributions are measured from the training rows' seeded sample that the drift
reference keeps (`monitor.reference`: computed once per version and stored); tree models need none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.progress import ProgressCallback, no_progress, scaled

if TYPE_CHECKING:   # pandas and numpy are imported when something is explained, not when a project opens
    import pandas as pd

    from desktop_app.core.explain.contributions import Explanation
    from desktop_app.core.registry.entities import ModelVersion

BACKGROUND_ROWS = 1000   # training rows a linear model's contributions are measured from (their mean)
REASON_CHUNK = 20_000    # rows explained at once when reasons are added to a whole scored file


@dataclass(frozen=True)
class ExplainResult:
    model: str                          # e.g. heart-risk@3
    explanation: Explanation
    importance: dict[str, float]        # permutation importance (mean drop of the score) per input column
    importance_spread: dict[str, float] = field(default_factory=dict)   # its standard deviation over repeats
    importance_metric: str | None = None
    rows_left_out: int = 0              # rows with errors the model cannot read (not explained)

    def to_dict(self) -> dict[str, Any]:
        e = self.explanation
        # a multi-class model's base value is its class's: each row says its own ("base_value" in the row)
        return {"model": self.model, "base_value": e.base_value, "output_space": e.output_space,
                "rows": [e.row(i) for i in range(len(e.outputs))], "importance": dict(self.importance),
                "importance_spread": dict(self.importance_spread), "importance_metric": self.importance_metric,
                "rows_left_out": self.rows_left_out}


class ExplainService:
    def __init__(self, runs, registry, scoring, monitor) -> None:
        self._runs = runs
        self._registry = registry
        self._scoring = scoring
        self._monitor = monitor

    def explain(self, ref: str | ModelVersion, path_or_frame: str | os.PathLike | pd.DataFrame,
                rows: int | None = None, progress: ProgressCallback = no_progress) -> ExplainResult:
        """Contributions of every input column for the first `rows` readable rows (all when None)."""
        import pandas as pd

        from desktop_app.core.explain.contributions import ExplainError, can_explain, explain_rows
        from desktop_app.core.scoring.errors import ScoringError
        from desktop_app.core.scoring.files import read_rows

        version = self._registry.resolve(ref)
        progress(0.0, f"Loading {version.label}")
        pipeline = self._registry.load_model(version)
        why_not = can_explain(pipeline)
        if why_not is not None:
            raise ExplainError(why_not)
        frame = path_or_frame if isinstance(path_or_frame, pd.DataFrame) else read_rows(
            Path(path_or_frame), scaled(progress, 0.05, 0.3))
        report = self._scoring.validate(version, frame, scaled(progress, 0.3, 0.4))
        if report.fatal and report.scorable_rows == 0:
            raise ScoringError(f"None of the rows can be explained: {report.summary()}", report)
        keep = report.scorable
        readable = frame.loc[keep].reset_index(drop=True)
        if rows is not None:
            readable = readable.head(rows)
        run = self._runs.get(version.run_id)
        background = self._background(version, pipeline, scaled(progress, 0.45, 0.7))
        progress(0.75, f"Explaining {len(readable):,} rows")
        explanation = explain_rows(pipeline, readable, background, positive=run.summary.get("positive_label"),
                                   progress=scaled(progress, 0.75, 0.98))
        importance = {str(name): float(mean) for name, mean, _ in run.summary.get("feature_importance") or []}
        spread = {str(name): float(std) for name, _, std in run.summary.get("feature_importance") or []}
        progress(1.0, "Explained")
        return ExplainResult(model=version.label, explanation=explanation, importance=importance,
                             importance_spread=spread, importance_metric=run.summary.get("importance_metric"),
                             rows_left_out=int((~keep).sum()))

    def reasons(self, ref: str | ModelVersion, frame: pd.DataFrame, count: int = 3,
                progress: ProgressCallback = no_progress) -> pd.DataFrame:
        """Columns reason_1 … reason_`count` for the rows of `frame` (rows the model scored): the input columns
        that moved each row's output most, e.g. "age +0.94" (its contribution, in the output's units)."""
        import numpy as np
        import pandas as pd

        from desktop_app.core.explain.contributions import ExplainError, can_explain, explain_rows

        version = self._registry.resolve(ref)
        pipeline = self._registry.load_model(version)
        why_not = can_explain(pipeline)
        if why_not is not None:
            raise ExplainError(why_not)
        run = self._runs.get(version.run_id)
        background = self._background(version, pipeline)
        columns: list[list[str]] = [[] for _ in range(count)]
        for start in range(0, len(frame), REASON_CHUNK):
            stop = min(len(frame), start + REASON_CHUNK)
            progress(start / max(1, len(frame)), f"Explaining rows {start + 1:,}–{stop:,}")
            part = explain_rows(pipeline, frame.iloc[start:start + REASON_CHUNK], background,
                                positive=run.summary.get("positive_label"))
            order = np.argsort(-np.abs(part.contributions), axis=1, kind="stable")[:, :count]
            for k in range(min(count, len(part.features))):
                picked = order[:, k]
                values = part.contributions[np.arange(len(picked)), picked]
                columns[k].extend(f"{part.features[j]} {v:+.3g}" for j, v in zip(picked, values))
        progress(1.0, "Explained")
        return pd.DataFrame({f"reason_{k + 1}": columns[k] for k in range(count) if columns[k] or not len(frame)},
                            index=frame.index)

    def _background(self, version: ModelVersion, pipeline: Any,
                    progress: ProgressCallback = no_progress) -> pd.DataFrame:
        """The training rows a linear model's contributions are measured from (none for a tree model)."""
        import pandas as pd

        from desktop_app.core.explain.linear import is_linear_model
        from desktop_app.core.training.pipeline import estimator_of

        if not is_linear_model(estimator_of(pipeline)):
            return pd.DataFrame()
        progress(0.0, f"Reading the training rows of {version.label}")
        return self._monitor.load_reference(version, progress).sample.head(BACKGROUND_ROWS)

    def dependence(self, ref: str | ModelVersion, features: list[str] | None = None, count: int = 4,
                   progress: ProgressCallback = no_progress) -> dict[str, dict[str, Any]]:
        """Partial dependence and ICE curves (`explain.dependence`) of `features` — by default the `count` most
        important — on a seeded sample of the version's training rows (the drift reference's sample)."""
        from desktop_app.core.explain.dependence import dependence

        version = self._registry.resolve(ref)
        pipeline = self._registry.load_model(version)
        run = self._runs.get(version.run_id)
        if features is None:
            ranked = sorted(run.summary.get("feature_importance") or [], key=lambda item: -item[1])
            features = [str(name) for name, _, _ in ranked[:count]]
        progress(0.1, f"Reading the training rows of {version.label}")
        sample = self._monitor.load_reference(version, scaled(progress, 0.1, 0.5)).sample
        progress(0.5, f"Curves of {', '.join(features)}")
        return dependence(pipeline, sample, features, positive=run.summary.get("positive_label"))

    def run_dependence(self, run_ref: str, features: list[str] | None = None, count: int = 3,
                       progress: ProgressCallback = no_progress) -> dict[str, dict[str, Any]]:
        """`dependence` of a run not registered (the Compare step): on its own training rows, re-created."""
        from desktop_app.core.explain.dependence import dependence

        run = self._runs.get(run_ref)
        if features is None:
            ranked = sorted(run.summary.get("feature_importance") or [], key=lambda item: -item[1])
            features = [str(name) for name, _, _ in ranked[:count]]
        progress(0.1, f"Re-creating the training rows of run {run.short_id}")
        prep = self._runs.prepared(run, scaled(progress, 0.1, 0.6))
        progress(0.6, f"Curves of {', '.join(features)}")
        return dependence(self._runs.load_model(run), prep.X.iloc[prep.train], features,
                          positive=run.summary.get("positive_label"))

