"""The Bundle tab of the Export step: what a bundle is (before the first export), the export's progress
with Cancel, then the bundle — its verification as a big ✓ or ✗, where it is (Open folder), its files
with sizes, how to run it (copyable commands) and its model card (MODEL_CARD.md, rendered).

A view only: the step runs the export and verification on worker threads and hands the results in.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.export.text import Verdict, format_size, run_commands
from desktop_app.ui.steps.export.widgets import CommandList, ProgressLine, VerdictBanner
from desktop_app.ui.text.formatting import exact_time, plural, relative_time
from desktop_app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from desktop_app.core.bundles.listing import BundleListing

INTRO = (
    "<p>A <b>bundle</b> is a folder that runs this model without MLDesk — hand it to whoever deploys it:</p>"
    "<ul style='margin-left:-16px'>"
    "<li><b>model.skops</b> — the whole fitted pipeline: data preparation and model</li>"
    "<li><b>predict.py</b> — scores a CSV, Excel or Parquet file: <code>python predict.py input.csv</code></li>"
    "<li><b>serve.py</b> and a <b>Dockerfile</b> — a small web service (<code>POST /invocations</code>)</li>"
    "<li><b>MLmodel</b> — MLflow's format: <code>mlflow models serve</code> works too</li>"
    "<li><b>MODEL_CARD.md</b> — data version, metrics, lineage, intended use and limits</li>"
    "<li><b>requirements.txt</b> and <b>SHA256SUMS</b> — exact library versions and file checksums</li>"
    "</ul>"
    "<p>Before a bundle is kept, MLDesk runs its predict.py in a separate process on held-out rows and checks "
    "that it predicts exactly what the app predicts.</p>"
    "<p>To score a file with the model here instead, open the <b>Batch scoring</b> tab.</p>"
)


class BundlePanel(QWidget):
    export_requested = Signal()
    verify_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bundlePanel")
        self.listing: BundleListing | None = None   # the bundle shown, or None

        self.banner = VerdictBanner()
        self.progress = ProgressLine("Stop the export; nothing is left behind")
        self.progress.cancel_requested.connect(self.cancel_requested)
        self.progress.setVisible(False)

        # -- before the first export ----------------------------------------------------------------
        self.intro = QLabel(INTRO)
        self.intro.setObjectName("bundleIntro")
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.intro.setWordWrap(True)
        self.last_note = QLabel()
        self.last_note.setObjectName("hint")
        self.last_note.setWordWrap(True)
        self.last_note.setVisible(False)
        self.intro_button = QPushButton("Export bundle…")
        self.intro_button.setObjectName("primaryButton")
        self.intro_button.setMinimumHeight(32)
        self.intro_button.setToolTip("Choose where to write the bundle (Ctrl+Enter)")
        self.intro_button.clicked.connect(self.export_requested)
        card = QFrame()
        card.setObjectName("card")
        card.setMaximumWidth(760)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(18, 12, 18, 16)
        card_layout.addWidget(self.intro)
        card_layout.addWidget(self.last_note)
        card_layout.addSpacing(6)
        card_layout.addWidget(self.intro_button, 0, Qt.AlignmentFlag.AlignLeft)
        intro_page = QWidget()
        intro_layout = QVBoxLayout(intro_page)
        intro_layout.setContentsMargins(0, 8, 0, 0)
        intro_layout.addWidget(card)
        intro_layout.addStretch(1)

        # -- the bundle -------------------------------------------------------------------------------
        self.path_caption = QLabel("Bundle")
        self.path_caption.setObjectName("subTitle")
        # Shortened in the middle: the bundle folder's own name at the end always shows; the tooltip has it all.
        self.path_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.path_label.setObjectName("bundlePath")
        self.path_label.setMinimumWidth(120)
        self.when_label = QLabel()
        self.when_label.setObjectName("hint")
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the bundle in your file manager")
        self.open_button.clicked.connect(self.open_folder)
        self.verify_button = QPushButton("Verify again")
        self.verify_button.setToolTip("Check the bundle as it is on disk now: its checksums, and predict.py in a "
                                      "separate process against the model in MLDesk")
        self.verify_button.clicked.connect(self.verify_requested)
        path_row = QHBoxLayout()
        path_row.setSpacing(8)
        path_row.addWidget(self.path_caption)
        path_row.addWidget(self.path_label, 1)
        path_row.addWidget(self.when_label)
        path_row.addWidget(self.open_button)
        path_row.addWidget(self.verify_button)

        self.files_title = QLabel("Files")
        self.files_title.setObjectName("subTitle")
        self.files = QTreeWidget()
        self.files.setObjectName("bundleFiles")
        self.files.setHeaderLabels(["File", "Size"])
        self.files.setRootIsDecorated(True)
        self.files.setUniformRowHeights(True)
        header = self.files.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # As tall as its rows (the outer pane scrolls instead): no scroll bar of its own beside the pane's.
        self.files.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files.itemExpanded.connect(lambda _item: self._fit_files())
        self.files.itemCollapsed.connect(lambda _item: self._fit_files())
        run_title = QLabel("How to run it")
        run_title.setObjectName("subTitle")
        self.commands = CommandList()
        self.mlflow_hint = QLabel("MLflow 3.11 and later also want MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true "
                                  "(see the model card).")
        self.mlflow_hint.setObjectName("hint")
        self.mlflow_hint.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.files_title)
        left_layout.addWidget(self.files)
        left_layout.addSpacing(6)
        left_layout.addWidget(run_title)
        left_layout.addWidget(self.commands)
        left_layout.addWidget(self.mlflow_hint)
        left_layout.addStretch(1)
        # On a laptop the files and the commands do not both fit: the pane scrolls as a whole.
        self.left_scroll = QScrollArea()
        self.left_scroll.setObjectName("bundleLeftScroll")
        self.left_scroll.setWidgetResizable(True)
        self.left_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.left_scroll.setWidget(left)
        self.left_scroll.viewport().setAutoFillBackground(False)

        card_title = QLabel("Model card (MODEL_CARD.md)")
        card_title.setObjectName("subTitle")
        self.card = QTextBrowser()
        self.card.setObjectName("modelCard")
        self.card.setOpenExternalLinks(True)
        self.card.document().setDocumentMargin(10)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.setSpacing(4)
        right_layout.addWidget(card_title)
        right_layout.addWidget(self.card, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("exportBundleSplitter")
        self.splitter.addWidget(self.left_scroll)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([610, 470])
        result_page = QWidget()
        result_layout = QVBoxLayout(result_page)
        result_layout.setContentsMargins(0, 0, 0, 0)
        result_layout.setSpacing(6)
        result_layout.addLayout(path_row)
        result_layout.addWidget(self.splitter, 1)

        self.pages = QStackedWidget()
        self.intro_page, self.result_page = intro_page, result_page
        self.pages.addWidget(intro_page)
        self.pages.addWidget(result_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.banner)
        layout.addWidget(self.progress)
        layout.addWidget(self.pages, 1)

    # -- states -----------------------------------------------------------------------------------
    def show_nothing(self, note: str = "") -> None:
        """No bundle of this version to show: say what a bundle is."""
        self.listing = None
        self.banner.set_verdict(None)
        self.last_note.setText(note)
        self.last_note.setVisible(bool(note))
        self.pages.setCurrentWidget(self.intro_page)

    def set_running(self, running: bool, message: str = "") -> None:
        if running:
            self.progress.start(message)
        self.progress.setVisible(running)
        self.intro_button.setEnabled(not running)
        self.verify_button.setEnabled(not running and self.listing is not None)

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.set_progress(fraction, message)

    def set_verdict(self, verdict: Verdict | None) -> None:
        self.banner.set_verdict(verdict)

    def show_bundle(self, listing: BundleListing, verdict: Verdict | None, *,
                    exported_at: datetime | None = None) -> None:
        """Show a bundle on disk (the core's `BundleListing`) with its verification."""
        self.listing = listing
        self.banner.set_verdict(verdict)
        path = Path(listing.path)
        self.path_label.setText(str(path))
        self.path_label.setToolTip(str(path))
        count = len(listing.files)
        when = ""
        if exported_at is not None:
            when = f" · exported {relative_time(exported_at)}"
            self.when_label.setToolTip(f"Exported {exact_time(exported_at)}")
        self.when_label.setText(f"{'zip, ' if listing.zipped else ''}{plural(count, 'file')}, "
                                f"{format_size(listing.size)}{when}")
        self.open_button.setText("Show in folder" if listing.zipped else "Open folder")
        self.verify_button.setEnabled(not self.progress.isVisible())
        self._fill_files(listing.files)
        self.commands.set_commands(run_commands(path, listing.zipped))
        if listing.card:
            self.card.setMarkdown(listing.card)
            _drop_empty_header_rows(self.card.document())
        else:
            self.card.setPlainText("This bundle has no MODEL_CARD.md.")
        self.pages.setCurrentWidget(self.result_page)

    def _fill_files(self, files: tuple[tuple[str, int], ...]) -> None:
        self.files.clear()
        folders: dict[str, QTreeWidgetItem] = {}
        totals: dict[str, list[int]] = {}
        tops = []
        for name, size in files:
            if "/" in name:
                top = name.split("/", 1)[0]
                if top not in folders:
                    folders[top] = QTreeWidgetItem([f"{top}/", ""])
                    folders[top].setToolTip(0, "The MLDesk modules the model file needs, copied in so the "
                                               "bundle runs without MLDesk")
                    totals[top] = [0, 0]
                    tops.append(folders[top])
                child = QTreeWidgetItem([name.split("/", 1)[1], format_size(size)])
                child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                child.setToolTip(0, name)
                folders[top].addChild(child)
                totals[top][0] += 1
                totals[top][1] += size
            else:
                item = QTreeWidgetItem([name, format_size(size)])
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(0, FILE_HELP.get(name, name))
                tops.append(item)
        for top, item in folders.items():
            count, size = totals[top]
            item.setText(0, f"{top}/  ({plural(count, 'file')})")
            item.setText(1, format_size(size))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.files.addTopLevelItems(tops)
        self._fit_files()

    def _fit_files(self) -> None:
        """The list as tall as the rows it shows (folders open or closed)."""
        rows, item = 0, self.files.topLevelItem(0)
        while item is not None:
            rows += 1
            item = self.files.itemBelow(item)
        row = self.files.sizeHintForRow(0) if rows else self.fontMetrics().height() + 4
        self.files.setFixedHeight(self.files.header().sizeHint().height() + max(rows, 1) * row
                                  + 2 * self.files.frameWidth() + 2)

    def file_names(self) -> list[str]:
        """Top-level names as listed (folders end with '/')."""
        return [self.files.topLevelItem(i).text(0).split("  (")[0] for i in range(self.files.topLevelItemCount())]

    def open_folder(self) -> None:
        if self.listing is None:
            return
        path = Path(self.listing.path)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent if self.listing.zipped else path)))


