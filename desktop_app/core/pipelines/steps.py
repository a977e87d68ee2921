"""Each step of a pipeline run: the same service calls the window and the CLI make, one after another.

A step gets the run's `Context` and returns its `StepRecord`: what it did in one sentence, what it
made (kind → id) and the result a later run may reuse. Work keyed by its inputs (`key`) that an
earlier run of the pipeline already did to its end is not done again: its record is reused
(import and fixes need no key — the same content makes no new dataset version anyway). A gate that
holds raises `Stop` with the step's record; an error is an `MLDeskError` as anywhere else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.core.errors import Cancelled, NotFoundError
from desktop_app.core.pipelines.definition import PipelineDefinition, run_spec, section
from desktop_app.core.pipelines.entities import StepRecord, StepState
from desktop_app.core.pipelines.errors import PipelineError
from desktop_app.core.progress import ProgressCallback

if TYPE_CHECKING:
    from pathlib import Path as _Path

    from desktop_app.core.bundles.service import BundleService
    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.monitor.service import MonitorService
    from desktop_app.core.quality.service import QualityService
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.core.scoring.service import ScoringService
    from desktop_app.core.store.database import Database
    from desktop_app.core.tracking.service import RunService


class Services(Protocol):
    """What a pipeline's steps call: an open project's services (`Project` has them all)."""

    path: _Path
    db: Database
    datasets: DatasetService
    quality: QualityService
    runs: RunService
    registry: RegistryService
    monitor: MonitorService
    scoring: ScoringService
    bundles: BundleService


class Stop(Exception):
    """A gate stopped the pipeline at this step (exit code 3); `record.detail` says why."""

    def __init__(self, record: StepRecord) -> None:
        super().__init__(record.detail)
        self.record = record


@dataclass
class Context:
    project: Services
    definition: PipelineDefinition
    input_path: Path
    progress: ProgressCallback
    reuse: Callable[[str, str], StepRecord | None]   # (step, key) → an earlier run's record of the same work
    made: dict[str, Any] = field(default_factory=dict)
    outcome: list[str] = field(default_factory=list)  # sentences for the run's outcome, in step order


def work_key(*parts: Any) -> str:
    """The hash of a step's inputs and settings: equal keys mean the same work."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _dataset(ctx: Context) -> str:
    """The dataset version the steps after the fixes work on."""
    return ctx.made.get("fixed_version") or ctx.made["dataset_version"]


def _reused(ctx: Context, step: str, key: str, still_there: Callable[[StepRecord], bool]) -> StepRecord | None:
    earlier = ctx.reuse(step, key)
    if earlier is None or not still_there(earlier):
        return None
    detail = earlier.detail if earlier.detail.startswith("Reused") else f"Reused: {earlier.detail}"
    return replace(earlier, state=StepState.REUSED if earlier.state != StepState.STOPPED else StepState.STOPPED,
                   detail=detail, seconds=None)


def run_import(ctx: Context) -> StepRecord:
    from desktop_app.core.data.detect import detect_settings
    from desktop_app.core.data.settings import ReadSettings

    source, path = ctx.definition.source, ctx.input_path
    settings = detect_settings(path)
    if source.read_settings:
        saved = ReadSettings.from_dict(source.read_settings)
        if saved.format == settings.format:   # the same kind of file as first imported: read it the same way
            settings = saved
    result = ctx.project.datasets.import_file(path, name=source.dataset, settings=settings,
                                              kinds=dict(source.kinds) or None, progress=ctx.progress)
    version = result.version
    ctx.made["dataset_version"] = version.id
    ctx.made["input_sha256"] = version.source_sha256
    if result.created:
        detail = f"Imported {path.name} as {version.label}: {version.rows:,} rows × {version.n_columns} columns."
    else:
        detail = f"Reused {version.label}: {path.name} holds the same rows as when it was imported."
    return StepRecord("import", StepState.DONE if result.created else StepState.REUSED, detail,
                      made={"dataset_version": version.label}, result={"version": version.id})


