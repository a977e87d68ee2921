"""What a pipeline is: the steps an analyst clicked through once, saved so they run again on new data.

    import → fix → check → drift → score → train → promote → export

A definition names its source (a file, or a folder pattern whose newest match is taken, with the
read settings and column kinds it was imported with), the recipe of fixes to replay, the quality
gate, the drift check against the model in production, the batch scoring, the training specs
(the champion's first, challengers after), the promotion rule and the export. Each section is
optional: a step runs only when its section is there (`steps()`), so "score and watch a new
batch" is the same kind of thing as "monthly retrain".

Definitions are plain data (`to_dict` / `from_dict`), kept as a versioned setting of the project
(`pipelines.store`) and written as TOML for review (`pipelines.toml_file`). `from_dict` refuses
what could not run with one sentence naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

from desktop_app.core.pipelines.errors import PipelineDefinitionError

STEPS = ("import", "fix", "check", "drift", "score", "train", "promote", "export")
STEP_TITLES = {"import": "Import", "fix": "Fix", "check": "Check", "drift": "Drift", "score": "Score",
               "train": "Train", "promote": "Promote", "export": "Export"}
FAIL_ON_QUALITY = ("error", "warning", "never")
FAIL_ON_DRIFT = ("dataset", "column", "any")
# The RunSpec fields a training spec may hold (the dataset comes from the pipeline's own import).
T = TypeVar("T")
SPEC_FIELDS = ("algorithm", "target", "params", "task", "test_size", "seed", "cv_folds", "class_weight",
               "positive_label", "time_column", "tune_threshold", "search", "trials", "time_budget_seconds",
               "cluster")


@dataclass(frozen=True)
class Source:
    path: str                                   # a file, or a pattern such as /data/heart-*.csv (newest match);
                                                # empty: each run is given its file (--input)
    dataset: str                                # the dataset each file becomes a version of
    read_settings: dict[str, Any] = field(default_factory=dict)   # ReadSettings.to_dict(); empty: detect
    kinds: dict[str, str] = field(default_factory=dict)           # column → kind, as first imported


@dataclass(frozen=True)
class QualityGate:
    target: str | None = None
    fail_on: str = "error"                      # stop when findings this severe (or worse) exist, or never
    thresholds: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DriftCheck:
    model: str                                  # MODEL@ALIAS or MODEL@N the new rows are compared with
    fail_on: str = "dataset"                    # as `mldesk drift --fail-on`


@dataclass(frozen=True)
class Scoring:
    model: str                                  # MODEL@ALIAS or MODEL@N that scores the new rows
    folder: str = ""                            # where the scored file goes; empty: the project's exports/


@dataclass(frozen=True)
class Training:
    specs: tuple[dict[str, Any], ...]           # the champion's spec first, then challengers
    experiment: str = "Pipelines"
    select_by: str | None = None                # the metric that picks the best spec; None: the rule's metric


@dataclass(frozen=True)
class Promotion:
    model: str
    alias: str = "production"
    require: tuple[str, ...] = ()               # KPI rules beyond the model's own gate, e.g. recall>=0.7
    beat_metric: str | None = None              # must beat the alias holder on the same held-out rows…
    beat_by: float = 0.0                        # …by at least this much (None metric: no comparison)
    move_alias: bool = True                     # False: register as a candidate awaiting approval


@dataclass(frozen=True)
class Export:
    folder: str = ""                            # empty: the project's exports/
    zip: bool = False


@dataclass(frozen=True)
class PipelineDefinition:
    name: str
    source: Source
    description: str = ""
    recipe: tuple[dict[str, Any], ...] = ()
    quality: QualityGate | None = None
    drift: DriftCheck | None = None
    scoring: Scoring | None = None
    training: Training | None = None
    promotion: Promotion | None = None
    export: Export | None = None

    def steps(self) -> tuple[str, ...]:
        """The steps this definition runs, in order."""
        present = {"import": True, "fix": bool(self.recipe), "check": self.quality is not None,
                   "drift": self.drift is not None, "score": self.scoring is not None,
                   "train": self.training is not None, "promote": self.promotion is not None,
                   "export": self.export is not None}
        return tuple(step for step in STEPS if present[step])

    def with_changes(self, **changes: Any) -> PipelineDefinition:
        return from_dict({**to_dict(self), **changes})


def to_dict(definition: PipelineDefinition) -> dict[str, Any]:
    """Plain data (JSON and TOML ready); absent sections are left out."""
    document: dict[str, Any] = {"name": definition.name, "description": definition.description,
                                "source": _plain(definition.source)}
    if definition.recipe:
        document["recipe"] = [dict(step) for step in definition.recipe]
    for section in ("quality", "drift", "scoring", "training", "promotion", "export"):
        value = getattr(definition, section)
        if value is not None:
            document[section] = _plain(value)
    return document


def from_dict(data: dict[str, Any]) -> PipelineDefinition:
    """A definition from plain data, checked: what could not run is refused with the field it is about."""
    if not isinstance(data, dict):
        raise PipelineDefinitionError("A pipeline definition must be a table of sections (source, training, …).")
    unknown = set(data) - {"name", "description", "source", "recipe", "quality", "drift", "scoring", "training",
                           "promotion", "export"}
    if unknown:
        raise PipelineDefinitionError(f"A pipeline definition has no section {', '.join(sorted(unknown))}; "
                                      "its sections are source, recipe, quality, drift, scoring, training, "
                                      "promotion and export.")
    name = _text(data.get("name"), "name")
    source = _section(Source, data.get("source"), "source", required=True)
    if not isinstance(source.path, str):
        raise PipelineDefinitionError("source.path must be a file or a pattern such as /data/heart-*.csv.")
    _text(source.dataset, "source.dataset")
    recipe = data.get("recipe") or ()
    if not isinstance(recipe, list | tuple) or not all(isinstance(step, dict) for step in recipe):
        raise PipelineDefinitionError("recipe must be a list of fix steps, as a dataset version's recipe holds.")
    quality = _section(QualityGate, data.get("quality"), "quality")
    if quality is not None:
        quality = replace(quality, fail_on=quality.fail_on or "never")
        if quality.fail_on not in FAIL_ON_QUALITY:
            raise PipelineDefinitionError(f"quality.fail_on must be error, warning or never, not {quality.fail_on!r}.")
    drift = _section(DriftCheck, data.get("drift"), "drift")
    if drift is not None:
        _model_ref(drift.model, "drift.model")
        if drift.fail_on not in FAIL_ON_DRIFT:
            raise PipelineDefinitionError(f"drift.fail_on must be dataset, column or any, not {drift.fail_on!r}.")
    scoring = _section(Scoring, data.get("scoring"), "scoring")
    if scoring is not None:
        _model_ref(scoring.model, "scoring.model")
    training = _training(data.get("training"))
    promotion = _section(Promotion, data.get("promotion"), "promotion")
    if promotion is not None:
        if training is None:
            raise PipelineDefinitionError("promotion needs a training section: it registers what training made.")
        _text(promotion.model, "promotion.model")
        _text(promotion.alias, "promotion.alias")
        promotion = replace(promotion, require=tuple(promotion.require), beat_by=_number(promotion.beat_by,
                                                                                         "promotion.beat_by"))
    export = _section(Export, data.get("export"), "export")
    if export is not None and promotion is None:
        raise PipelineDefinitionError("export needs a promotion section: it exports the version promotion "
                                      "registers.")
    return PipelineDefinition(
        name=name, description=str(data.get("description") or ""), source=source,
        recipe=tuple(dict(step) for step in recipe), quality=quality, drift=drift, scoring=scoring,
        training=training, promotion=promotion, export=export)


def section(value: T | None) -> T:
    """A definition's section a step needs (a step runs only when its section is there)."""
    if value is None:
        raise PipelineDefinitionError("This pipeline's definition lacks the section this step needs; save it again.")
    return value


