"""Small pieces the Export step's two panels share: a progress line with Cancel, a verdict banner
(big ✓ / ✗ with one sentence and the details one click away), and a copyable command row."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.export.text import FAIL_COLOR, NEUTRAL_COLOR, OK_COLOR, WARN_COLOR, Verdict

GLYPHS = {"ok": ("✓", OK_COLOR), "fail": ("✗", FAIL_COLOR), "warn": ("⚠", WARN_COLOR),
          "skipped": ("–", NEUTRAL_COLOR), "neutral": ("", NEUTRAL_COLOR)}
BACKGROUNDS = {"ok": "#eef7f0", "fail": "#fbeeed", "warn": "#fdf6e7", "skipped": "#f3f5f7", "neutral": "#f3f5f7"}


class ProgressLine(QWidget):
    """'▓▓▓░░ Running the bundle's predict.py   [Cancel]' while a task runs."""

    cancel_requested = Signal()

    def __init__(self, cancel_tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(200)
        self.bar.setTextVisible(False)
        self.message = QLabel()
        self.message.setObjectName("hint")
        # Core messages can hold long paths: they are cut, never allowed to widen the step.
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.cancel_button)

    def start(self, message: str) -> None:
        self.bar.setValue(0)
        self.message.setText(message)
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def set_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if message and message != "Starting…" and self.cancel_button.isEnabled():
            self.message.setText(message)
            self.message.setToolTip(message)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.message.setText("Cancelling…")
        self.cancel_requested.emit()


class VerdictBanner(QFrame):
    """A coloured banner: a big glyph, a bold headline, one sentence, and "Details" that unfolds the rest."""

    def __init__(self, parent: QWidget | None = None, *, big: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.verdict: Verdict | None = None
        self.glyph = QLabel()
        self.glyph.setObjectName("verdictGlyph")
        self.glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.glyph.setFixedWidth(40 if big else 24)
        self._glyph_size = "24pt" if big else "14pt"
        self.headline = QLabel()
        self.headline.setObjectName("verdictHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QLabel()
        self.text.setObjectName("verdictText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton("Details")
        self.details_button.setObjectName("detailsButton")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Show what was checked, or the technical message")
        self.details_button.toggled.connect(self._toggle_details)
        self.details = QPlainTextEdit()
        self.details.setObjectName("verdictDetails")
        self.details.setReadOnly(True)
        self.details.setVisible(False)

        words = QVBoxLayout()
        words.setSpacing(1)
        words.addWidget(self.headline)
        words.addWidget(self.text)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.glyph, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(words, 1)
        top.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6 if big else 4, 10, 6 if big else 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.details)
        self._headline_size = "12.5pt" if big else "10.5pt"
        self.set_verdict(None)

    def set_verdict(self, verdict: Verdict | None) -> None:
        self.verdict = verdict
        self.setVisible(verdict is not None)
        if verdict is None:
            return
        glyph, color = GLYPHS.get(verdict.state, GLYPHS["neutral"])
        self.setStyleSheet(
            f"QFrame#verdictBanner {{ background: {BACKGROUNDS.get(verdict.state, '#f3f5f7')}; "
            f"border: 1px solid {color}33; border-radius: 6px; }}"
            f"QLabel#verdictGlyph {{ color: {color}; font-size: {self._glyph_size}; font-weight: 700; }}"
            f"QLabel#verdictHeadline {{ color: {color}; font-size: {self._headline_size}; font-weight: 600; }}"
            f"QLabel#verdictText {{ color: #2b3440; }}")
        self.glyph.setText(glyph)
        self.glyph.setVisible(bool(glyph))
        self.headline.setText(verdict.headline)
        self.text.setText(verdict.text)
        self.text.setVisible(bool(verdict.text))
        self.details.setPlainText(verdict.details)
        lines = verdict.details.count("\n") + 1
        self.details.setFixedHeight(min(140, self.fontMetrics().lineSpacing() * min(lines, 8) + 14))
        self.details_button.setVisible(bool(verdict.details))
        self.details_button.setChecked(False)

    def _toggle_details(self, shown: bool) -> None:
        shown = shown and bool(self.details.toPlainText())
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Details")

    def summary(self) -> str:
        """Glyph and words, as a screen reader (or a test) reads them."""
        if self.verdict is None:
            return ""
        return " ".join(t for t in (self.glyph.text(), self.headline.text(), self.text.text()) if t)


class CommandBox(QTextEdit):
    """A command in a read-only, selectable box that wraps it (anywhere, paths too) and is as tall as its lines:
    the whole command on screen, copied as one line."""

    def __init__(self, command: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("commandEdit")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(3)
        self.setPlainText(command)
        self.setToolTip(command)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    def _fit(self) -> None:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)


class CommandList(QWidget):
    """Rows of 'what it does   [command]   [Copy]' — each command whole (wrapped), selectable and copied with
    one click."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        self.boxes: list[CommandBox] = []
        self.copy_buttons: list[QPushButton] = []

    def set_commands(self, commands: list[tuple[str, str]]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.boxes, self.copy_buttons = [], []
        for row, (what, command) in enumerate(commands):
            label = QLabel(what)
            label.setObjectName("hint")
            box = CommandBox(command)
            button = QPushButton("Copy")
            button.setToolTip(f"Copy to the clipboard: {command}")
            button.clicked.connect(lambda _c=False, text=command, b=button: self._copy(text, b))
            self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(box, row, 1)
            self.grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
            self.boxes.append(box)
            self.copy_buttons.append(button)

    def commands(self) -> list[str]:
        return [box.toPlainText() for box in self.boxes]

    @staticmethod
    def _copy(text: str, button: QPushButton) -> None:
        QGuiApplication.clipboard().setText(text)
        button.setText("Copied")
        from PySide6.QtCore import QTimer

        QTimer.singleShot(1500, lambda: button.setText("Copy") if _alive(button) else None)


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
        return True
    except RuntimeError:  # deleted meanwhile
        return False