def run_fix(ctx: Context) -> StepRecord:
    from desktop_app.core.quality.recipe import recipe_from_list

    version = ctx.project.datasets.get_version(ctx.made["dataset_version"])
    steps = recipe_from_list(list(ctx.definition.recipe))
    result = ctx.project.quality.apply_fixes(version, steps, ctx.progress)
    fixed = result.version
    ctx.made["fixed_version"] = fixed.id
    verb = "Made" if result.created else "Reused"
    return StepRecord("fix", StepState.DONE if result.created else StepState.REUSED,
                      f"{verb} {fixed.label} from {version.label} with {len(steps)} fix(es): "
                      f"{fixed.rows:,} rows × {fixed.n_columns} columns.",
                      made={"dataset_version": fixed.label}, result={"version": fixed.id})


def run_check(ctx: Context) -> StepRecord:
    from desktop_app.core.quality.thresholds import Thresholds

    gate = section(ctx.definition.quality)
    version_id = _dataset(ctx)
    key = work_key("check", version_id, gate.target, gate.thresholds)
    record = _reused(ctx, "check", key, lambda r: True)
    if record is None:
        thresholds = Thresholds().with_changes(**gate.thresholds) if gate.thresholds else None
        stored = ctx.project.quality.check(version_id, target=gate.target, thresholds=thresholds,
                                           progress=ctx.progress)
        summary = stored.report.summary()
        worst = [f"{f.check}" + (f" on {f.column}" if f.column else "") for f in stored.report.findings
                 if f.severity in ("error", "warning")][:5]
        record = StepRecord("check", StepState.DONE, f"{stored.version.label}: {summary['text']}.",
                            made={"quality_report": stored.id},
                            result={"report": stored.id, "errors": summary["errors"],
                                    "warnings": summary["warnings"], "worst": worst}, key=key)
    ctx.made["quality_report"] = record.result["report"]
    errors, warnings = record.result["errors"], record.result["warnings"]
    failing = {"error": errors, "warning": errors + warnings}.get(gate.fail_on, 0)
    if failing:
        listed = ", ".join(record.result.get("worst") or [])
        raise Stop(replace(record, state=StepState.STOPPED,
                           detail=f"The quality gate (fail on {gate.fail_on}) stopped the pipeline: "
                                  f"{errors} error(s), {warnings} warning(s)" + (f" ({listed})" if listed else "")
                                  + "; the Quality step shows the findings and their fixes."))
    return record


def run_drift(ctx: Context) -> StepRecord:
    from desktop_app.core.monitor.verdict import verdict

    check = section(ctx.definition.drift)
    version_id = _dataset(ctx)
    key = work_key("drift", version_id, check.model, check.fail_on)
    record = _reused(ctx, "drift", key, lambda r: True)
    if record is None:
        try:
            model = ctx.project.registry.resolve(check.model)
        except NotFoundError:
            return StepRecord("drift", StepState.SKIPPED,
                              f"Nothing to compare the new rows with: {check.model} names no version yet.")
        version = ctx.project.datasets.get_version(version_id)
        frame = ctx.project.datasets.load(version)
        batch = ctx.project.monitor.add_batch(model, frame, name=version.label, progress=ctx.progress)
        failing, why = verdict(batch, check.fail_on)
        record = StepRecord("drift", StepState.DONE, f"Against {batch.model_label}: {why}.",
                            made={"monitoring_batch": batch.id},
                            result={"batch": batch.id, "model": batch.model_label, "failing": failing, "why": why},
                            key=key)
    ctx.made["monitoring_batch"] = record.result["batch"]
    if record.result["failing"]:
        raise Stop(replace(record, state=StepState.STOPPED,
                           detail=f"Drift against {record.result['model']} stopped the pipeline "
                                  f"(fail on {check.fail_on}): {record.result['why']}; nothing was trained — "
                                  f"the Monitor step shows batch {record.result['batch'][:8]}."))
    return record


def run_score(ctx: Context) -> StepRecord:
    scoring = section(ctx.definition.scoring)
    version_id = _dataset(ctx)
    folder = Path(scoring.folder).expanduser() if scoring.folder else ctx.project.bundles.default_folder
    key = work_key("score", version_id, scoring.model, str(folder))
    record = _reused(ctx, "score", key, lambda r: Path(r.result["file"]).is_file())
    if record is None:
        model = ctx.project.registry.resolve(scoring.model)
        version = ctx.project.datasets.get_version(version_id)
        out = folder / f"{version.dataset_name}-{version.number}-scored-by-{model.model_name}-{model.number}.csv"
        folder.mkdir(parents=True, exist_ok=True)
        result = ctx.project.scoring.score_frame(model, ctx.project.datasets.load(version), only_valid=True,
                                                 progress=ctx.progress)
        result.output.to_csv(out, index=False)
        left = f"; {result.rows_left_out:,} rows that cannot be scored left out" if result.rows_left_out else ""
        record = StepRecord("score", StepState.DONE,
                            f"Scored {result.rows_scored:,} rows with {model.label} into {out}{left}.",
                            made={"scored_file": str(out)}, result={"file": str(out), "model": model.label}, key=key)
    ctx.made["scored_file"] = record.result["file"]
    ctx.outcome.append(f"scored into {record.result['file']}")
    return record


