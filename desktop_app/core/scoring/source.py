"""Which model to use: a registered model version or a run, resolved from what the caller holds.

`resolve(runs, registry, ref)` accepts a ModelVersion, a RunInfo, or text: a registry reference
(`churn`, `churn@2`, `churn@production`, a version id) or, when no model has that name, a
run id or unique prefix. Everything downstream (scoring, bundles) works from the `ModelSource`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from desktop_app.core.errors import NotFoundError
from desktop_app.core.registry.entities import ModelVersion
from desktop_app.core.tracking.entities import RunInfo

if TYPE_CHECKING:
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.core.tracking.service import RunService


@dataclass(frozen=True)
class ModelSource:
    run: RunInfo
    version: ModelVersion | None = None   # None when scoring/exporting a run directly

    @property
    def model_sha256(self) -> str:
        if self.run.model_sha256 is None:
            raise NotFoundError(f"Run {self.run.short_id} has no model (its status is {self.run.status}).")
        return self.run.model_sha256

    @property
    def label(self) -> str:
        """`churn@2`, or `run 1a2b3c4d`."""
        return self.version.label if self.version is not None else f"run {self.run.short_id}"

    @property
    def name(self) -> str:
        return self.version.model_name if self.version is not None else f"run-{self.run.short_id}"

    @property
    def number(self) -> int | None:
        return self.version.number if self.version is not None else None

    @property
    def file_stem(self) -> str:
        """A file-system-safe name: `churn-v2`, or `run-1a2b3c4d`."""
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", self.name).strip("-.") or "model"
        return f"{stem}-v{self.number}" if self.number is not None else stem

    @property
    def entity(self) -> tuple[str, str]:
        """(entity type, id) for audit events."""
        return ("model_version", self.version.id) if self.version is not None else ("run", self.run.id)


# What a caller may name a model by: a reference (`churn`, `churn@2`, `churn@production`, a version id,
# a run id or prefix) or an object it already holds.
ModelRef: TypeAlias = "str | ModelVersion | RunInfo | ModelSource"


def resolve(runs: RunService, registry: RegistryService, ref: ModelRef) -> ModelSource:
    """The model behind `ref` (ModelSource, ModelVersion, RunInfo or text reference)."""
    if isinstance(ref, ModelSource):
        return ref
    if isinstance(ref, RunInfo):
        return ModelSource(ref)
    if isinstance(ref, ModelVersion):
        return ModelSource(runs.get(ref.run_id), ref)
    if not isinstance(ref, str) or not ref.strip():
        raise NotFoundError("Name a model (name, name@version, name@alias) or a run id to use.")
    try:
        version = registry.resolve(ref)
    except NotFoundError:
        try:
            return ModelSource(runs.get(ref))
        except NotFoundError:
            pass
        raise
    return ModelSource(runs.get(version.run_id), version)


def load_pipeline(runs: RunService, source: ModelSource) -> Any:
    """The fitted pipeline, verified against its hash and loaded with the app's allow-list.

    A version's model is its run's model (same hash), so the run's loader serves both.
    """
    return runs.load_model(source.run)
