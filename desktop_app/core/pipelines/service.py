"""Saving pipelines and running them: the steps in order, each one recorded as it goes.

    saved = project.pipelines.save(definition)           # or .save_from_version("heart-risk@3", "monthly")
    run = project.pipelines.run("monthly", input_path="/data/heart-2026-12.csv", progress=…)
    run.status        # done (promoted or not: run.outcome says), stopped (a gate or drift), failed, cancelled

A run is recorded before its first step and after each one (`pipelines.store`), so the window can
show each step's state while a worker process runs it, and a process that dies leaves a run that
`doctor` marks interrupted. It stops at the first gate that holds (`steps.Stop`), at the first
error, or when cancelled; whatever a step made is kept and linked from the run (a registration is
one transaction: never half done).
"""

from __future__ import annotations

import glob
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.errors import Cancelled, MLDeskError
from desktop_app.core.pipelines import store
from desktop_app.core.pipelines.definition import STEP_TITLES, PipelineDefinition
from desktop_app.core.pipelines.entities import PipelineRun, PipelineStatus, SavedPipeline, StepRecord, StepState
from desktop_app.core.pipelines.errors import PipelineError
from desktop_app.core.progress import ProgressCallback, no_progress, scaled

if TYPE_CHECKING:
    from desktop_app.core.pipelines.steps import Services


def resolve_input(pattern: str) -> Path:
    """The file a run reads: `pattern` itself, or the newest file matching it (e.g. /data/heart-*.csv)."""
    if not pattern.strip():
        raise PipelineError("The pipeline names no source file; run it with --input FILE, or save a source path "
                            "or pattern in its definition.")
    path = Path(pattern).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        raise PipelineError(f"{path} is a folder; give a file, or a pattern such as {path / '*.csv'} (the newest "
                            "matching file is read).")
    if glob.has_magic(str(path)):
        matches = [Path(p) for p in glob.glob(str(path)) if Path(p).is_file()]
        if not matches:
            raise PipelineError(f"No file matches {pattern}; put next month's file there, or run with --input FILE.")
        return max(matches, key=lambda p: (p.stat().st_mtime, p.name))
    raise PipelineError(f"There is no file {path}; check the pipeline's source, or run with --input FILE.")