def run_train(ctx: Context) -> StepRecord:
    from desktop_app.core.progress import scaled
    from desktop_app.core.tracking.entities import RunStatus

    training = section(ctx.definition.training)
    version_id = _dataset(ctx)
    select_by = _select_by(ctx.definition)
    key = work_key("train", version_id, training.specs, training.experiment, select_by)

    def runs_there(record: StepRecord) -> bool:
        try:
            return all(ctx.project.runs.get(r).status == RunStatus.FINISHED for r in record.result["finished"])
        except NotFoundError:
            return False

    record = _reused(ctx, "train", key, runs_there)
    if record is None:
        finished, failures = [], []
        count = len(training.specs)
        for i, spec in enumerate(training.specs):
            run = ctx.project.runs.train(run_spec(spec, version_id, training.experiment),
                                         scaled(ctx.progress, i / count, (i + 1) / count))
            if run.status == RunStatus.CANCELLED:
                raise Cancelled("Cancelled during training; the run is recorded as cancelled, nothing was "
                                "registered.")
            if run.status == RunStatus.FINISHED:
                finished.append(run)
            else:
                failures.append(f"{run.algorithm} (run {run.short_id}): "
                                f"{(run.error or '').strip().splitlines()[0] if run.error else run.status}")
        if not finished:
            raise PipelineError(f"No training spec finished: {'; '.join(failures)}.")
        best = _best(finished, select_by)
        scores = ", ".join(f"{r.algorithm} {_fmt(r.metrics.get(best[1]))}" for r in finished)
        detail = (f"Trained {len(finished)} model(s) on {best[0].dataset_label}; best by {best[1]}: "
                  f"{best[0].algorithm} (run {best[0].short_id})" + (f" — {scores}" if len(finished) > 1 else "")
                  + (f"; failed: {'; '.join(failures)}" if failures else "") + ".")
        record = StepRecord("train", StepState.DONE, detail, made={"runs": [r.id for r in finished]},
                            result={"finished": [r.id for r in finished], "candidate": best[0].id,
                                    "metric": best[1]}, key=key)
    ctx.made["runs"] = list(record.result["finished"])
    ctx.made["candidate_run"] = record.result["candidate"]
    return record


