"""An SVG chart (the dossier's, `core.dossier.charts`) shown in the window: at its size, or smaller in
proportion when the pane is narrower (a laptop screen)."""

from __future__ import annotations

import re

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QSizePolicy

_SIZE = re.compile(r'width="(\d+)" height="(\d+)"')
SMALLEST = 0.6   # of its size, before the pane scrolls instead


def svg_widget(svg: str) -> QSvgWidget:
    widget = QSvgWidget()
    widget.load(QByteArray(svg.encode("utf-8")))
    widget.renderer().setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
    size = _SIZE.search(svg)
    if size:
        width, height = int(size.group(1)), int(size.group(2))
        widget.setMaximumSize(width, height)
        widget.setMinimumSize(int(width * SMALLEST), int(height * SMALLEST))
        widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        widget.sizeHint = lambda w=width, h=height: QSize(w, h)   # noqa: E731 - its natural size
    return widget
