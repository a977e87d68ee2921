"""The Quality step: check a dataset version for problems, look at the evidence, apply fixes.

Checks, loading the table for evidence, previews, fixes and the HTML export all run on workers
(`self.work`); the GUI thread only draws. The checks of a table of millions of rows run in a separate
process (`ui.work.separate_process`): on a thread, pandas' factorize of one column held Python's lock,
and so the window, 110–180 ms at 10M rows. Each run of the checks is saved for its dataset version
(`project.quality`), so the last report shows again when the version is selected. This module holds
the layout, the version and target, the checks and the report on screen; applying fixes is in
fix_actions.py, the thresholds and the export in report_actions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.quality.evidence_loader import EvidenceLoader
from desktop_app.ui.steps.quality.finding_detail import FindingDetail
from desktop_app.ui.steps.quality.findings_list import FindingsPanel
from desktop_app.ui.steps.quality.fix_actions import FixActions
from desktop_app.ui.steps.quality.report_actions import ReportActions
from desktop_app.ui.steps.quality.report_summary import ReportSummary
from desktop_app.ui.steps.quality.target_choice import likely_target
from desktop_app.ui.steps.quality.text import TARGET_CHECKS_TEXT, counts_text, version_text, version_tip
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.elided_label import ElidedLabel
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work import separate_process
from desktop_app.ui.work.changes import Change
from desktop_app.ui.work.chart_warmup import warm_up_charts

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.progress import ProgressCallback
    from desktop_app.core.project import Project
    from desktop_app.core.quality.findings import Finding
    from desktop_app.core.quality.service import StoredReport
    from desktop_app.core.quality.thresholds import Thresholds
    from desktop_app.ui.steps.quality.evidence import Evidence
    from desktop_app.ui.steps.quality.fix_preview_dialog import FixPreviewDialog
    from desktop_app.ui.steps.quality.thresholds_dialog import ThresholdsDialog
    from desktop_app.ui.work.tasks import Task, TaskRunner

PURPOSE = (
    "Find problems in a dataset version before you train on it: pick the version and its target, "
    "run the checks, read the evidence and apply the fixes you agree with."
)
NO_TARGET = "No target"
# Peak memory of the checks (`QualityService.memory_needed`) from which they run in a separate process: a table
# of ~3.5M rows × 20 columns. Below it a thread's longest hold of Python's lock stays under ~60 ms (30 ms at
# 1M rows): not worth the ~1 s a new process takes to start.
CHECK_PROCESS_BYTES = 2 * 2**30
TARGET_NOTE_TIP = (f"Without a target, the target checks ({TARGET_CHECKS_TEXT}) are skipped. "
                   "Choose the column a model will predict to run them.")
STYLE = """
QWidget#qualityStep, QWidget#findingDetailBody { background: #ffffff; }
QScrollArea#findingDetail { background: #ffffff; border: 1px solid #dde3e9; }
QLabel#summaryLine { font-size: 10.5pt; color: #1d2733; }
QLabel#findingMessage { font-size: 10.5pt; color: #1d2733; }
QPushButton#fixButton { background: #eef4fe; border: 1px solid #8fb3ee; border-radius: 4px; padding: 5px 12px;
                        color: #0f3d8a; font-weight: 600; text-align: left; }
