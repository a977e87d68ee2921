"""The Batch scoring tab of the Export step: choose a file, see what the model thinks of its rows
(issues per column, and a verdict), choose where the scored rows go, score, and look at the first rows.

A view only: the step validates and scores on worker threads and hands the results in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.export.tables import IssuesModel, PreviewModel
from desktop_app.ui.steps.export.text import (
    Verdict,
    default_output,
    missing_input,
    scoring_summary,
    validation_verdict,
)
from desktop_app.ui.steps.export.widgets import ProgressLine, VerdictBanner
from desktop_app.ui.text.formatting import format_int, plural

if TYPE_CHECKING:
    from desktop_app.core.scoring.validation import ValidationReport
    from desktop_app.ui.steps.export.work import ScoringOutcome

INPUT_FILTER = "Data files (*.csv *.tsv *.txt *.xlsx *.xls *.parquet);;All files (*)"
OUTPUT_FILTER = "CSV (*.csv);;Parquet (*.parquet);;Excel (*.xlsx)"
INPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet", ".pq")
OUTPUT_SUFFIXES = (".csv", ".parquet", ".xlsx")
PREVIEW_MAX_WIDTH = 220
ISSUE_ROWS = 4     # issue rows the table shows before it scrolls
PREVIEW_ROWS = 8   # preview rows the panel keeps room for (it scrolls as a whole when the window is smaller)


class ScoringPanel(QWidget):
    input_chosen = Signal(object)          # Path: validate it
    score_requested = Signal(object, bool)  # output Path, only the rows that can be scored
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scoringPanel")
        self.setAcceptDrops(True)
        self.report: ValidationReport | None = None
        self.input_path: Path | None = None
        self.output_path: Path | None = None   # of the last scoring shown
        self.output_folder: Path | None = None   # where scored files go by default (the project's exports)
        self._busy = False
        self._confirmed_output: Path | None = None   # a file the user agreed to replace
        self.replace_box: QMessageBox | None = None
        self._auto_output = ""

        # -- 1. the input -----------------------------------------------------------------------------
        input_caption = QLabel("1. File to score")
        input_caption.setObjectName("subTitle")
        self.input_edit = QLineEdit()
        self.input_edit.setObjectName("scoreInput")
        self.input_edit.setPlaceholderText("Type or paste the path of a CSV, Excel or Parquet file and press Enter "
                                           "(or drop one here)")
        self.input_edit.setClearButtonEnabled(True)
        self.input_edit.editingFinished.connect(self.typed_input)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setToolTip("Pick the rows to score; they are checked against the model first")
        self.choose_button.clicked.connect(self.choose_input)
        self.verdict = VerdictBanner(big=False)
        self.issues_model = IssuesModel(self)
        self.issues = QTableView()
        self.issues.setObjectName("issuesTable")
        self.issues.setModel(self.issues_model)
        self.issues.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issues.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.issues.setWordWrap(True)
        self.issues.verticalHeader().setVisible(False)
        self.issues.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.issues.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # As tall as all its rows (one per column at most): the panel scrolls, no second bar beside its own.
        self.issues.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.issues.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        for column, width in enumerate((28, 110, 170, 70, 180)):
            header.resizeSection(column, width)
        header.sectionResized.connect(lambda *_a: self._fit_issues())
        self.issues.viewport().installEventFilter(self)   # narrower (a scroll bar came): texts wrap onto more lines

        # -- 2. the output ----------------------------------------------------------------------------
        output_caption = QLabel("2. Save the scored rows to")
        output_caption.setObjectName("subTitle")
        self.output_edit = QLineEdit()
        self.output_edit.setObjectName("scoreOutput")
        self.output_edit.setPlaceholderText("new-scored.csv — .csv, .parquet or .xlsx")
        self.output_edit.textChanged.connect(lambda _t: self._update_score_button())
        self.output_button = QPushButton("Choose…")
        self.output_button.setToolTip("Where to write the input columns with the predictions added (CSV, Parquet "
                                      "or Excel)")
        self.output_button.clicked.connect(self.choose_output)
        self.only_valid = QCheckBox()
        self.only_valid.setObjectName("onlyValidBox")
        self.only_valid.toggled.connect(lambda _c: self._update_score_button())
        self.score_button = QPushButton("Score")
        self.score_button.setObjectName("primaryButton")
        self.score_button.setMinimumHeight(30)
        self.score_button.clicked.connect(self._score)

        self.progress = ProgressLine("Stop; no output file is written")
        self.progress.cancel_requested.connect(self.cancel_requested)
        self.progress.setVisible(False)
        self.summary = QLabel()
        self.summary.setObjectName("scoringSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Show in folder")
        self.open_button.setToolTip("Open the folder of the scored file")
        self.open_button.clicked.connect(self.open_output_folder)
        self.preview_title = QLabel()
        self.preview_title.setObjectName("hint")
        self.preview_title.setWordWrap(True)
        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setObjectName("scoredPreview")
        self.preview.setModel(self.preview_model)
        self.preview.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.preview.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.preview.setWordWrap(False)
        rows = self.preview.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.preview.setMinimumHeight(self.preview.horizontalHeader().sizeHint().height()
                                      + PREVIEW_ROWS * rows.defaultSectionSize()
                                      + self.preview.horizontalScrollBar().sizeHint().height()
                                      + 2 * self.preview.frameWidth())
        self.preview.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.preview_empty = QLabel("The first 200 scored rows will show here, with the prediction and the "
                                    "probability of each class first.")
        self.preview_empty.setObjectName("hint")
        self.preview_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_empty.setWordWrap(True)
        self.preview_pages = QStackedWidget()
        self.preview_pages.addWidget(self.preview_empty)
        self.preview_pages.addWidget(self.preview)

        # -- layout -----------------------------------------------------------------------------------
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(input_caption, 0, 0)
        grid.addWidget(self.input_edit, 0, 1)
        grid.addWidget(self.choose_button, 0, 2)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 4)
        top_layout.setSpacing(6)
        top_layout.addLayout(grid)
        top_layout.addWidget(self.verdict)
        top_layout.addWidget(self.issues, 1)

        output_row = QHBoxLayout()
        output_row.setSpacing(8)
        output_row.addWidget(output_caption)
        output_row.addWidget(self.output_edit, 1)
        output_row.addWidget(self.output_button)
        output_row.addWidget(self.score_button)
        result_row = QHBoxLayout()
        result_row.setSpacing(8)
        result_row.addWidget(self.summary, 1)
        result_row.addWidget(self.open_button)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.setSpacing(6)
        bottom_layout.addLayout(output_row)
        bottom_layout.addWidget(self.only_valid)
        bottom_layout.addWidget(self.progress)
        bottom_layout.addLayout(result_row)
        bottom_layout.addWidget(self.preview_title)
        bottom_layout.addWidget(self.preview_pages, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("exportScoringSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        # On a laptop the check and the preview do not both fit: the panel scrolls rather than squeeze them.
        self.scroll = QScrollArea()
        self.scroll.setObjectName("scoringScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.scroll)
        self.reset()

    # -- states -----------------------------------------------------------------------------------
    def reset(self, keep_input: bool = False) -> None:
        """Nothing checked (the model changed, or a new project)."""
        if not keep_input:
            self.input_path = None
            self.input_edit.clear()
            self.output_edit.clear()
        self.report = None
        self.issues_model.set_report(None)
        self.issues.setVisible(False)
        self.verdict.set_verdict(None)
        self.only_valid.setVisible(False)
        self.only_valid.setChecked(False)
        self.clear_result()
        self._update_score_button()

    def clear_result(self) -> None:
        self.output_path = None
        self.summary.clear()
        self.summary.setVisible(False)
        self.open_button.setVisible(False)
        self.preview_model.set_frame(None)
        self.preview_title.setVisible(False)
        self.preview_pages.setCurrentWidget(self.preview_empty)

    def set_input(self, path: Path) -> None:
        self.input_path = Path(path)
        self.input_edit.setText(str(path))
        self.input_edit.setToolTip(str(path))
        self.input_edit.setCursorPosition(0)
        current = self.output_edit.text().strip()
        if not current or current == self._auto_output or Path(current).exists():
            self._auto_output = str(default_output(self.input_path, self._output_folder()))   # until edited
            self.output_edit.setText(self._auto_output)

    def set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        if busy:
            self.progress.start(message)
        self.progress.setVisible(busy)
        self.choose_button.setEnabled(not busy)
        self.output_button.setEnabled(not busy)
        self._update_score_button()

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.set_progress(fraction, message)

    def show_report(self, report: ValidationReport) -> None:
        self.report = report
        self.issues_model.set_report(report)
        self.issues.setVisible(bool(report.issues))
        self._fit_issues()
        self.verdict.set_verdict(validation_verdict(report))
        # Only rows with errors can be left out, and only when asked (as `mldesk predict --only-valid`);
        # rows with warnings are always scored and flagged.
        unscorable = report.rows - report.scorable_rows
        self.only_valid.setChecked(False)
        if 0 < report.scorable_rows < report.rows:
            self.only_valid.setText(f"Score only the {format_int(report.scorable_rows)} rows that can be scored "
                                    f"(leave out the {plural(unscorable, 'row')} with errors)")
            self.only_valid.setToolTip("Rows with errors (a value the model cannot read) cannot be scored; the "
                                       "summary lists their row numbers.")
            self.only_valid.setVisible(True)
        else:
            self.only_valid.setVisible(False)
        self._update_score_button()

    def _fit_issues(self) -> None:
        """Rows as tall as their wrapped text; the table as tall as all its rows, the preview gets the rest."""
        count = self.issues_model.rowCount()
        for row in range(count):   # resizeRowsToContents leaves a row below the fold too short
            self.issues.setRowHeight(row, self.issues.sizeHintForRow(row) + 4)   # the hint cuts the last line
        if not count:
            self.issues.setMinimumHeight(0)
            return
        rows = sum(self.issues.rowHeight(r) for r in range(count))
        table = self.issues.horizontalHeader().sizeHint().height() + rows + 2 * self.issues.frameWidth() + 8
        if table != self.issues.minimumHeight():
            self.issues.setMinimumHeight(table)
            self.splitter.widget(0).layout().invalidate()   # else its minimum is the one before
            top = self.splitter.widget(0).minimumSizeHint().height()
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([top, max(total - top, self.splitter.widget(1).minimumSizeHint().height())])

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt name
        if watched is self.issues.viewport() and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self._fit_issues)   # once the columns have their new widths
        return super().eventFilter(watched, event)

    def show_problem(self, verdict: Verdict) -> None:
        """The file could not be checked (unreadable, no model): say so in the banner."""
        self.report = None
        self.issues_model.set_report(None)
        self.issues.setVisible(False)
        self.only_valid.setVisible(False)
        self.verdict.set_verdict(verdict)
        self._update_score_button()

    def show_result(self, outcome: ScoringOutcome) -> None:
        result = outcome.result
        self.output_path = Path(result.out_path) if result.out_path is not None else None
        self._confirmed_output = self.output_path   # scoring again into the same file needs no question
        self.summary.setText(f"✓ {scoring_summary(result)}")
        self.summary.setToolTip(str(self.output_path or ""))
        self.summary.setVisible(True)
        self.open_button.setVisible(self.output_path is not None)
        self.preview_model.set_frame(outcome.preview, outcome.added, outcome.row_numbers, outcome.ids)
        self.preview_title.setText(
            f"First {format_int(len(outcome.preview))} of {plural(result.rows_scored, 'scored row')}, numbered as "
            f"in the input (the file's row column) — {', '.join(outcome.added)} added (highlighted)")
        self.preview_title.setVisible(True)
        self.preview_pages.setCurrentWidget(self.preview)
        self._size_preview()
        QTimer.singleShot(0, self, lambda: self.scroll.ensureWidgetVisible(self.preview_pages, 0, 0))   # the result

    def _size_preview(self) -> None:
        self.preview.resizeColumnsToContents()
        header = self.preview.horizontalHeader()
        for column in range(self.preview_model.columnCount()):
            if header.sectionSize(column) > PREVIEW_MAX_WIDTH:
                header.resizeSection(column, PREVIEW_MAX_WIDTH)

    # -- the score button -------------------------------------------------------------------------
    def output(self) -> Path | None:
        text = self.output_edit.text().strip()
        return Path(text).expanduser() if text else None

    def score_rows(self) -> int:
        """How many rows Score would score (0: it cannot)."""
        report = self.report
        if report is None or report.scorable_rows == 0:
            return 0
        if report.scorable_rows == report.rows:
            return report.rows
        return report.scorable_rows if self.only_valid.isChecked() else 0

    def _update_score_button(self) -> None:
        n = self.score_rows()
        out = self.output()
        problem = ""
        if self.report is None:
            problem = "Choose a file to score first."
        elif n == 0 and self.report.scorable_rows:
            problem = (f"{plural(self.report.rows - self.report.scorable_rows, 'row')} cannot be scored: fix the "
                       "file, or tick the box to leave them out.")
        elif n == 0:
            problem = "No row of this file can be scored: see the problems above."
        elif out is None:
            problem = "Choose where to save the scored rows."
        elif out.suffix.lower() not in OUTPUT_SUFFIXES:
            problem = "Name the output file .csv, .parquet or .xlsx."
        self.score_button.setText(f"Score {plural(n, 'row')}" if n else "Score")
        self.score_button.setEnabled(not problem and not self._busy)
        self.score_button.setToolTip(problem or f"Score the rows and save them to {out}")

    def _score(self) -> None:
        out = self.output()
        if out is None or not self.score_button.isEnabled():
            return
        if out.exists() and out != self._confirmed_output:
            self._confirm_replace(out)
            return
        only_valid = self.only_valid.isVisible() and self.only_valid.isChecked()
        self.score_requested.emit(out, only_valid)

    def _confirm_replace(self, out: Path) -> None:
        """Ask once before an existing file is replaced (the file dialog asks itself)."""
        box = QMessageBox(self)
        box.setObjectName("replaceOutputBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Replace the file?")
        box.setText(f"{out.name} already exists in {out.parent}.")
        box.setInformativeText("Scoring replaces it with the scored rows.")
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        replace = box.addButton("Replace", QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is replace:
                self._confirmed_output = out
                self._score()

        box.finished.connect(answered)
        self.replace_box = box
        box.open()

    # -- files ------------------------------------------------------------------------------------
    def typed_input(self) -> None:
        """Enter (or leaving the field) checks a typed path; a path that is no file says so in the banner."""
        text = self.input_edit.text().strip().strip('"')
        if self._busy or not text or (self.input_path is not None and text == str(self.input_path)):
            return
        path = Path(text).expanduser()
        if path.is_file():
            self.input_chosen.emit(path)
        else:
            self.input_path = None
            self.show_problem(missing_input(path))

    def _output_folder(self) -> Path | None:
        return self.output_folder

    def choose_input(self) -> None:
        start = str(self.input_path.parent) if self.input_path else ""
        path, _filter = QFileDialog.getOpenFileName(self, "Choose the rows to score", start, INPUT_FILTER)
        if path:
            self.input_chosen.emit(Path(path))

    def choose_output(self) -> None:
        start = self.output_edit.text().strip() or (str(self.input_path.parent) if self.input_path else "")
        path, chosen_filter = QFileDialog.getSaveFileName(self, "Save the scored rows as", start, OUTPUT_FILTER)
        if not path:
            return
        out = Path(path)
        if out.suffix.lower() not in OUTPUT_SUFFIXES:
            suffix = {"Parquet": ".parquet", "Excel": ".xlsx"}.get((chosen_filter or "").split(" ")[0], ".csv")
            out = out.with_name(out.name + suffix)
        self.output_edit.setText(str(out))
        self._confirmed_output = out   # the file dialog asked before an existing file was chosen

    def open_output_folder(self) -> None:
        if self.output_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.output_path.parent)))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if not self._busy and _dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        path = _dropped_file(event)
        if path is not None and not self._busy:
            event.acceptProposedAction()
            self.input_chosen.emit(path)


def _dropped_file(event) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in INPUT_SUFFIXES else None
