"""Definitions written for the user: from what they already did, or from one of two templates.

`from_lineage` reads a registered version's lineage — the file it was imported from (with its read
settings and column kinds), the fixes that made the version it was trained on, the run's spec — and
writes the pipeline that would reproduce it on next month's file, behind the same gates: quality
errors stop it, dataset drift against the alias holder stops it, and the new model must beat the
holder on the same held-out rows to take the alias. The templates are the two shapes teams start
from: "monthly retrain" and "score and watch a new batch".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.core.pipelines.definition import (
    SPEC_FIELDS,
    DriftCheck,
    Export,
    PipelineDefinition,
    Promotion,
    QualityGate,
    Scoring,
    Source,
    Training,
)

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.registry.entities import Lineage
    from desktop_app.core.tracking.entities import RunInfo

TEMPLATES = {
    "monthly-retrain": "Import next month's file, check it, stop on drift, retrain, promote if it beats production, "
                       "export the bundle",
    "score-and-watch": "Import a new batch, stop on drift against production, score it with production",
}
# The metric a new model must beat the alias holder on, by task: the first of these the run has.
BEAT_METRICS = ("roc_auc", "roc_auc_ovr", "balanced_accuracy", "r2")


def from_lineage(name: str, lineage: Lineage, imported: DatasetVersionInfo, run: RunInfo, *, alias: str,
                 input_path: str | None = None) -> PipelineDefinition:
    """The pipeline that reproduces `lineage`'s version on a new file (see the module doc)."""
    version = lineage.version
    recipe = lineage.dataset_chain[-1].get("recipe") or []
    spec = {"algorithm": run.algorithm, "target": run.target, "params": dict(run.params), "seed": run.seed,
            **{k: v for k, v in run.options.items() if k in SPEC_FIELDS}}
    beat = next((m for m in BEAT_METRICS if run.metrics.get(m) is not None), None)
    return PipelineDefinition(
        name=name,
        description=f"Reproduces {version.label} ({run.algorithm} on {lineage.dataset_label} → {run.target}) on a "
                    "new file.",
        source=source_of(imported, input_path),
        recipe=tuple(dict(step) for step in recipe),
        quality=QualityGate(target=run.target, fail_on="error"),
        drift=DriftCheck(model=f"{version.model_name}@{alias}", fail_on="dataset"),
        training=Training(specs=(_without_none(spec),), experiment=lineage.experiment or "Pipelines"),
        promotion=Promotion(model=version.model_name, alias=alias, beat_metric=beat, beat_by=0.0),
        export=Export(),
    )


def monthly_retrain(name: str, *, source: Source, target: str, algorithm: str, model: str,
                    alias: str = "production", beat_metric: str | None = "roc_auc") -> PipelineDefinition:
    return PipelineDefinition(
        name=name, description=TEMPLATES["monthly-retrain"], source=source,
        quality=QualityGate(target=target, fail_on="error"),
        drift=DriftCheck(model=f"{model}@{alias}", fail_on="dataset"),
        training=Training(specs=({"algorithm": algorithm, "target": target},)),
        promotion=Promotion(model=model, alias=alias, beat_metric=beat_metric),
        export=Export(),
    )


def score_and_watch(name: str, *, source: Source, model: str, alias: str = "production") -> PipelineDefinition:
    return PipelineDefinition(
        name=name, description=TEMPLATES["score-and-watch"], source=source,
        drift=DriftCheck(model=f"{model}@{alias}", fail_on="dataset"),
        scoring=Scoring(model=f"{model}@{alias}"),
    )


def source_of(imported: DatasetVersionInfo, input_path: str | None) -> Source:
    """Where new files come from and how to read them: as `imported` was read (the same settings and kinds)."""
    settings = imported.read_settings.to_dict() if imported.read_settings is not None else {}
    return Source(path=input_path or "", dataset=imported.dataset_name, read_settings=_without_none(settings),
                  kinds={c.name: str(c.kind) for c in imported.columns})


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
