"""A dossier's HTML printed to PDF with Qt's own text layout and printing (no browser), every chart in it.

    pages = write_pdf(html, "heart-risk-v2.pdf")      # the number of pages written

Qt's rich-text engine does not draw inline SVG, so each chart is drawn first (QSvgRenderer, at twice
its size for print) into an image the document holds as a resource, and the <svg> element becomes an
<img> of it. The page is A4 with 15 mm margins. Works without a display (the CLI sets the offscreen
platform when no application exists yet).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
SIZE = re.compile(r'<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"')
SCALE = 2   # charts are drawn at twice their size, so that they stay sharp in print


def _application():
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app


def document(html: str):
    """A QTextDocument of `html` with its SVG charts as image resources."""
    from PySide6.QtCore import QByteArray, QUrl
    from PySide6.QtGui import QImage, QPainter, QTextDocument
    from PySide6.QtSvg import QSvgRenderer

    _application()
    doc = QTextDocument()
    images = []

    def replace(match: re.Match) -> str:
        svg = match.group(0)
        size = SIZE.search(svg)
        width, height = (int(size.group(1)), int(size.group(2))) if size else (440, 220)
        image = QImage(width * SCALE, height * SCALE, QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        QSvgRenderer(QByteArray(svg.encode("utf-8"))).render(painter)
        painter.end()
        name = f"chart{len(images)}.png"
        images.append((name, image))
        return f'<img src="{name}" width="{width}" height="{height}">'

    text = SVG.sub(replace, html)
    for name, image in images:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    doc.setHtml(text)
    return doc


def write_pdf(html: str, path: str | os.PathLike) -> int:
    """Print `html` to a PDF file at `path` (through a temporary file); the number of pages."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    path = Path(path)
    doc = document(html)
    temporary = path.with_name(f".{path.name}.partial")
    writer = QPdfWriter(str(temporary))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    writer.setTitle("MLDesk dossier")
    writer.setCreator("MLDesk")
    doc.print_(writer)
    del writer   # the file is complete once the writer is gone
    os.replace(temporary, path)
    return count_pages(path)


def count_pages(path: str | os.PathLike) -> int:
    """The pages of a PDF file Qt wrote (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page\b", Path(path).read_bytes()))
