"""The user guide in a window of its own (Help → User guide, F1, and each step's "?"): offline, no browser.

Qt renders the guide's Markdown itself (QTextBrowser reads `.md` files, images relative to the file).
Markdown headings carry no anchors there, so each heading gets its GitHub slug as an anchor name when a
page loads: the guide's own links (`#9-team-…`), the steps' sections and the contents list all use them.
Screenshots are scaled down to the page's width (a list item's by its indent too), never cut: no horizontal
scroll bar.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut, QTextCursor, QTextDocument, QTextImageFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.shell.guide_files import slug

DEFAULT_SIZE = (1100, 780)
IMAGE_MARGIN = 8   # px kept free beside a scaled screenshot, so no horizontal scroll bar appears


class GuideWindow(QWidget):
    """The guide at `path`; `show_section(anchor)` opens it at a heading ("" for the top)."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("guideWindow")
        self.setWindowTitle("MLDesk user guide")
        self.guide_url = QUrl.fromLocalFile(str(path))
        self.anchors: dict[str, int] = {}   # the page's heading slugs → their position in the document

        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        # Links are followed here: QTextBrowser would reload a Markdown page for a link to one of its own
        # headings, losing the anchors added on loading. Web links go to the system's browser.
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self.follow_link)
        self.history: list[tuple[QUrl, int]] = []   # where Back returns: a page and its scroll position
        self.browser.document().setUndoRedoEnabled(False)
        self.browser.sourceChanged.connect(self._page_loaded)
        self.browser.viewport().installEventFilter(self)
        self._fit_timer = QTimer(self, singleShot=True, interval=60)
        self._fit_timer.timeout.connect(self._fit_images)

        self.contents = QListWidget()
        self.contents.setObjectName("guideContents")
        self.contents.setSpacing(2)
        self.contents.itemActivated.connect(self._open_item)
        self.contents.itemClicked.connect(self._open_item)

        self.back_button = QPushButton("← Back")
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.back)
        self.top_button = QPushButton("Contents")
        self.top_button.setToolTip("The start of the user guide")
        self.top_button.clicked.connect(lambda: self.show_section(""))
        self.find_field = QLineEdit()
        self.find_field.setObjectName("guideFind")
        self.find_field.setPlaceholderText("Find in the guide (Enter: next, Shift+Enter: previous)")
        self.find_field.setClearButtonEnabled(True)
        self.find_field.installEventFilter(self)
        self.find_field.textChanged.connect(lambda _text: self.find_status.clear())
        self.find_status = QLabel()
        self.find_status.setObjectName("hint")
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.find_field.setFocus)

        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.top_button)
        bar.addSpacing(12)
        bar.addWidget(self.find_field, 1)
        bar.addWidget(self.find_status)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.resize(*DEFAULT_SIZE)
        self.browser.setSource(self.guide_url)

    # -- opening ------------------------------------------------------------------------------------
    def show_section(self, anchor: str) -> None:
        """Show the window at the guide's heading `anchor` (its slug), or at the top for ""."""
        if self.isVisible():
            self._remember()
        self._open_page(self.guide_url)
        self.show()
        self.raise_()
        self.activateWindow()
        self._scroll_to(anchor)
        QTimer.singleShot(0, lambda: self._scroll_to(anchor))   # again once the first layout is done

    def follow_link(self, url: QUrl) -> None:
        """A link clicked in the guide: a heading of this page or another page of the guide, or the web."""
        if url.scheme() not in ("", "file"):
            QDesktopServices.openUrl(url)
            return
        self._remember()
        self._open_page(url)
        self._scroll_to(url.fragment())

    def back(self) -> None:
        page, position = self.history.pop()
        self._open_page(page)
        self.browser.verticalScrollBar().setValue(position)
        self.back_button.setEnabled(bool(self.history))

    def _remember(self) -> None:
        here = (self.browser.source(), self.browser.verticalScrollBar().value())
        if not self.history or self.history[-1] != here:
            self.history.append(here)
        self.back_button.setEnabled(True)

    def _open_page(self, url: QUrl) -> None:
        """Load the page of `url` unless it is the one shown (its fragment is for the caller to scroll to)."""
        page = QUrl(url)
        page.setFragment(None)
        if page.toLocalFile() != self.browser.source().toLocalFile():
            self.browser.setSource(page)

    def _scroll_to(self, anchor: str) -> None:
        if anchor:
            self.browser.scrollToAnchor(anchor)
        else:
            self.browser.verticalScrollBar().setValue(0)
        for row in range(self.contents.count()):   # the contents list marks the section shown
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == anchor:
                self.contents.setCurrentRow(row)

    def _open_item(self, item: QListWidgetItem) -> None:
        self._scroll_to(item.data(Qt.ItemDataRole.UserRole))

    # -- a page is loaded: anchors, contents, images ---------------------------------------------
    def _page_loaded(self, _url: QUrl) -> None:
        document = self.browser.document()
        document.setUndoRedoEnabled(False)
        document.setDocumentMargin(12)
        self.anchors = {}
        self.contents.clear()
        taken: dict[str, int] = {}
        block = document.begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                anchor = slug(block.text(), taken)
                self.anchors[anchor] = block.position()
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                named = cursor.charFormat()
                named.setAnchor(True)
                named.setAnchorNames([anchor])
                cursor.mergeCharFormat(named)
                if level <= 3:
                    short = block.text().split(":")[0]   # "4. Train: try models…" → "4. Train"; fits 1024 px
                    item = QListWidgetItem("    " * max(level - 2, 0) + short)
                    item.setData(Qt.ItemDataRole.UserRole, "" if level == 1 else anchor)
                    item.setToolTip(block.text())
                    self.contents.addItem(item)
            block = block.next()
        self._fit_images()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.browser.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_timer.start()
        elif watched is self.find_field and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.find(backward=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return True
        return super().eventFilter(watched, event)

    def _fit_images(self) -> None:
        """Scale every screenshot to the page's width (at most its own size), keeping its proportions and
        the paragraph at the top of the view where it was."""
        document = self.browser.document()
        inside = int(document.documentMargin()) + 4   # a point in the text: the margin hits no block
        top = self.browser.cursorForPosition(QPoint(inside, inside)).block()
        room = self.browser.viewport().width() - 2 * document.documentMargin() - IMAGE_MARGIN
        images: list[tuple[int, QTextImageFormat, float]] = []   # position, format, the line's indent
        moved = False
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                if fragment.isValid() and fragment.charFormat().isImageFormat():
                    images.append((fragment.position(), fragment.charFormat().toImageFormat(),
                                   _indent(document, block, fragment.position())))
                fragments += 1
            block = block.next()
        for position, image, indent in images:
            picture = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(image.name()))
            if picture is None or picture.isNull() or picture.width() == 0:
                continue
            width = max(min(float(picture.width()), room - indent), 50.0)   # a list item's picture is indented
            if abs(image.width() - width) < 1:
                continue
            image.setWidth(width)
            image.setHeight(width * picture.height() / picture.width())
            cursor = QTextCursor(document)
            cursor.setPosition(position)
            cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(image)
            moved = True
        if moved and top.isValid():
            self.browser.verticalScrollBar().setValue(int(document.documentLayout().blockBoundingRect(top).top()))

    # -- finding ----------------------------------------------------------------------------------
    def find(self, *, backward: bool = False) -> bool:
        """Select the next (previous) place holding the find field's text, wrapping round once."""
        text = self.find_field.text()
        if not text:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.browser.find(text, flags)
        if not found:
            cursor = self.browser.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            found = self.browser.find(text, flags)
        self.find_status.setText("" if found else "Not found")
        return found


def _indent(document: QTextDocument, block, position: int) -> float:
    """How far right of the page's margin the line holding `position` starts (a list item's indent)."""
    document.documentLayout().blockBoundingRect(block)   # lays the block out if it is not yet
    layout = block.layout()
    line = layout.lineForTextPosition(position - block.position()) if layout is not None else None
    return max(0.0, line.x()) if line is not None and line.isValid() else 0.0
