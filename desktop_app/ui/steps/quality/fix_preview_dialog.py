"""Before a fix is applied: what it will change (rows, cells, columns, examples), then Apply or Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.quality.plan import FixPlan
from desktop_app.ui.steps.quality.fix_plan import PlanPreview, describe_change, preview_plan
from desktop_app.ui.text.formatting import format_int, format_number, plural
from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.widgets.read_only_table import read_only_table
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.progress import ProgressCallback
    from desktop_app.ui.work.tasks import TaskRunner

SKIPPED = QBrush(QColor("#8a8f98"))


def _value(value: Any) -> str:
    return "(empty)" if value is None else format_number(value)


class FixPreviewDialog(QDialog):
    """Shows what `plan` would change on the version; `accepted` means: apply `plan.steps`.

    `load_frame(progress)` runs on a worker thread and returns the version's table.
    """

    preview_ready = Signal(object)  # PlanPreview

    def __init__(
        self, plan: FixPlan, version: DatasetVersionInfo, new_label: str, runner: TaskRunner,
        load_frame: Callable[[ProgressCallback], pd.DataFrame], parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("fixPreviewDialog")
        self.plan = plan
        self.preview: PlanPreview | None = None
        self.work = BackgroundWork(runner)
        n = len(plan.applied)
        self.setWindowTitle("Apply fixes" if n > 1 else "Apply a fix")
        self.resize(760, 560)

        headline = QLabel(f"{'Apply ' + plural(n, 'fix', 'fixes')} to {version.label}" if n else "Nothing to apply")
        headline.setObjectName("sectionTitle")
        intro = QLabel(
            f"A new version, {new_label}, is made from {version.label}; {version.label} itself stays as it is. "
            "The fixes are saved as the new version's recipe, so they can be repeated on new data."
        )
        intro.setWordWrap(True)
        self.steps_table = self._table("fixStepsTable", ["Fix", "What changes"])
        for planned in plan.fixes:
            row = self.steps_table.rowCount()
            self.steps_table.insertRow(row)
            fix_item = QTableWidgetItem(planned.label)
            fix_item.setToolTip(planned.step.label)
            change = QTableWidgetItem(f"Skipped: {planned.skipped}" if planned.skipped else "Working it out…")
            if planned.skipped:
                for item in (fix_item, change):
                    item.setForeground(SKIPPED)
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.steps_table.setItem(row, 0, fix_item)
            self.steps_table.setItem(row, 1, change)
        self.steps_table.horizontalHeader().resizeSection(0, 430)
        self.steps_table.setFixedHeight(self._table_height(self.steps_table, max(1, min(len(plan.fixes), 6))))
        one = plan.without_fix == 1
        self.without_fix = QLabel(
            f"{plural(plan.without_fix, 'selected finding')} {'has' if one else 'have'} no automatic fix "
            f"and {'is' if one else 'are'} left out."
        )
        self.without_fix.setObjectName("hint")
        self.without_fix.setVisible(plan.without_fix > 0)

        self.totals = QLabel("Working out what changes…")
        self.totals.setObjectName("subTitle")
        self.totals.setWordWrap(True)
        self.examples_title = QLabel("Examples")
        self.examples_title.setObjectName("subTitle")
        self.examples = self._table("fixExamplesTable", ["Row", "Column", "Before", "After"])
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button.setText(f"Apply and make {new_label}")
        self.apply_button.setObjectName("primaryButton")
        self.apply_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(headline)
        layout.addWidget(intro)
        layout.addWidget(self.steps_table)
        layout.addWidget(self.without_fix)
        layout.addWidget(self.totals)
        layout.addWidget(self.examples_title)
        layout.addWidget(self.examples, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        if plan.steps:
            self._start(version, load_frame)
        else:
            self.totals.setText("None of the selected findings has a fix that can be applied.")
            self.examples_title.setVisible(False)
            self.examples.setVisible(False)

    # -- preview ------------------------------------------------------------------------------
    def is_ready(self) -> bool:
        return self.preview is not None

    def _start(self, version: DatasetVersionInfo, load_frame: Callable[[ProgressCallback], pd.DataFrame]) -> None:
        steps, kinds = self.plan.steps, dict(version.kinds)

        def work(progress):
            frame = load_frame(progress)
            return preview_plan(frame, kinds, steps, progress)

        self.work.start("preview", f"Previewing fixes to {version.label}", work, visible=False,
                        done=self._show_preview, failed=self._show_error)

    def _show_preview(self, preview: PlanPreview) -> None:
        self.preview = preview
        infos = iter(preview.steps)
        for row, planned in enumerate(self.plan.fixes):
            if not planned.skipped:
                self.steps_table.item(row, 1).setText(describe_change(next(infos)))
        self.totals.setText(
            f"Rows: {format_int(preview.rows_before)} → {format_int(preview.rows_after)} · "
            f"Columns: {format_int(preview.columns_before)} → {format_int(preview.columns_after)} · "
            f"Cells changed: {format_int(preview.cells_changed)}"
        )
        for planned, info in zip(self.plan.applied, preview.steps):
            for example in info.get("examples") or ():
                if "values" in example:  # a removed row
                    values = ", ".join(f"{k}={_value(v)}" for k, v in example["values"].items())
                    cells = [format_int(example["row"] + 1), "(whole row)", values, "removed"]
                else:
                    cells = [format_int(example["row"] + 1), planned.step.column or "", _value(example["before"]),
                             _value(example["after"])]
                row = self.examples.rowCount()
                self.examples.insertRow(row)
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    if col == 0:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.examples.setItem(row, col, item)
        self.examples.resizeColumnsToContents()
        if not self.examples.rowCount():
            self.examples_title.setText("Examples: no cell changes its value")
        self.apply_button.setEnabled(bool(self.plan.steps))
        self.apply_button.setFocus()
        self.preview_ready.emit(preview)

    def _show_error(self, error: BaseException) -> None:
        self.totals.setText("These fixes cannot be applied.")
        self.error.setText(user_message(error))
        self.error.setToolTip(str(error))
        self.error.setVisible(True)

    def done(self, result: int) -> None:  # noqa: D401 - Qt name
        self.work.drop()   # a preview still on its way is no longer wanted
        super().done(result)

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _table(name: str, headers: list[str]) -> QTableWidget:
        table = read_only_table(name, headers)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        return table

    @staticmethod
    def _table_height(table: QTableWidget, rows: int) -> int:
        return table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize() + 4