def _drop_empty_header_rows(document) -> None:
    """Markdown tables need a header row; the card's key–value tables leave it empty. Do not draw it."""
    from PySide6.QtGui import QTextTable

    tables = []
    block = document.begin()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if isinstance(table, QTextTable) and table not in tables:
            tables.append(table)
        block = block.next()
    for table in tables:
        if table.rows() > 1 and all(not table.cellAt(0, c).firstCursorPosition().block().text().strip()
                                    for c in range(table.columns())):
            table.removeRows(0, 1)


FILE_HELP = {
    "MLmodel": "MLflow's description of the model: flavours, signature, input example",
    "model.skops": "The whole fitted pipeline (data preparation and model), in the safe skops format",
    "requirements.txt": "The exact library versions the model needs: pip install -r requirements.txt",
    "python_env.yaml": "The Python environment, as MLflow describes it",
    "conda.yaml": "The same environment for conda",
    "input_example.json": "A few training rows, as the model takes them",
    "serving_input_example.json": "The same rows in the request format of serve.py and MLflow",
    "predict.py": "Scores a file: python predict.py input.csv > predictions.csv",
    "serve.py": "A small web service: python serve.py --port 8080 (GET /ping, POST /invocations)",
    "Dockerfile": "Builds an image that runs serve.py on port 8080",
    "MODEL_CARD.md": "What the model is, its data, metrics, lineage, intended use and limits",
    "SHA256SUMS": "A checksum of every file: sha256sum -c SHA256SUMS",
}