def run_spec(spec: dict[str, Any], dataset: str, experiment: str):
    """The RunSpec that trains `spec` on dataset version `dataset`."""
    from desktop_app.core.tracking.entities import RunSpec

    return RunSpec(dataset=dataset, experiment=experiment, **{k: v for k, v in spec.items() if k in SPEC_FIELDS})


def _training(data: Any) -> Training | None:
    training = _section(Training, data, "training")
    if training is None:
        return None
    specs = training.specs
    if not isinstance(specs, list | tuple) or not specs:
        raise PipelineDefinitionError("training.specs must list at least one spec (the champion's).")
    checked = []
    for i, spec in enumerate(specs, start=1):
        where = f"training spec {i}"
        if not isinstance(spec, dict):
            raise PipelineDefinitionError(f"{where} must be a table of settings (algorithm, target, …).")
        unknown = set(spec) - set(SPEC_FIELDS)
        if unknown:
            raise PipelineDefinitionError(f"{where} has no setting {', '.join(sorted(unknown))}; its settings "
                                          f"are {', '.join(SPEC_FIELDS)}.")
        _text(spec.get("algorithm"), f"{where}'s algorithm")
        _text(spec.get("target"), f"{where}'s target")
        checked.append({k: v for k, v in spec.items() if v is not None})
    return replace(training, specs=tuple(checked))


def _section(cls, data: Any, name: str, required: bool = False):
    if data is None:
        if required:
            raise PipelineDefinitionError(f"A pipeline definition needs a {name} section.")
        return None
    if not isinstance(data, dict):
        raise PipelineDefinitionError(f"{name} must be a table of settings.")
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise PipelineDefinitionError(f"{name} has no setting {', '.join(sorted(unknown))}; its settings are "
                                      f"{', '.join(sorted(known))}.")
    try:
        return cls(**data)
    except TypeError:
        missing = [f.name for f in fields(cls) if f.name not in data and f.default is f.default_factory]
        raise PipelineDefinitionError(f"{name} needs {', '.join(missing) or 'more settings'}.") from None


def _plain(value: Any) -> dict[str, Any]:
    document = {}
    for f in fields(value):
        item = getattr(value, f.name)
        if item is None:
            continue  # TOML has no null: an absent setting takes its default
        document[f.name] = [dict(x) if isinstance(x, dict) else x for x in item] if isinstance(item, tuple) else item
    return document


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PipelineDefinitionError(f"{what} must be given (a non-empty text).")
    return value.strip()


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PipelineDefinitionError(f"{what} must be a number, not {value!r}.")
    return float(value)


def _model_ref(value: Any, what: str) -> None:
    text = _text(value, what)
    if "@" not in text:
        raise PipelineDefinitionError(f"{what} must name a model and an alias or version, e.g. heart-risk@production, "
                                      f"not {text!r}.")