class PipelineService:
    def __init__(self, project: Services) -> None:
        self._project = project
        self._db = project.db

    # -- definitions ---------------------------------------------------------------------------

    def save(self, definition: PipelineDefinition, reason: str = "") -> SavedPipeline:
        return store.save(self._db, definition, reason)

    def save_from_version(self, ref: str, name: str, input_path: str | None = None, reason: str = "") -> SavedPipeline:
        """Save the pipeline that would reproduce model version `ref` on new data (`templates.from_lineage`)."""
        from desktop_app.core.pipelines.templates import from_lineage

        lineage = self._project.registry.lineage(ref)
        imported = self._project.datasets.get_version(lineage.dataset_chain[0]["id"])
        run = self._project.runs.get(lineage.run_id)
        alias = next(iter(lineage.version.aliases), "production")
        definition = from_lineage(name, lineage, imported, run, alias=alias, input_path=input_path)
        return self.save(definition, reason or f"Saved from the lineage of {lineage.version.label}")

    def get(self, name: str) -> SavedPipeline:
        return store.get(self._db, name)

    def names(self) -> list[str]:
        return store.names(self._db)

    def history(self, name: str):
        return store.history(self._db, name)

    # -- runs ----------------------------------------------------------------------------------

    def begin(self, name: str, input_path: str | None = None) -> PipelineRun:
        """Record a run of the pipeline's current definition, every step waiting (`execute` runs it).

        One run of a pipeline at a time: a scheduled run that starts while another still runs (a click in
        the window, yesterday's job running late) is refused, not run twice over the same registry."""
        from desktop_app.core.recovery import owner_gone

        saved = self.get(name)
        for running in store.unfinished(self._db):
            if running.pipeline == saved.name and not owner_gone(running.owner):
                raise PipelineError(f"Pipeline '{saved.name}' is running already (run {running.short_id}, started "
                                    f"{running.started_at:%Y-%m-%d %H:%M} UTC by {running.user} on {running.host}); "
                                    "run it again once that run has ended.")
        steps = [StepRecord(step, StepState.WAITING) for step in saved.definition.steps()]
        return store.start_run(self._db, saved, input_path or saved.definition.source.path, steps)

    def run(self, name: str, input_path: str | None = None, progress: ProgressCallback = no_progress) -> PipelineRun:
        """Run the pipeline here, step by step (the CLI's path); Ctrl-C records it as cancelled."""
        return self.execute(self.begin(name, input_path).id, progress)

    def execute(self, run_id: str, progress: ProgressCallback = no_progress) -> PipelineRun:
        """Run the steps of a begun run in order; record each, and how it ended, whatever happens."""
        from desktop_app.core.pipelines.steps import STEP_WORK, Context, Stop

        run = store.get_run(self._db, run_id)
        if run.status.ended:   # cancelled before this process took it
            return run
        saved = self._definition_of(run)
        definition = saved.definition
        steps = list(run.steps)
        names = [s.step for s in steps]
        ctx = Context(self._project, definition, Path(), progress,
                      reuse=lambda step, key: store.earlier_step(self._db, definition.name, step, key))
        index, status, outcome, stopped_at = 0, PipelineStatus.DONE, "", None
        try:
            ctx.input_path = resolve_input(run.input_path)
            read = str(ctx.input_path.absolute())
            for index, name in enumerate(names):
                title = STEP_TITLES[name]
                steps[index] = StepRecord(name, StepState.RUNNING)
                store.update_run(self._db, run_id, steps, ctx.made, input_path=read)
                ctx.progress = scaled(progress, index / len(names), (index + 1) / len(names))
                ctx.progress(0.0, f"Step {index + 1} of {len(names)}: {title}")
                started = time.perf_counter()
                try:
                    record = STEP_WORK[name](ctx)
                except Stop as stop:
                    steps[index] = replace(stop.record, seconds=round(time.perf_counter() - started, 3))
                    raise
                steps[index] = replace(record, seconds=round(time.perf_counter() - started, 3))
                store.update_run(self._db, run_id, steps, ctx.made, ctx.made.get("input_sha256"))
            outcome = _done_sentence(definition, ctx.outcome)
        except Stop as stop:
            status, outcome, stopped_at = PipelineStatus.STOPPED, stop.record.detail, names[index]
        except (Cancelled, KeyboardInterrupt) as exc:
            status, stopped_at = PipelineStatus.CANCELLED, names[index] if names else None
            outcome = f"Cancelled during the {STEP_TITLES[names[index]].lower()} step; nothing after it ran."
            steps = _mark(steps, index, StepState.CANCELLED, "Cancelled.")
            ended = store.end_run(self._db, run_id, status, outcome, stopped_at, steps, ctx.made)
            if isinstance(exc, KeyboardInterrupt):
                raise
            return ended
        except MLDeskError as exc:
            status, outcome, stopped_at = PipelineStatus.FAILED, str(exc), names[index] if names else None
            steps = _mark(steps, index, StepState.FAILED, str(exc))
        except Exception as exc:  # a bug: recorded as failed, then raised for the crash log
            steps = _mark(steps, index, StepState.FAILED, f"Unexpected error: {type(exc).__name__}: {exc}")
            store.end_run(self._db, run_id, PipelineStatus.FAILED, f"Unexpected error: {type(exc).__name__}: {exc}",
                          names[index] if names else None, steps, ctx.made)
            raise
        return store.end_run(self._db, run_id, status, outcome, stopped_at, steps, ctx.made)

    def abandon(self, run_id: str, status: PipelineStatus, why: str, worker_pid: int | None = None) -> PipelineRun:
        """End a run whose process was stopped (cancel terminates the worker; a crash kills it): the step it was
        in takes `status`, and a training run that process left unfinished is marked the same way."""
        from desktop_app.core.tracking.entities import RunStatus

        run = store.get_run(self._db, run_id)
        if run.status.ended:
            return run
        if worker_pid is not None:
            for training in self._project.runs.unfinished():
                if (training.owner or {}).get("pid") == worker_pid:
                    self._project.runs.mark_ended(
                        training.id, RunStatus.CANCELLED if status == PipelineStatus.CANCELLED else
                        RunStatus.INTERRUPTED, f"Stopped with its pipeline run: {why}")
        steps = list(run.steps)
        current = next((i for i, s in enumerate(steps) if s.state == StepState.RUNNING), None)
        state = StepState.CANCELLED if status == PipelineStatus.CANCELLED else StepState.FAILED
        if current is not None:
            steps = _mark(steps, current, state, why)
        stopped = steps[current].step if current is not None else None
        return store.end_run(self._db, run_id, status, why, stopped, steps, run.made)

    def runs(self, name: str | None = None, limit: int | None = None) -> list[PipelineRun]:
        return store.runs(self._db, name, limit)

    def get_run(self, ref: str) -> PipelineRun:
        return store.get_run(self._db, ref)

    def unfinished(self) -> list[PipelineRun]:
        return store.unfinished(self._db)

    def interrupt_orphaned(self) -> tuple[str, ...]:
        """Runs left running by a process that is gone become interrupted (opening a project does this)."""
        from desktop_app.core.recovery import owner_gone

        cleared = []
        for run in self.unfinished():
            if not owner_gone(run.owner):
                continue
            ended = self.abandon(run.id, PipelineStatus.INTERRUPTED,
                                 "The process running this pipeline stopped before it ended (closed, killed or a "
                                 "power cut); what its finished steps made is kept — run it again to go on.")
            if ended.status == PipelineStatus.INTERRUPTED:
                cleared.append(f"Pipeline run {run.short_id} of '{run.pipeline}' was left running by a process "
                               "that stopped; it is now marked interrupted.")
        return tuple(cleared)

    def _definition_of(self, run: PipelineRun) -> SavedPipeline:
        saved = self.get(run.pipeline)
        if saved.event_id != run.definition_event_id:   # saved again since it began: run what it began with
            from desktop_app.core.pipelines.definition import from_dict
            from desktop_app.core.store import changes

            with self._db.read() as session:
                change = changes.change_of(session, run.definition_event_id)
            if change is not None:
                saved = replace(saved, definition=from_dict(change.value["definition"]),
                                event_id=change.event_id)
        return saved


def _mark(steps: list[StepRecord], index: int, state: StepState, detail: str) -> list[StepRecord]:
    if 0 <= index < len(steps) and steps[index].state in (StepState.RUNNING, StepState.WAITING):
        steps[index] = replace(steps[index], state=state, detail=detail)
    return steps


def _done_sentence(definition: PipelineDefinition, said: list[str]) -> str:
    if said:
        text = "; ".join(said)
        return text[0].upper() + text[1:] + "."
    return f"Every step of '{definition.name}' ran."
