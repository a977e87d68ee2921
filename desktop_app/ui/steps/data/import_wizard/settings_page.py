"""Import wizard, page 2: how the file is read (detected, editable) with a live preview.

"Start at row" shows where detection found the table (rows above it — a title, notes —
are named next to it and not read); "rows begin with a row name" shows R's layout.
Both are settings like the others: changing one re-reads the preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from desktop_app.ui.steps.data.frame_view import FrameView
from desktop_app.ui.steps.data.import_wizard.draft import ImportDraft, sample_texts
from desktop_app.ui.steps.data.import_wizard.files import PREVIEW_ROWS
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.widgets.elided_label import ElidedLabel
from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.work.background import BackgroundWork
from desktop_app.ui.work.chart_warmup import wait_for_charts

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.readers import TableRead
    from desktop_app.core.data.settings import ColumnKind, ReadSettings

FORMATS = [("Delimited text (CSV, TSV)", "csv"), ("Excel workbook", "excel"), ("Parquet", "parquet")]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]
DELIMITERS = [("Comma  ,", ","), ("Semicolon  ;", ";"), ("Tab", "\t"), ("Pipe  |", "|"), ("Space", " ")]
DECIMALS = [("Point  .", "."), ("Comma  ,", ",")]
THOUSANDS = [("None", None), ("Comma  ,", ","), ("Point  .", "."), ("Space", " "), ("Apostrophe  '", "'")]
DEBOUNCE_MS = 250
ROWS_ABOVE_SHOWN = 10  # skipped rows quoted in the tooltip of "Start at row"


def _combo(items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    for label, value in items:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: Any, label: str | None = None) -> None:
    index = combo.findData(value)
    if index < 0:
        combo.addItem(label or repr(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


class SettingsPage(QWizardPage):
    def __init__(self, draft: ImportDraft) -> None:
        super().__init__()
        self.draft = draft
        self.setTitle("Step 2 of 4 · Check how the file is read")
        self.setSubTitle("MLDesk guessed these settings. If the preview looks wrong, change a setting; "
                         "the preview follows.")
        self._path: Path | None = None
        self._detected: ReadSettings | None = None
        self.work = BackgroundWork(draft.runner)   # slot "read": detecting, then previewing, the file
        self._ok = False
        self._filling = False
        self._existing_names: set[str] = set()
        self._offer_row_names = False  # the row-name box is shown for files detected with that layout

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Name of the dataset in this project")
        self.format_combo = _combo(FORMATS)
        self.encoding_combo = QComboBox()
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.delimiter_combo = _combo(DELIMITERS)
        self.decimal_combo = _combo(DECIMALS)
        self.thousands_combo = _combo(THOUSANDS)
        self.header_check = QCheckBox("First row holds the column names")
        self.sheet_combo = QComboBox()
        self.skip_bad_check = QCheckBox("Skip rows with too many fields (listed as warnings)")
        self.start_spin = QSpinBox()
        self.start_spin.setRange(1, 1_000_000)
        self.start_spin.setMinimumWidth(90)
        self.start_spin.setToolTip(
            "The row where the table begins: its header, or its first row of data. Rows above it — a title, "
            "notes, blank lines — are not read. Rows are numbered as in a text editor (for Excel, as in the sheet)."
        )
        self.start_note = ElidedLabel()  # shortened to fit; the skipped rows in full on hover
        self.start_note.setObjectName("hint")
        self.row_names_check = QCheckBox("Rows begin with a row name (R's layout)")
        self.row_names_check.setToolTip(
            "Each row has one field more than the header: a row name first, as R's write.table writes files. "
            "Row numbers 1, 2, 3 … are left out; other names are kept as the column 'row_name'."
        )

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 90)
        self._labels: dict[str, QLabel] = {}

        def add(row: int, col: int, text: str, widget, key: str) -> None:
            label = QLabel(text)
            self._labels[key] = label
            grid.addWidget(label, row, col)
            grid.addWidget(widget, row, col + 1)

        add(0, 0, "Dataset name:", self.name_edit, "name")
        add(1, 0, "Format:", self.format_combo, "format")
        add(1, 2, "Sheet:", self.sheet_combo, "sheet")
        add(2, 0, "Encoding:", self.encoding_combo, "encoding")
        add(2, 2, "Decimal mark:", self.decimal_combo, "decimal")
        add(3, 0, "Delimiter:", self.delimiter_combo, "delimiter")
        add(3, 2, "Thousands:", self.thousands_combo, "thousands")
        start = QHBoxLayout()
        start.setContentsMargins(0, 0, 0, 0)
        start.setSpacing(10)
        start.addWidget(self.start_spin)
        start.addWidget(self.start_note, 1)
        label = QLabel("Start at row:")
        label.setBuddy(self.start_spin)
        self._labels["start"] = label
        grid.addWidget(label, 4, 0)
        grid.addLayout(start, 4, 1, 1, 3)
        grid.addWidget(self.header_check, 5, 1)
        grid.addWidget(self.skip_bad_check, 5, 3)
        grid.addWidget(self.row_names_check, 6, 1)
        self.name_note = QLabel()
        self.name_note.setObjectName("hint")
        grid.addWidget(self.name_note, 0, 2, 1, 2)

        self.status = QLabel()
        self.status.setObjectName("hint")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.warnings = QLabel()
        self.warnings.setObjectName("warningText")
        self.warnings.setWordWrap(True)
        self.warnings.setVisible(False)
        self.preview_view = FrameView()
        self.preview_view.setMinimumHeight(220)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.warnings)
        layout.addWidget(self.preview_view, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._request_preview)
        for combo in (self.format_combo, self.delimiter_combo, self.decimal_combo, self.thousands_combo,
                      self.sheet_combo):
            combo.currentIndexChanged.connect(self._setting_changed)
        self.encoding_combo.currentTextChanged.connect(self._setting_changed)
        self.header_check.toggled.connect(self._setting_changed)
        self.skip_bad_check.toggled.connect(self._setting_changed)
        self.row_names_check.toggled.connect(self._setting_changed)
        self.start_spin.valueChanged.connect(self._setting_changed)
        self.name_edit.textChanged.connect(self._name_changed)

    # -- page life ---------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - Qt name
        path = self.draft.path
        if path == self._path and self._detected is not None:
            return
        self._path = path
        self._detected = None
        try:
            self._existing_names = {d.name for d in self.draft.project.datasets.list()}
        except Exception:  # noqa: BLE001 - only a hint
            self._existing_names = set()
        self.name_edit.setText(path.stem)
        self._set_ok(False)
        self.status.setText(f"Looking at {path.name}…")
        self.preview_view.setModel(None)

        def detect(_progress):
            from desktop_app.core.data.detect import detect_settings
            from desktop_app.core.data.readers import list_sheets

            wait_for_charts()  # the first read imports pandas and pyarrow's kernels: not beside the warm-up
            settings = detect_settings(path)
            sheets = list_sheets(path) if str(settings.format) == "excel" else []
            return settings, sheets

        self.work.start("read", f"Reading {path.name}", detect, visible=False,
                        done=lambda found: self._detected_ok(*found), failed=self._detect_failed)

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        return self._ok and self._name_problem() is None

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        self.draft.name = self.name_edit.text().strip()
        return self.isComplete()

    def stop(self) -> None:
        self._timer.stop()
        self.work.drop("read")

    # -- detection -----------------------------------------------------------------------
    def _detected_ok(self, settings: ReadSettings, sheets: list[str]) -> None:
        self._detected = settings
        self._fill(settings, sheets)
        self._request_preview()

    def _detect_failed(self, error: BaseException) -> None:
        from desktop_app.core.data.settings import FileFormat, ReadSettings

        suffix = self._path.suffix.lower() if self._path else ""
        guess = FileFormat.EXCEL if suffix in (".xlsx", ".xlsm") else (
            FileFormat.PARQUET if suffix in (".parquet", ".pq") else FileFormat.CSV)
        self._detected = ReadSettings(format=guess)
        self._fill(self._detected, [])
        self._show_error(error)

    def _fill(self, settings: ReadSettings, sheets: list[str]) -> None:
        self._filling = True
        try:
            _select(self.format_combo, str(settings.format))
            if self.encoding_combo.findText(settings.encoding) < 0:
                self.encoding_combo.addItem(settings.encoding)
            self.encoding_combo.setCurrentText(settings.encoding)
            _select(self.delimiter_combo, settings.delimiter, f"'{settings.delimiter}'")
            _select(self.decimal_combo, settings.decimal, f"'{settings.decimal}'")
            _select(self.thousands_combo, settings.thousands, f"'{settings.thousands}'")
            self.header_check.setChecked(bool(settings.header))
            self.skip_bad_check.setChecked(settings.bad_lines == "skip")
            self.start_spin.setValue(settings.skip_rows + 1)
            self.row_names_check.setChecked(bool(settings.row_names))
            self._offer_row_names = bool(settings.row_names)
            self.sheet_combo.clear()
            self.sheet_combo.addItems(sheets)
            if settings.sheet:
                self.sheet_combo.setCurrentText(settings.sheet)
        finally:
            self._filling = False
        self._show_relevant_fields()

    def _show_relevant_fields(self) -> None:
        fmt = self.format_combo.currentData()
        text = fmt == "csv"
        for key, widget in (("encoding", self.encoding_combo), ("delimiter", self.delimiter_combo),
                            ("decimal", self.decimal_combo), ("thousands", self.thousands_combo)):
            widget.setVisible(text)
            self._labels[key].setVisible(text)
        self.skip_bad_check.setVisible(text)
        # Only offered when it applies: detected, or chosen; the layout is rare and the box would only puzzle.
        self.row_names_check.setVisible(text and (self._offer_row_names or self.row_names_check.isChecked()))
        self.sheet_combo.setVisible(fmt == "excel")
        self._labels["sheet"].setVisible(fmt == "excel")
        self.header_check.setVisible(fmt != "parquet")
        for widget in (self.start_spin, self.start_note, self._labels["start"]):
            widget.setVisible(fmt != "parquet")

    def current_settings(self) -> ReadSettings:
        from desktop_app.core.data.settings import FileFormat, ReadSettings

        base = self._detected or ReadSettings()
        return base.with_changes(
            format=FileFormat(self.format_combo.currentData()),
            encoding=self.encoding_combo.currentText().strip() or "utf-8",
            delimiter=self.delimiter_combo.currentData(),
            decimal=self.decimal_combo.currentData(),
            thousands=self.thousands_combo.currentData(),
            header=self.header_check.isChecked(),
            sheet=(self.sheet_combo.currentText() or None) if self.format_combo.currentData() == "excel" else None,
            bad_lines="skip" if self.skip_bad_check.isChecked() else "error",
            skip_rows=self.start_spin.value() - 1 if self.format_combo.currentData() != "parquet" else 0,
            row_names=self.row_names_check.isChecked() and self.format_combo.currentData() == "csv",
        )

    # -- preview -------------------------------------------------------------------------
    def _setting_changed(self, *_args) -> None:
        if self._filling or self._path is None:
            return
        self._show_relevant_fields()
        if self.format_combo.currentData() == "excel" and self.sheet_combo.count() == 0:
            self._load_sheets()
        self._set_ok(False)
        self.status.setText("Updating the preview…")
        self._timer.start()

    def _load_sheets(self) -> None:
        path = self._path

        def sheets(_progress):
            from desktop_app.core.data.readers import list_sheets

            return list_sheets(path)

        self.work.run("Listing sheets", sheets, visible=False, done=self._sheets_loaded, failed=self._show_error)

    def _sheets_loaded(self, sheets: list[str]) -> None:
        self._filling = True
        self.sheet_combo.clear()
        self.sheet_combo.addItems(sheets)
        self._filling = False
        self._timer.start()

    def _request_preview(self) -> None:
        if self._path is None:
            return
        self.work.drop("read")   # a preview of settings since changed is no longer wanted
        from desktop_app.core.errors import MLDeskError

        try:
            path, settings = self._path, self.current_settings()
        except MLDeskError as error:  # e.g. the same character as decimal mark and thousands separator
            self._show_error(error)
            return

        def preview(_progress):
            from desktop_app.core.data.kinds import infer_kinds
            from desktop_app.core.data.readers import read_preview, rows_above

            wait_for_charts()
            read = read_preview(path, settings, nrows=PREVIEW_ROWS)
            above = rows_above(path, settings, ROWS_ABOVE_SHOWN)
            frame = read.table.to_pandas()
            return settings, read, infer_kinds(read.table), frame, sample_texts(frame), above

        self.status.setText("Updating the preview…")
        self.work.start("read", f"Previewing {path.name}", preview, visible=False,
                        done=lambda found: self._previewed(*found), failed=self._show_error)

    def _previewed(self, settings: ReadSettings, read: TableRead, kinds: dict[str, ColumnKind],
                   frame: pd.DataFrame, samples: dict[str, str], above: list[str]) -> None:
        self._show_rows_above(settings.skip_rows, above)
        from desktop_app.ui.steps.data.frame_model import FrameModel

        draft = self.draft
        draft.settings, draft.preview, draft.inferred_kinds, draft.preview_frame = settings, read, kinds, frame
        draft.sample_texts = samples
        old = self.preview_view.model()
        self.preview_view.setModel(FrameModel(frame, kinds, parent=self))
        if old is not None:
            old.deleteLater()
        rows, cols = read.table.num_rows, read.table.num_columns
        shown = f"The first {plural(rows, 'row')}" if rows >= PREVIEW_ROWS else f"All {plural(rows, 'row')}"
        self.status.setText(f"{shown} of {self._path.name} · {plural(cols, 'column')}")
        self.error.setVisible(False)
        warnings = list(read.warnings or [])
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings[:5]))
        self.warnings.setVisible(bool(warnings))
        self._set_ok(True)

    def _show_rows_above(self, skipped: int, above: list[str]) -> None:
        """Say which rows "Start at row" leaves out, quoting the first of them; all of them on hover."""
        if skipped == 0:
            self.start_note.setText("")
            self.start_note.setToolTip("")
            return
        rows = "Row 1 is not read" if skipped == 1 else f"Rows 1–{skipped:,} are not read"
        if not above:
            self.start_note.setText(f"{rows} (blank)")
        else:
            more = f" and {plural(len(above) - 1, 'other line')}" if len(above) > 1 else ""
            if len(above) >= ROWS_ABOVE_SHOWN:
                more = " and more lines"
            self.start_note.setText(f"{rows}: “{above[0]}”{more}")
        if above:
            self.start_note.setToolTip("Not read:\n" + "\n".join(above))

    def _show_error(self, error: BaseException) -> None:
        self.preview_view.setModel(None)
        self.status.setText("")
        self.warnings.setVisible(False)
        self.error.setText(user_message(error))
        self.error.setToolTip(f"{type(error).__name__}: {error}")
        self.error.setVisible(True)
        self._set_ok(False)

    # -- name ----------------------------------------------------------------------------------
    def _name_problem(self) -> str | None:
        name = self.name_edit.text().strip()
        if not name:
            return "Give the dataset a name."
        if "@" in name:
            return "A name cannot contain '@' (it marks a version, as in heart@2)."
        return None

    def _name_changed(self) -> None:
        problem = self._name_problem()
        name = self.name_edit.text().strip()
        if problem:
            self.name_note.setObjectName("errorText")
            self.name_note.setText(problem)
        elif name in self._existing_names:
            self.name_note.setObjectName("hint")
            self.name_note.setText(f"Adds a new version of '{name}'.")
        else:
            self.name_note.setObjectName("hint")
            self.name_note.setText("A new dataset.")
        self.name_note.style().polish(self.name_note)
        self.completeChanged.emit()

    def _set_ok(self, ok: bool) -> None:
        self._ok = ok
        self.completeChanged.emit()