QPushButton#fixButton:hover { background: #e1ebfb; }
QPushButton#fixButton:disabled { background: #f3f5f7; border-color: #d5dbe1; color: #8a929c; }
QToolButton#severityToggle { border: 1px solid #d5dbe1; border-radius: 4px; padding: 3px 5px; background: #ffffff; }
QToolButton#severityToggle:checked { background: #eef2f6; border-color: #aab4bf; }
QTableView#findingsTable { selection-background-color: #cfe0fa; selection-color: #10243e; }
"""


class QualityStep(FixActions, ReportActions, StepPanel):
    """The step: versions, target, the checks and the report on screen. Fixes are in fix_actions.py, the
    thresholds and the report's export in report_actions.py (mixins)."""

    key = "quality"
    shows = frozenset({Change.DATASETS, Change.REPORTS})
    first_imports = ("desktop_app.core.quality.report",)   # the saved report read
    focus_requested = Signal(str)      # a version id the user picked here (the Data step follows)
    version_created = Signal(object)   # DatasetVersionInfo made by applying fixes
    target_chosen = Signal(str)        # the target picked or preselected here (the Train step follows it)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Quality", PURPOSE, "Run checks", parent)
        self.setObjectName("qualityStep")
        self.setStyleSheet(STYLE)
        self.versions: list[DatasetVersionInfo] = []
        self.version: DatasetVersionInfo | None = None
        self.stored: StoredReport | None = None             # the report on screen
        self._reports: list[StoredReport] = []              # saved reports of self.version, newest first
        self.thresholds: Thresholds | None = None           # for the next run (None: the defaults)
        self._recheck_version_id: str | None = None
        self._fix_notice = ""
        self.evidence = EvidenceLoader(runner, self)  # evidence, reading only the columns and rows it shows
        self.evidence.ready.connect(self._evidence_ready)
        self.evidence.failed.connect(self._evidence_failed)
        self.fix_dialog: FixPreviewDialog | None = None
        self.thresholds_dialog: ThresholdsDialog | None = None
        self.primary_button.setToolTip("Run every check on the chosen version (Ctrl+Enter)")
        self.primary_button.clicked.connect(self.run_checks)

        # Empty state: nothing to check yet.
        self.no_data = EmptyState(
            "Import data first — the checks need a dataset version to look at",
            "Go to the Data step",
            "Import a CSV, Excel or Parquet file there, then come back to check it.",
        )
        self.no_data.button.clicked.connect(lambda: self.go_to_step.emit("data"))

        # Version, target, thresholds, export.
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("versionCombo")
        self.version_combo.setMinimumContentsLength(12)
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.version_combo.setToolTip("The dataset version to check")
        self.version_combo.currentIndexChanged.connect(self._on_version_picked)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("targetCombo")
        self.target_combo.setMinimumContentsLength(8)
        self.target_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target_combo.setToolTip("The column a model will predict; target checks need it")
        self.target_combo.currentIndexChanged.connect(self._on_target_picked)
        self.target_note = ElidedLabel("target checks skipped")  # "…" on a narrow window; the tooltip says all
        self.target_note.setObjectName("hint")
        self.thresholds_button = QPushButton("Th&resholds…")
        self.thresholds_button.setToolTip("See and change the limits the checks compare against")
        self.thresholds_button.clicked.connect(self.open_thresholds)
        self.export_button = QPushButton("E&xport report…")
        self.export_button.setToolTip("Save the report on screen as one HTML file (charts included) to share")
        self.export_button.clicked.connect(self.export_report)
        for combo, widest in ((self.version_combo, 280), (self.target_combo, 200)):
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.setMaximumWidth(widest)  # grows with the window, shrinks to its minimum on a narrow one
        version_label = QLabel("Versi&on:")
        version_label.setBuddy(self.version_combo)
        target_label = QLabel("&Target:")
        target_label.setBuddy(self.target_combo)
        controls = QHBoxLayout()
        controls.setSpacing(8)
        controls.addWidget(version_label)
        controls.addWidget(self.version_combo, 3)
        controls.addSpacing(6)
        controls.addWidget(target_label)
        controls.addWidget(self.target_combo, 2)
        controls.addWidget(self.target_note)
        controls.addSpacing(6)
        controls.addWidget(self.thresholds_button)
        controls.addStretch(1)

        # Summary line (or progress while the checks run), and the notice under it.
        self.summary_line = ReportSummary()
        self.summary_line.cancel_requested.connect(self.cancel_checks)
        self.notice = QLabel()
        self.notice.setObjectName("hint")
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setOpenExternalLinks(True)
        self.notice.setWordWrap(True)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_line, 1)
        summary_row.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)

        # No report yet for this version and target.
        self.no_report = EmptyState(
            "Run checks to find problems before training",
            "Run checks",
            "Missing values, duplicates, outliers, columns that leak the answer and more — each with its evidence "
            "and, where there is one, a fix you can preview.",
        )
        self.no_report.button.clicked.connect(self.run_checks)

        # Master–detail.
        self.findings = FindingsPanel()
        self.findings.current_changed.connect(self._on_current_finding)
        self.findings.selection_changed.connect(self._on_selection_changed)
        self.apply_selected_button = QPushButton("Apply selected fixes…")
        self.apply_selected_button.setObjectName("applySelectedButton")
        self.apply_selected_button.setToolTip("Apply the fixes of every selected finding in one new version")
        self.apply_selected_button.clicked.connect(lambda: self.open_fix_preview(self.findings.selected()))
        self.selection_hint = QLabel("Ctrl+click to select several findings.")
        self.selection_hint.setObjectName("hint")
        self.selection_hint.setWordWrap(True)
        master = QWidget()
        master_layout = QVBoxLayout(master)
        master_layout.setContentsMargins(0, 0, 6, 0)
        master_layout.setSpacing(6)
        master_layout.addWidget(self.findings, 1)
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_selected_button)
        apply_row.addWidget(self.selection_hint, 1)
        master_layout.addLayout(apply_row)
        self.detail = FindingDetail()
        self.detail.fix_requested.connect(lambda finding: self.open_fix_preview([finding]))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("qualitySplitter")
        self.splitter.addWidget(master)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([600, 500])   # the findings list keeps room for a readable message at 1024
        self.splitter.setChildrenCollapsible(False)

        self.report_stack = QStackedWidget()
        self.report_stack.addWidget(self.no_report)
        self.report_stack.addWidget(self.splitter)
        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(8)
        main_layout.addLayout(controls)
        main_layout.addLayout(summary_row)
        main_layout.addWidget(self.notice)
        main_layout.addWidget(self.report_stack, 1)
        self.main = main

        self.pages = QStackedWidget()
        self.pages.addWidget(self.no_data)
        self.pages.addWidget(main)
        self.body.addWidget(self.pages)
        self.set_next("Next: Train a model →", enabled=True,
                      tooltip="The Train step shows this report's summary before you train.")
        self.next_button.clicked.connect(lambda: self.go_to_step.emit("train"))
        self.version_created.connect(lambda _version: self.announce(Change.DATASETS))
        self._clock = QTimer(self)  # keeps "checked 2 min ago" true
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(self._show_summary)
        self._clock.start()
        self.remember_splitters(self.splitter)
        self._show_running(False)
        self._show_notice("")
        self.pages.setCurrentWidget(self.no_data)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        warm_up_charts(self)  # the evidence panel draws charts: make the first one quick

    # -- project and versions --------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self._cancel_all()
        for dialog in (self.fix_dialog, self.thresholds_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.reject()
        self.project = project
        self.versions, self.version, self.stored, self._reports = [], None, None, []
        self.evidence.set_version(None, None)
        self._recheck_version_id = None
        self.thresholds = None
        self._update_thresholds_button()
        self._show_notice("")
        self.refresh()

    def refresh(self, select_version_id: str | None = None) -> None:
        """Reload the versions (F5); keep the chosen one unless told otherwise."""
        if self.project is None:
            self.pages.setCurrentWidget(self.no_data)
            self._set_state(StepState.NOT_STARTED, "no project open")
            return
        try:
            datasets = self.project.datasets.list()
        except Exception as error:  # noqa: BLE001 - shown to the user
            show_error(self, "Could not list the datasets", error)
            return
        self.versions = [v for d in datasets for v in reversed(d.versions)]  # newest first per dataset
        if not self.versions:
            self.pages.setCurrentWidget(self.no_data)
            self.primary_button.setVisible(False)  # the empty state says what to do instead
            self.version = None
            self._set_state(StepState.NOT_STARTED, "no data imported yet")
            return
        self.pages.setCurrentWidget(self.main)
        self.primary_button.setVisible(True)
        wanted = select_version_id or (self.version.id if self.version is not None else self.versions[0].id)
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for version in self.versions:
            self.version_combo.addItem(version_text(version), version.id)
            self.version_combo.setItemData(self.version_combo.count() - 1, version_tip(version, self.versions),
                                           Qt.ItemDataRole.ToolTipRole)
        index = max(0, self.version_combo.findData(wanted))
        self.version_combo.setCurrentIndex(index)
        self.version_combo.blockSignals(False)
        self.version = None  # force a reload of its reports (F5 shows what the CLI added)
        self._select_version(self.versions[index])

    def set_focus(self, label: str | None) -> None:
        """Follow the version in focus in the Data step."""
        if not label or self.project is None:
            return
        if self.version is not None and self.version.label == label:
            return
        match = next((v for v in self.versions if v.label == label), None)
        if match is None:
            self.refresh()
            match = next((v for v in self.versions if v.label == label), None)
            if match is None:
                return
        self.version_combo.blockSignals(True)
        self.version_combo.setCurrentIndex(self.version_combo.findData(match.id))
        self.version_combo.blockSignals(False)
        self._select_version(match)

    def _on_version_picked(self, index: int) -> None:
        if index < 0 or index >= len(self.versions):
            return
        version = self.versions[index]
        self._select_version(version)
        self.focus_requested.emit(version.id)

    def _select_version(self, version: DatasetVersionInfo) -> None:
        if self.version is not None and version.id == self.version.id:
            return
        previous_target = self.target()
        self.version = version
        self.evidence.set_version(self.project.datasets, version)
        try:
            self._reports = list(self.project.quality.reports(version))
        except Exception as error:  # noqa: BLE001 - shown to the user
            self._reports = []
            show_error(self, f"Could not read the saved reports of {version.label}", error)
        # Target: the newest report's, else the one picked before (here or for this dataset; "" is
        # "No target" picked), else the one this dataset was last checked or trained with, or a guess.
        columns = [c.name for c in version.columns]
        remembered = QSettings().value(f"quality/target/{version.dataset_id}")
        why = ""
        if self._reports:
            target = self._reports[0].report.target
        elif previous_target in columns:
            target = previous_target
        elif remembered is not None and (remembered in columns or remembered == ""):
            target = remembered or None
        else:
            target, why = likely_target(self.project, version, self.versions)
        self._fill_targets(columns, target if target in columns else None, why)
        if self._recheck_version_id == version.id:
            self._recheck_version_id = None
            self._show_report(None)
            self.run_checks()
        else:
            self._show_report(self._report_for_target())

    def _fill_targets(self, columns: list[str], target: str | None, why: str = "") -> None:
        kinds = self.version.kinds if self.version is not None else {}
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        self.target_combo.addItem(NO_TARGET, None)
        self.target_combo.setItemData(0, "Skip the target checks", Qt.ItemDataRole.ToolTipRole)
        for name in columns:
            self.target_combo.addItem(name, name)
            self.target_combo.setItemData(self.target_combo.count() - 1, f"{name} ({kinds.get(name, '')})",
                                          Qt.ItemDataRole.ToolTipRole)
        self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(target)) if target else 0)
        self.target_combo.blockSignals(False)
        self._show_target_note(target, why)
        if self.target():
            self.target_chosen.emit(self.target())

    def _show_target_note(self, target: str | None, why: str = "") -> None:
        """'target checks skipped' without a target; why a preselected target was chosen."""
        text = "target checks skipped" if target is None else why
        self.target_note.setText(text)
        self.target_note.setToolTip(f"{text}\n\n{TARGET_NOTE_TIP}")
        self.target_note.setVisible(target is None or bool(why))

    def target(self) -> str | None:
        return self.target_combo.currentData() if self.target_combo.count() else None

    def set_target(self, target: str | None) -> None:
        """Choose the target as a user would (None: no target)."""
        index = 0 if target is None else self.target_combo.findData(target)
        if index < 0:
            raise KeyError(target)
        self.target_combo.setCurrentIndex(index)

    def _on_target_picked(self, _index: int) -> None:
        target = self.target()
        self._show_target_note(target)
        if self.version is not None:
            QSettings().setValue(f"quality/target/{self.version.dataset_id}", target or "")
        self._show_report(self._report_for_target())
        if target:
            self.target_chosen.emit(target)

    def _report_for_target(self) -> StoredReport | None:
        target = self.target()
        return next((s for s in self._reports if s.report.target == target), None)

    # -- running the checks ---------------------------------------------------------------------
    def is_checking(self) -> bool:
        return self.work.running("check")

    def run_checks(self) -> Task | None:
        if self.project is None or self.version is None or self.is_checking():
            return None
        version, target, thresholds = self.version, self.target(), self.thresholds
        project = self.project
        what = f"Checking {version.label}" + (f" (target {target})" if target else "")

        def check(progress: ProgressCallback) -> StoredReport:
            return separate_process.call(project, "quality.check", version, target, thresholds, progress=progress,
                                         needs=project.quality.memory_needed(version), at=CHECK_PROCESS_BYTES)

        task = self.work.start("check", what, check,
                               progress=self.summary_line.set_progress, done=self._checked,
                               failed=self._check_failed, cancelled=self._check_cancelled)
        self._show_running(True)
        self.summary_line.set_running(True, f"{what}…")
        if self.stored is None:
            self.no_report.message.setText(f"{what}…")
        return task

    def cancel_checks(self) -> None:
        if self.is_checking():
            self.work.cancel("check")
            self.summary_line.set_cancelling()

    def _checked(self, stored: StoredReport) -> None:
        self._show_running(False)
        self.announce(Change.REPORTS)   # the Train step shows the verdict of the newest report
        if self.version is not None and stored.version.id == self.version.id:
            self._reports.insert(0, stored)
            if stored.report.target != self.target():
                self._fill_targets([c.name for c in self.version.columns], stored.report.target)
            self._show_report(stored)
        self._show_notice(self._fix_notice)  # what the fixes made stays said; other notices are done
        self._fix_notice = ""

    def _check_failed(self, error: BaseException) -> None:
        self._show_running(False)
        self._show_notice(f"The checks stopped: {escape(user_message(error))}", error=True)
        show_error(self, "Could not check the data", error)

    def _check_cancelled(self) -> None:
        self._show_running(False)
        self._show_notice("Checks cancelled; nothing was saved.")

    def _show_running(self, running: bool) -> None:
        if not running:
            self.summary_line.set_running(False)
        busy = running or self.work.running("apply")
        self.primary_button.setEnabled(not busy)
        self.no_report.button.setEnabled(not busy)
        self.primary_button.setText("Checking…" if running else "Run checks")
        if not running:
            self._show_summary()
        self._update_fix_buttons()

    # -- the report on screen ---------------------------------------------------------------------
    def _show_report(self, stored: StoredReport | None) -> None:
        self.stored = stored
        self.export_button.setEnabled(stored is not None)
        if stored is None:
            self.findings.set_findings([])
            self.detail.show_message("Select a finding", "")
            self.report_stack.setCurrentWidget(self.no_report)
        else:
            self.report_stack.setCurrentWidget(self.splitter)
            self.findings.set_findings(stored.report.findings)
            if not stored.report.findings:
                self.detail.show_message("No problems found",
                                         "Every check passed on this version. You can train on it.")
        self._show_summary()
        self._update_state()

    def _show_summary(self) -> None:
        if self.version is None:
            self.summary_line.clear()
        elif self.stored is not None:
            self.summary_line.show_report(self.stored)
        else:
            last = self._reports[0] if self._reports else None
            self.summary_line.show_unchecked(self.version.label, self.target(), last)
            self.no_report.message.setText(
                "Run checks to find problems before training" if last is None
                else f"Run checks on {self.version.label} with this target"
            )

    def _update_state(self) -> None:
        if self.version is None:
            return
        latest = self._reports[0] if self._reports else None
        if latest is None:
            self._set_state(StepState.NOT_STARTED, f"{self.version.label} not checked yet")
            return
        counts = latest.report.summary()
        state = StepState.ATTENTION if counts["errors"] else StepState.DONE
        self._set_state(state, f"{self.version.label}: {counts_text(counts)}")

    # -- evidence ---------------------------------------------------------------------------------
    def _on_current_finding(self, finding: Finding | None) -> None:
        if finding is None:
            if self.stored is not None and self.stored.report.findings:
                self.detail.show_message("Select a finding", "Pick a finding on the left to see its evidence.")
            return
        self.detail.show_finding(finding, version_label=self.version.label if self.version else "",
                                 fix_note=self._fix_block_reason())
        self.evidence.request(finding)

    def _evidence_ready(self, finding: Finding, evidence: Evidence) -> None:
        if self.detail.finding is finding:
            self.detail.show_evidence(evidence)

    def _evidence_failed(self, finding: Finding, text: str) -> None:
        if self.detail.finding is finding:
            self.detail.show_evidence_error(text)

    # -- housekeeping ---------------------------------------------------------------------------------
    def _show_notice(self, html: str, *, error: bool = False) -> None:
        self.notice.setText(html)
        self.notice.setObjectName("errorText" if error else "hint")
        self.notice.style().polish(self.notice)
        self.notice.setVisible(bool(html))

    def _cancel_all(self) -> None:
        self.work.drop()
        self.evidence.cancel()
        self._show_running(False)
