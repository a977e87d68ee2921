"""The Train step at work: the runs Start creates, the queue they train on, and what the step shows as
they end (status per run, the batch's leaderboard, "Next: Compare runs →").

A mixin of `TrainStep` (panel.py), which holds the layout and the choice of data, target, task,
models and options. Start creates one tracked run per ticked model card (`project.runs.create`, in
the step's `work` slot "create") and submits them to the window's `RunQueueBridge`: they train one
after the other in worker processes; a run queued elsewhere (a re-run from Compare) shows here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.ui.steps.base import StepState
from desktop_app.ui.steps.train.queue_list import ENDED
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.text.runs import distinguishing, run_title
from desktop_app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo, RunSpec
    from desktop_app.ui.steps.train.panel import TrainStep
    from desktop_app.ui.work.tasks import Task


class TrainingActions:
    """Start training the ticked models; follow their runs on the queue."""

    def specs(self: TrainStep) -> list[RunSpec]:
        """The RunSpecs Start would create, one per ticked card."""
        from desktop_app.core.tracking.entities import RunSpec

        options = self.options.values()
        experiment = options.pop("experiment")
        default_weight = options.pop("class_weight")
        specs = []
        self._build_models()
        for card in self.models.checked_cards():
            choice = card.class_weight_choice()
            weight = default_weight if choice == "inherit" else choice
            if not card.algorithm.supports_class_weight:
                weight = None
            specs.append(RunSpec(dataset=self.version.id, target=self.target, algorithm=card.algorithm.name,
                                 params=card.params(), experiment=experiment, task=self.task,
                                 class_weight=weight, **options))
        return specs

    def _blocker(self: TrainStep) -> str | None:
        """Why Start cannot run now, in the user's words; None when it can."""
        if self.project is None or self.version is None:
            return "Import a dataset first."
        if self.work.running("create"):
            return "Preparing the runs…"
        if self.info is None:
            return "Looking at the target column…"
        if self.info.problem:
            return "Choose another target: this column cannot be predicted."
        if not self._build_models(only_if_visible=True):
            return None  # the cards are built when the step shows; Start then re-checks
        if not self.models.checked_cards():
            return "Tick at least one model."
        return None

    def _update_start(self: TrainStep) -> None:
        blocker = self._blocker()
        self.primary_button.setEnabled(blocker is None)
        if blocker is not None:
            self.start_summary.setText(blocker)
            self.primary_button.setToolTip(blocker)
            return
        if not self._build_models(only_if_visible=True):
            return
        cards = self.models.checked_cards()
        self.primary_button.setToolTip("Train every ticked model, one run each (Ctrl+Enter)")
        names = ", ".join(c.check.text() for c in cards)
        self.start_summary.setText(f"Start training queues {plural(len(cards), 'run')}, trained one after "
                                   "another in the background.")
        self.start_summary.setToolTip(names)

    def start_training(self: TrainStep) -> Task | None:
        """Create one run per ticked model (worker thread) and queue them."""
        if self._blocker() is not None:
            return None
        try:
            specs = self.specs()
        except Exception as error:  # noqa: BLE001 - shown to the user
            show_error(self, "Could not prepare the runs", error)
            return None
        project = self.project

        def work(progress):
            created = []
            for i, spec in enumerate(specs):
                progress(i / len(specs), f"Preparing {spec.algorithm}")
                created.append(project.runs.create(spec))
            return created

        task = self.work.start("create", f"Preparing {plural(len(specs), 'run')}", work, done=self._on_created,
                               failed=lambda error: show_error(self, "Could not start training", error),
                               ended=self._update_start)
        self._update_start()
        return task

    def _on_created(self: TrainStep, runs: list[RunInfo]) -> None:
        self.batch = [r.id for r in runs]
        for run in runs:
            self.runs[run.id] = run
        extra = distinguishing(runs)
        titles = {r.id: run_title(r, with_id=False, extra=extra.get(r.id, [])) for r in runs}
        self.queue_list.add_runs(runs, titles)
        self.run_queue.submit(self.batch, titles)
        self.leaderboard.setVisible(False)
        self.next_button.setVisible(False)
        self._update_state()
        self.runs_changed.emit()

    # -- queue --------------------------------------------------------------------------------
    def cancel_run(self: TrainStep, run_id: str) -> None:
        self.run_queue.cancel(run_id)
        if self.run_queue.state(run_id) == "cancelling":
            self.queue_list.set_status(run_id, "cancelling")

    def cancel_all(self: TrainStep) -> None:
        for run_id in self.run_queue.active:
            self.cancel_run(run_id)

    def _on_submitted(self: TrainStep, run_id: str) -> None:
        """A run queued elsewhere (a re-run from Compare) shows here too."""
        if run_id in self.runs or self.project is None:
            return
        runs = self.project.runs
        self.work.run("Reading a queued run", lambda _p: runs.get(run_id), visible=False, done=self._add_foreign_run)

    def _add_foreign_run(self: TrainStep, run: RunInfo) -> None:
        if run.id in self.runs:
            return
        self.runs[run.id] = run
        self.queue_list.add_runs([run], {run.id: run_title(run, with_id=False,
                                                           extra=["re-run"] if run.parent_run_id else [])})
        state = self.run_queue.state(run.id)
        if state is not None:
            self.queue_list.set_status(run.id, state)
        self._update_state()

    def _on_ended(self: TrainStep, run_id: str, status: str) -> None:
        if self.project is None:
            return
        self.queue_list.set_status(run_id, status)
        runs = self.project.runs
        self.work.run("Reading a run's results", lambda _p: runs.get(run_id), visible=False, done=self._on_run_read)
        self._update_state()

    def _on_run_read(self: TrainStep, run: RunInfo) -> None:
        if run.id not in self.runs and run.id not in self.batch:
            return
        self.runs[run.id] = run
        status = str(run.status)
        if status in ENDED:
            self.queue_list.set_status(run.id, status, run)
        if run.id in self.batch:
            ended = [self.runs[i] for i in self.batch if str(self.runs[i].status) in ENDED]
            self.leaderboard.set_runs(ended)
            self.leaderboard.setVisible(True)
            if any(str(r.status) == "finished" for r in ended):
                waiting = len(self.batch) - len(ended)
                self.set_next("Next: Compare runs →", enabled=True,
                              note=f"{plural(waiting, 'run')} still training" if waiting else "",
                              tooltip="Open the runs of this batch side by side: settings, metrics, curves")
        self._update_state()
        self._count_runs()
        self.runs_changed.emit()

    def _show_failure(self: TrainStep, run_id: str) -> None:
        run = self.runs.get(run_id)
        error = (getattr(run, "error", None) or "The run failed without a message.").strip()
        summary, _, details = error.partition("\n\n")
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Why the run failed")
        box.setText(f"{run_title(run) if run is not None else run_id} failed")
        box.setInformativeText(summary)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _go_compare(self: TrainStep) -> None:
        self.go_to_compare.emit(list(self.batch))
        self.go_to_step.emit("compare")

    def _update_state(self: TrainStep) -> None:
        if self.project is None or not self.versions:
            return
        active = self.run_queue.active
        if active:
            self._set_state(StepState.ATTENTION, f"{plural(len(active), 'run')} training")
        elif self._finished_before or any(str(r.status) == "finished" for r in self.runs.values()):
            done = max(self._finished_before, sum(str(r.status) == "finished" for r in self.runs.values()))
            self._set_state(StepState.DONE, f"{plural(done, 'run')} finished in this project")
        elif self.state is not StepState.DONE:
            self._set_state(StepState.NOT_STARTED, "no model trained yet")
