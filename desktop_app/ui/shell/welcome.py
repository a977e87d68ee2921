"""The welcome page: start a project, open one, join a colleague's through a shared folder, or try the sample."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.shell import recent

PATH_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
MISSING_ROLE = Qt.ItemDataRole.UserRole + 2
VISIBLE_ROWS = 6


class RecentDelegate(QStyledItemDelegate):
    """Two lines: the project name (bold) and its folder (grey); missing folders say so."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        missing = bool(index.data(MISSING_ROLE))
        rect = opt.rect.adjusted(10, 6, -10, -6)
        line = opt.fontMetrics.height()
        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        name_color = QColor("#ffffff") if selected else QColor("#8a929c" if missing else "#1d2733")
        painter.setPen(name_color)
        name = index.data(NAME_ROLE) + ("  (folder not found)" if missing else "")
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(opt.font)
        painter.setPen(QColor("#e8eef8") if selected else QColor("#8a929c"))
        path = opt.fontMetrics.elidedText(index.data(PATH_ROLE), Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(QRect(rect.left(), rect.top() + line + 2, rect.width(), line),
                         Qt.AlignmentFlag.AlignLeft, path)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return QSize(200, option.fontMetrics.height() * 2 + 14)


class WelcomePage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    sample_requested = Signal()
    join_requested = Signal()
    recent_activated = Signal(str)  # project folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

        title = QLabel("Welcome to MLDesk")
        title.setObjectName("pageTitle")
        subtitle = QLabel(
            "Take a tabular model from raw data to a registered, deployable model — "
            "everything stays in a project folder on this computer."
        )
        subtitle.setWordWrap(True)
        subtitle.setObjectName("purpose")

        self.new_button = self._action_button("New project…", "Ctrl+N", primary=True)
        self.open_button = self._action_button("Open project…", "Ctrl+O")
        self.sample_button = self._action_button("Open the sample project", None)
        self.join_button = QPushButton("Join a team from a shared folder…")
        self.join_button.setObjectName("joinTeamButton")
        self.join_button.setToolTip("Copy a project a colleague shares through a folder onto this computer, "
                                    "and keep it in step with theirs")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button.clicked.connect(self.open_requested)
        self.sample_button.clicked.connect(self.sample_requested)
        self.join_button.clicked.connect(self.join_requested)
        actions = QHBoxLayout()
        actions.setSpacing(16)
        actions.addWidget(self._card(self.new_button, "Create an empty project folder and import your data."))
        actions.addWidget(self._card(self.open_button, "Continue with a project you or a colleague made."))
        sample_card = self._card(self.sample_button, "Explore a ready-made project with heart-disease data.")
        actions.addWidget(sample_card)
        # The sample data ships in the source tree and the standalone build, not in a bare wheel:
        # offer it only where it is.
        from desktop_app.core.paths import SAMPLE_CSV

        sample_card.setVisible(SAMPLE_CSV.exists())

        recent_title = QLabel("Recent projects")
        recent_title.setObjectName("sectionTitle")
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentList")
        self.recent_list.setItemDelegate(RecentDelegate(self.recent_list))
        self.recent_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.recent_list.itemActivated.connect(self._activate)
        self.recent_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.recent_list.customContextMenuRequested.connect(self._context_menu)
        remove_shortcut = QShortcut(QKeySequence.StandardKey.Delete, self.recent_list)
        remove_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_shortcut.activated.connect(self._remove_selected)
        self.recent_hint = QLabel()
        self.recent_hint.setObjectName("hint")
        self.recent_hint.setWordWrap(True)
        self.remove_missing_button = QPushButton("Remove missing")
        self.remove_missing_button.setToolTip("Remove projects whose folder was moved or deleted from this list")
        self.remove_missing_button.clicked.connect(self._remove_missing)
        hint_row = QHBoxLayout()
        hint_row.addWidget(self.recent_hint, 1)
        hint_row.addWidget(self.remove_missing_button)

        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(18)
        column.addLayout(actions)
        join_hint = QLabel("Working with colleagues? Get your own copy of the project they share through a folder:")
        join_hint.setObjectName("hint")
        join_hint.setWordWrap(True)
        join_row = QHBoxLayout()
        join_row.addWidget(join_hint, 1)
        join_row.addWidget(self.join_button)
        column.addSpacing(4)
        column.addLayout(join_row)
        column.addSpacing(22)
        column.addWidget(recent_title)
        column.addWidget(self.recent_list)
        column.addLayout(hint_row)
        column.addStretch(1)

        content = QWidget()
        content.setMaximumWidth(860)
        content.setLayout(column)
        content.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 48, 40, 32)
        outer.addStretch(1)
        outer.addWidget(content, 4)
        outer.addStretch(1)

        self.refresh()

    # -- building blocks -----------------------------------------------------------
    def _action_button(self, text: str, shortcut: str | None, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(36)
        if primary:
            button.setObjectName("primaryButton")
        if shortcut:
            button.setToolTip(f"{text.rstrip('…')} ({shortcut})")
        return button

    def _card(self, button: QPushButton, text: str) -> QFrame:
        frame = QFrame()
        frame.setObjectName("card")
        label = _WrappingLabel(text)
        label.setObjectName("hint")
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.addWidget(button)
        layout.addWidget(label, 1)
        frame.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        frame.setMinimumHeight(104)
        return frame

    # -- recent projects -----------------------------------------------------------
    def refresh(self) -> None:
        self.recent_list.clear()
        items = recent.load_recent()
        missing = 0
        first_existing = -1
        for row, project in enumerate(items):
            item = QListWidgetItem(f"{project.name} — {project.path}")
            item.setData(PATH_ROLE, project.path)
            item.setData(NAME_ROLE, project.name)
            item.setData(MISSING_ROLE, not project.exists)
            if project.exists:
                item.setToolTip(f"Open {project.name} ({project.path})")
                if first_existing < 0:
                    first_existing = row
            else:
                missing += 1
                item.setToolTip("This folder was moved or deleted. Press Delete to remove it from the list.")
            self.recent_list.addItem(item)
        row_height = self.recent_list.sizeHintForRow(0) if items else 0
        shown = max(1, min(len(items), VISIBLE_ROWS))
        self.recent_list.setFixedHeight(row_height * shown + 2 * self.recent_list.frameWidth() + 2)
        if not items:
            self.recent_hint.setText(
                "No recent projects yet. New here? Open the sample project to see how MLDesk works."
            )
        else:
            self.recent_hint.setText("Double-click a project to open it.")
        self.recent_list.setVisible(bool(items))
        self.remove_missing_button.setVisible(missing > 0)
        if first_existing >= 0:
            self.recent_list.setCurrentRow(first_existing)

    def _activate(self, item: QListWidgetItem) -> None:
        path = item.data(PATH_ROLE)
        if not recent.RecentProject(path, "").exists:
            self.recent_hint.setText(f"'{path}' was moved or deleted. "
                                     "Remove it from the list or open it from its new place.")
            return
        self.recent_activated.emit(path)

    def _remove_selected(self) -> None:
        item = self.recent_list.currentItem()
        if item is not None:
            recent.forget(item.data(PATH_ROLE))
            self.refresh()

    def _remove_missing(self) -> None:
        recent.forget_missing()
        self.refresh()

    def _context_menu(self, pos) -> None:
        item = self.recent_list.itemAt(pos)
        if item is None:
            return
        self.recent_list.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._activate(item))
        menu.addAction("Remove from list", self._remove_selected)
        menu.exec(self.recent_list.viewport().mapToGlobal(pos))


class _WrappingLabel(QLabel):
    """A wrapped label that is always as tall as its lines at its width (a card's text wrapped in a narrow
    window was cut mid-line: the row of cards does not ask its labels for their height at a width)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width())
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)