def run_promote(ctx: Context) -> StepRecord:
    from desktop_app.core.registry.errors import GateFailedError
    from desktop_app.core.training.metric_names import lower_is_better

    rule = section(ctx.definition.promotion)
    candidate = ctx.made["candidate_run"]
    key = work_key("promote", candidate, rule)

    def version_there(record: StepRecord) -> bool:
        if not record.result.get("version"):
            return True
        try:
            ctx.project.registry.resolve(record.result["version"])
            return True
        except NotFoundError:
            return False

    record = _reused(ctx, "promote", key, version_there)
    if record is None:
        run = ctx.project.runs.get(candidate)
        verdict, measured = "", {}
        if rule.beat_metric:
            comparison = ctx.project.registry.compare_run_on_holdout(run.id, rule.model, rule.alias, ctx.progress)
            if comparison.holder is not None:
                mine = comparison.candidate_metrics.get(rule.beat_metric)
                theirs = comparison.holder_metrics.get(rule.beat_metric)
                where = f"on the same {comparison.rows:,} held-out rows"
                if mine is None:
                    raise PipelineError(f"The promotion rule compares {rule.beat_metric}, which run {run.short_id} "
                                        f"does not have; its metrics are {', '.join(comparison.candidate_metrics)}.")
                if theirs is None:
                    why = "; ".join(comparison.notes) or f"{comparison.holder} has no {rule.beat_metric}"
                    return _kept(ctx, f"Not promoted: {why}.", key)
                measured = {"metric": rule.beat_metric, "candidate_value": mine, "holder_value": theirs,
                            "holder": comparison.holder, "rows": comparison.rows}
                gain = (theirs - mine) if lower_is_better(rule.beat_metric) else (mine - theirs)
                verdict = (f"{rule.beat_metric} {_fmt(mine)} against {_fmt(theirs)} of {comparison.holder} {where}")
                if gain <= 0 or gain < rule.beat_by:   # a tie keeps the holder: no churn for nothing
                    needed = f" (the rule needs +{_fmt(rule.beat_by)})" if rule.beat_by else " (it must do better)"
                    return _kept(ctx, f"Not promoted: {verdict}{needed}; {comparison.holder} keeps "
                                      f"'{rule.alias}'.", key, measured)
        reason = f"Pipeline '{ctx.definition.name}'" + (f": {verdict}" if verdict else "")
        tags = {"pipeline": ctx.definition.name}
        if not rule.move_alias:
            tags["approval"] = "pending"
        try:
            version = ctx.project.registry.register(
                run.id, rule.model, alias=rule.alias if rule.move_alias else None, require=list(rule.require),
                reason=reason, tags=tags,
                description=f"Registered by pipeline '{ctx.definition.name}' from {run.dataset_label}.")
        except GateFailedError as exc:
            raise Stop(StepRecord("promote", StepState.STOPPED,
                                  f"The KPI gate stopped the pipeline: {exc}", result={"gate": str(exc)},
                                  key=key)) from None
        said = (f"Promoted {version.label} to '{rule.alias}'" if rule.move_alias else
                f"Registered {version.label} as a candidate awaiting approval ('{rule.alias}' unchanged)")
        record = StepRecord("promote", StepState.DONE, said + (f": {verdict}" if verdict else "") + ".",
                            made={"model_version": version.label},
                            result={"version": version.label, "version_id": version.id,
                                    "alias_moved": rule.move_alias, "promoted": True, **measured}, key=key)
    if record.state == StepState.STOPPED:
        raise Stop(record)
    if record.result.get("version"):
        ctx.made["model_version"] = record.result["version"]
    ctx.outcome.append(record.detail.removeprefix("Reused: ").rstrip("."))
    return record


def _kept(ctx: Context, sentence: str, key: str, measured: dict[str, Any] | None = None) -> StepRecord:
    ctx.outcome.append(sentence.rstrip("."))
    return StepRecord("promote", StepState.DONE, sentence, result={"promoted": False, **(measured or {})}, key=key)


def run_export(ctx: Context) -> StepRecord:
    export = section(ctx.definition.export)
    version = ctx.made.get("model_version")
    if not version:
        return StepRecord("export", StepState.SKIPPED, "Nothing was registered, so nothing was exported.")
    key = work_key("export", version, export)
    record = _reused(ctx, "export", key, lambda r: Path(r.result["path"]).exists())
    if record is None:
        result = ctx.project.bundles.export(version, export.folder or None, zip=export.zip, progress=ctx.progress)
        record = StepRecord("export", StepState.DONE, f"Exported {result.model} to {result.path} (verified).",
                            made={"bundle": str(result.path)}, result={"path": str(result.path)}, key=key)
    ctx.made["bundle"] = record.result["path"]
    ctx.outcome.append(f"bundle in {record.result['path']}")
    return record


STEP_WORK: dict[str, Callable[[Context], StepRecord]] = {
    "import": run_import, "fix": run_fix, "check": run_check, "drift": run_drift, "score": run_score,
    "train": run_train, "promote": run_promote, "export": run_export,
}


def _select_by(definition: PipelineDefinition) -> str | None:
    return section(definition.training).select_by or (definition.promotion.beat_metric if definition.promotion
                                                       else None)


def _best(runs: list, metric: str | None) -> tuple[Any, str]:
    """The best finished run by `metric` (the first run's first metric when none is named)."""
    from desktop_app.core.training.metric_names import lower_is_better

    metric = metric or next(iter(runs[0].metrics), "")
    scored = [r for r in runs if r.metrics.get(metric) is not None]
    if not scored:
        return runs[0], metric
    pick = min if lower_is_better(metric) else max
    return pick(scored, key=lambda r: r.metrics[metric]), metric


def _fmt(value: Any) -> str:
    return "—" if value is None else format(value, ".4g")
