"""Small icons painted in code, crisp at 100% and 200% scaling."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap


def crisp_icon(size: int, paint: Callable[[QPainter], None], *, same_when_selected: bool = False) -> QIcon:
    """A `size`×`size` icon drawn by `paint` (antialiased, in logical pixels) at 1x and 2x.

    With `same_when_selected` the selected rows show the very same pixmap (no selection tint),
    for icons whose colour must match something else, such as a run's colour in the charts."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(size * scale, size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint(painter)
        painter.end()
        icon.addPixmap(pixmap)
        if same_when_selected:
            icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon
