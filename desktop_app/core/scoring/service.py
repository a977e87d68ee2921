"""Batch scoring with a registered model version (or a run); reached as `project.scoring`.

    result = project.scoring.score_file("churn@production", "new.csv", out=Path("scored.csv"),
                                        only_valid=False, progress=cb, cancel=token)
    result.output          # row, the input columns, prediction (+ proba_<class> per class), flags
    result.report          # the ValidationReport the rows were checked with

The rows are validated against the model's input signature first. Fatal problems (a missing
column, text in a number column, …) stop scoring with a ScoringError carrying the report,
unless `only_valid`: then the rows with an error are left out of the output — not kept with
an empty prediction — and counted in `rows_left_out`. Rows with warnings only (new
categories, numbers out of range) are always scored, and their `flags` column says why they
deserve a second look (`rows_flagged`). The output's columns are scoring.output's, for the
window and `mldesk predict` alike.

Long work (reading, predicting in chunks of CHUNK_ROWS, writing) reports progress and honours
cancel between steps and chunks; the window calls this from a worker thread. The fitted
pipeline and the signature of the last models used are kept in memory (keyed by hashes).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.progress import CancelToken, ProgressCallback, no_progress, scaled
from desktop_app.core.scoring.errors import ScoringError
from desktop_app.core.scoring.signature import InputSignature
from desktop_app.core.scoring.source import ModelRef, ModelSource, load_pipeline, resolve

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.core.scoring.validation import ValidationReport
    from desktop_app.core.tracking.service import RunService

CACHED_MODELS = 3


@dataclass(frozen=True)
class ScoringResult:
    model: str                       # "churn@2" or "run 1a2b3c4d"
    run_id: str
    rows_in: int
    rows_scored: int
    rows_left_out: int               # rows with an error, left out with only_valid
    report: ValidationReport
    output: pd.DataFrame = field(repr=False)   # row, input columns, prediction (+ probabilities), flags
    classes: list[Any] | None = None
    out_path: Path | None = None
    seconds: float = 0.0
    prediction_columns: tuple[str, ...] = ()   # prediction and proba_<class> as named in `output`
    rows_flagged: int = 0            # scored rows with a warning (their `flags` cell says why)
    id_columns: tuple[str, ...] = ()   # the input's id columns, right after `row` in `output`

    @property
    def left_out_examples(self) -> list[int]:
        """Positions (0-based, in the input) of the first rows left out."""
        import numpy as np

        return [int(i) for i in np.flatnonzero(~self.report.scorable)[:10]] if self.rows_left_out else []

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "run_id": self.run_id, "rows_in": self.rows_in,
                "rows_scored": self.rows_scored, "rows_left_out": self.rows_left_out,
                "rows_flagged": self.rows_flagged,
                "left_out_examples": self.left_out_examples, "classes": self.classes,
                "out": str(self.out_path) if self.out_path is not None else None,
                "seconds": round(self.seconds, 3), "validation": self.report.to_dict()}


class ScoringService:
    def __init__(self, datasets: DatasetService, runs: RunService, registry: RegistryService) -> None:
        self._datasets = datasets
        self._runs = runs
        self._registry = registry
        self._lock = threading.Lock()
        self._pipelines: OrderedDict[str, Any] = OrderedDict()
        self._signatures: OrderedDict[tuple[str, str], InputSignature] = OrderedDict()

    # -- the model --------------------------------------------------------------------------------

    def source(self, ref: ModelRef) -> ModelSource:
        """The model behind a reference: `name`, `name@N`, `name@alias`, a run id, a ModelVersion or a RunInfo."""
        return resolve(self._runs, self._registry, ref)

    def pipeline(self, ref: ModelRef) -> Any:
        """The fitted pipeline (verified and loaded with the app's allow-list; kept for the next call)."""
        source = self.source(ref)
        key = source.model_sha256
        with self._lock:
            if key in self._pipelines:
                self._pipelines.move_to_end(key)
                return self._pipelines[key]
        pipeline = load_pipeline(self._runs, source)
        with self._lock:
            self._pipelines[key] = pipeline
            while len(self._pipelines) > CACHED_MODELS:
                self._pipelines.popitem(last=False)
        return pipeline

    def signature(self, ref: ModelRef, progress: ProgressCallback = no_progress) -> InputSignature:
        """What the model takes: columns in order, kinds, ranges and categories seen in training."""
        from desktop_app.core.scoring.predict import classes_of
        from desktop_app.core.scoring.signature import build_signature, model_columns, required_columns

        source = self.source(ref)
        run = source.run
        key = (source.model_sha256, run.dataset_sha256)
        with self._lock:
            if key in self._signatures:
                return self._signatures[key]
        pipeline = self.pipeline(source)
        version = self._datasets.get_version(run.dataset_version_id)
        needed = required_columns(*model_columns(pipeline))
        table = self._datasets.load_table(version, progress, columns=[c for c in needed if c in version.kinds])
        classes = run.summary.get("classes") or classes_of(pipeline)
        signature = build_signature(pipeline, table, version.kinds, target=run.target, task=run.task, classes=classes,
                                    dataset_label=version.label, dataset_sha256=version.sha256)
        with self._lock:
            self._signatures[key] = signature
            while len(self._signatures) > CACHED_MODELS:
                self._signatures.popitem(last=False)
        return signature

    # -- validation -------------------------------------------------------------------------------

    def validate(self, ref: ModelRef, frame: pd.DataFrame,
                 progress: ProgressCallback = no_progress) -> ValidationReport:
        """`frame` checked against the model's signature (see scoring.validation)."""
        from desktop_app.core.scoring.output import id_columns
        from desktop_app.core.scoring.validation import validate

        source = self.source(ref)
        signature = self.signature(source)
        kinds = self._datasets.get_version(source.run.dataset_version_id).kinds
        return validate(signature, frame, progress, ids=id_columns(frame, signature, kinds))

    def validate_file(self, ref: ModelRef, path: str | os.PathLike, progress: ProgressCallback = no_progress,
                      cancel: CancelToken | None = None) -> ValidationReport:
        from desktop_app.core.scoring.files import read_rows

        progress = cancel.wrap(progress) if cancel is not None else progress
        frame = read_rows(path, scaled(progress, 0.0, 0.8))
        report = self.validate(ref, frame, scaled(progress, 0.8, 1.0))
        progress(1.0, report.summary())
        return report

    # -- scoring ----------------------------------------------------------------------------------

    def score_frame(self, ref: ModelRef, frame: pd.DataFrame, *, only_valid: bool = False,
                    progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> ScoringResult:
        """Validate then score `frame`; see the module's docstring for what happens to rows with problems."""
        progress = cancel.wrap(progress) if cancel is not None else progress
        started = time.perf_counter()
        source = self.source(ref)
        progress(0.0, f"Checking the rows against {source.label}")
        report = self.validate(source, frame, scaled(progress, 0.0, 0.1))
        rows = frame.reset_index(drop=True)
        if report.fatal and not only_valid:
            raise ScoringError(_refusal(report), report)
        if report.fatal and report.scorable_rows == 0:
            raise ScoringError(_nothing_valid(report), report)
        return self._score(source, rows, report, scaled(progress, 0.1, 1.0), started)

    def score_file(self, ref: ModelRef, path: str | os.PathLike, *, out: str | os.PathLike | None = None,
                   only_valid: bool = False, progress: ProgressCallback = no_progress,
                   cancel: CancelToken | None = None) -> ScoringResult:
        """Read a CSV/Excel/Parquet file, score it, and write the result to `out` (.csv, .parquet, .xlsx) if given."""
        from desktop_app.core.scoring.files import output_format, read_rows, write_rows

        progress = cancel.wrap(progress) if cancel is not None else progress
        if out is not None:
            output_format(out)  # refuse an unknown suffix before any work
        started = time.perf_counter()
        source = self.source(ref)
        frame = read_rows(path, scaled(progress, 0.0, 0.3))
        result = self.score_frame(source, frame, only_valid=only_valid, progress=scaled(progress, 0.3, 0.85))
        if out is None:
            progress(1.0, f"Scored {result.rows_scored:,} rows")
            return result
        written = write_rows(result.output, out, scaled(progress, 0.85, 1.0))
        return _replace(result, out_path=written, seconds=time.perf_counter() - started)

    def _score(self, source: ModelSource, rows: pd.DataFrame, report: ValidationReport,
               progress: ProgressCallback, started: float) -> ScoringResult:
        """Score the rows no error touched (all of them when there is no error) and assemble the output."""
        import numpy as np

        from desktop_app.core.scoring.output import assemble, id_columns, row_flags
        from desktop_app.core.scoring.predict import classes_of, predict_frame

        pipeline = self.pipeline(source)
        keep = report.scorable
        flags = row_flags(report, rows)[keep]
        numbers = np.flatnonzero(keep) + 1   # as a spreadsheet numbers the input's rows
        if not keep.all():
            rows = rows.loc[keep].reset_index(drop=True)
        kinds = self._datasets.get_version(source.run.dataset_version_id).kinds
        ids = id_columns(rows, self.signature(source), kinds)
        predictions = predict_frame(pipeline, rows, taken=[str(c) for c in rows.columns], progress=progress)
        output = assemble(rows, numbers, ids, predictions, flags)
        return ScoringResult(
            model=source.label, run_id=source.run.id, rows_in=report.rows, rows_scored=len(output),
            rows_left_out=report.rows - len(output), report=report, output=output, classes=classes_of(pipeline),
            seconds=time.perf_counter() - started, prediction_columns=tuple(str(c) for c in predictions.columns),
            rows_flagged=int(sum(1 for f in flags if f)), id_columns=tuple(ids),
        )


def _refusal(report: ValidationReport) -> str:
    errors = [i for i in report.issues if i.severity == "error"]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    if report.missing_columns or report.scorable_rows == 0:
        return f"These rows cannot be scored: {errors[0].message}{more}"
    return (f"These rows cannot be scored as they are: {errors[0].message}{more} Fix the data, or score only "
            f"the {report.scorable_rows:,} rows that can be scored.")


def _nothing_valid(report: ValidationReport) -> str:
    errors = [i for i in report.issues if i.severity == "error"] or list(report.issues)
    return f"No row can be scored: {errors[0].message}" if errors else "No row can be scored."


def _replace(result: ScoringResult, **changes: Any) -> ScoringResult:
    from dataclasses import replace

    return replace(result, **changes)
