"""A one-line label that shortens its text with "…" to fit, keeping the whole text in its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setMinimumWidth(1)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        self._full = text
        self.setToolTip(text)
        self._fit()

    def text(self) -> str:
        """The whole text, as set (what is painted may be shortened)."""
        return self._full

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name: never asks for the whole text's width
        return QSize(1, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name: asks for the whole text, so that it grows back
        hint = super().sizeHint()
        margins = self.contentsMargins()
        whole = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2 * self.margin()
        return QSize(max(hint.width(), whole), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(1, self.width()))
        super().setText(shown)
