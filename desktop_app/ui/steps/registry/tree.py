"""Registered models and their versions as a tree, aliases drawn as badges.

    heart-risk · 3 versions · gate recall>=0.7
        v3   Random forest         ROC AUC 0.861   [staging]
        v2   Logistic regression   ROC AUC 0.842   [production]
        v1   Logistic regression   ROC AUC 0.838   archived

An alias badge can be dragged onto another version of the same model: `alias_dropped`
asks the step to move it (through the same dialog as the button, which wants a reason).
Archived versions are greyed; a version that fails its model's KPI gate says so. A model whose
alias was moved on two workstations at once (a sync conflict) is marked "⚠ conflict" in a
warning colour (the alias in its tooltip), and so are the versions the two moves point at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QFontMetrics, QKeyEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from desktop_app.ui.steps.registry.text import (
    alias_colors,
    count_versions,
    gate_failures,
    gate_text,
    key_metric,
    metric_pair,
)
from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.text.runs import algorithm_label

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.sync.service import Conflict

MODEL_ROLE = Qt.ItemDataRole.UserRole
VERSION_ROLE = Qt.ItemDataRole.UserRole + 1
CHIPS_ROLE = Qt.ItemDataRole.UserRole + 2
VERSION_COL, ALGORITHM_COL, METRIC_COL, ALIAS_COL = range(4)
ALIAS_MIME = "application/x-mldesk-alias"
ARCHIVED_COLOR = "#9aa1a9"
FAIL_COLOR = "#b3261e"
CONFLICT_COLOR = "#a15c00"
CONFLICT_MARK = "⚠ "      # before an alias badge whose alias is in conflict
CHIP_H_PAD, CHIP_GAP, CHIP_HEIGHT = 7, 4, 18


def _gate_words(rules) -> str:
    return f"gate {gate_text(rules)}" if rules else "no KPI gate"


def chip_layout(rect: QRect, chips: list[tuple[str, str]], metrics: QFontMetrics) -> list[tuple[QRect, str, str]]:
    """Where each (text, kind) badge goes inside a cell."""
    out = []
    x = rect.left() + 4
    top = rect.top() + max(0, (rect.height() - CHIP_HEIGHT) // 2)
    for text, kind in chips:
        width = metrics.horizontalAdvance(text) + 2 * CHIP_H_PAD
        out.append((QRect(x, top, width, CHIP_HEIGHT), text, kind))
        x += width + CHIP_GAP
    return out


def paint_chip(painter: QPainter, rect: QRect, text: str, kind: str) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if kind == "alias":
        background, foreground = alias_colors(text)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(rect, CHIP_HEIGHT / 2, CHIP_HEIGHT / 2)
    else:
        foreground = {"fail": FAIL_COLOR, "conflict": CONFLICT_COLOR}.get(kind, ARCHIVED_COLOR)
        painter.setPen(QPen(QColor(foreground), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), CHIP_HEIGHT / 2, CHIP_HEIGHT / 2)
    painter.setPen(QColor(foreground))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


class ChipDelegate(QStyledItemDelegate):
    """Draws the alias column's badges (and the 'fails gate' / 'archived' marks)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        chips = index.data(CHIPS_ROLE) or []
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        font = QFont(option.font)
        font.setPointSizeF(max(font.pointSizeF() - 0.5, 7.0))
        painter.save()
        painter.setFont(font)
        for rect, text, kind in chip_layout(option.rect, chips, QFontMetrics(font)):
            paint_chip(painter, rect, text, kind)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802 - Qt name
        chips = index.data(CHIPS_ROLE) or []
        base = super().sizeHint(option, index)
        if not chips:
            return base
        font = QFont(option.font)
        font.setPointSizeF(max(font.pointSizeF() - 0.5, 7.0))
        rects = chip_layout(QRect(0, 0, 10_000, CHIP_HEIGHT + 6), chips, QFontMetrics(font))
        return QSize(rects[-1][0].right() + 8, max(base.height(), CHIP_HEIGHT + 6))

    def chip_at(self, view: QTreeWidget, index: QModelIndex, pos: QPoint) -> tuple[str, str] | None:
        chips = index.data(CHIPS_ROLE) or []
        font = QFont(view.font())
        font.setPointSizeF(max(font.pointSizeF() - 0.5, 7.0))
        for rect, text, kind in chip_layout(view.visualRect(index), chips, QFontMetrics(font)):
            if rect.contains(pos):
                return text, kind
        return None


class ModelTree(QTreeWidget):
    """`selection_changed(model, version)`: version is None when a model row is selected."""

    selection_changed = Signal(object, object)
    alias_dropped = Signal(str, str, int)      # model name, alias, target version number
    delete_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelTree")
        self.setColumnCount(4)
        self.setHeaderLabels(["Version", "Model", "Key metric", "Aliases"])
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIndentation(14)
        self.setRootIsDecorated(True)
        self.setAlternatingRowColors(False)
        self.setMinimumWidth(300)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(VERSION_COL, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(VERSION_COL, 70)
        header.resizeSection(ALGORITHM_COL, 150)
        header.resizeSection(METRIC_COL, 110)
        self.delegate = ChipDelegate(self)
        self.setItemDelegateForColumn(ALIAS_COL, self.delegate)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.currentItemChanged.connect(self._on_current)
        self.models: list[RegisteredModel] = []
        self.conflicts: list[Conflict] = []     # alias conflicts (sync), marked on their model and versions
        self._press: tuple[QPoint, str, Any] | None = None   # where an alias badge was pressed

    # -- content -------------------------------------------------------------------------------
    def set_models(self, models: list[RegisteredModel], select: tuple[str, int | None] | None = None,
                   conflicts: list[Conflict] = ()) -> None:
        """Fill the tree; keep the selection (or select `(model name, number or None)`); mark `conflicts`."""
        wanted = select if select is not None else self.current_key()
        self.models = list(models)
        self.conflicts = [c for c in conflicts if c.alias]
        self.blockSignals(True)
        self.clear()
        target = None
        for model in self.models:
            text = f"{model.name}   ·   {count_versions(model)}   ·   {_gate_words(model.kpi_gate)}"
            parent = QTreeWidgetItem([text])
            parent.setData(0, MODEL_ROLE, model)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            tip = [model.name, count_versions(model), f"KPI gate: {gate_text(model.kpi_gate)}"]
            if model.description:
                tip.insert(1, model.description)
            marked = [c for c in self.conflicts if c.model == model.name]
            if marked:
                parent.setText(0, f"{text}   ·   ⚠ conflict")
                parent.setForeground(0, QColor(CONFLICT_COLOR))
                tip.append(f"⚠ {', '.join(c.alias for c in marked)} moved on two workstations at once: choose which "
                           "move counts (Aliases tab, Resolve…)")
            parent.setToolTip(0, "\n".join(tip))
            self.addTopLevelItem(parent)
            parent.setFirstColumnSpanned(True)
            if wanted is not None and wanted == (model.name, None):
                target = parent
            for version in reversed(model.versions):         # newest first
                child = self._version_item(model, version, marked)
                parent.addChild(child)
                if wanted is not None and wanted == (model.name, version.number):
                    target = child
            parent.setExpanded(True)
        if target is None and self.models:   # the version in production, else the newest one
            first = self.models[0]
            number = first.aliases.get("production")
            target = self.item_for(first.name, number) if number is not None else None
            if target is None:
                top = self.topLevelItem(0)
                target = top.child(0) if top.childCount() else top
        self.setCurrentItem(target)
        self.blockSignals(False)
        # Re-filled: the objects are new even when the selection is the same, so always tell (once).
        self._on_current(self.currentItem(), None)

    def _version_item(self, model: RegisteredModel, version: ModelVersion,
                      conflicts: list[Conflict]) -> QTreeWidgetItem:
        key = key_metric(version.metrics)
        item = QTreeWidgetItem([
            f"v{version.number}",
            algorithm_label(version.algorithm, version.task),
            metric_pair(key, version.metrics) if key else "—",
            "",
        ])
        item.setData(0, MODEL_ROLE, model)
        item.setData(0, VERSION_ROLE, version)
        failures = [] if version.archived else gate_failures(model.kpi_gate, version.metrics)
        in_conflict = {c.alias for c in conflicts}
        disputed = [c.alias for c in conflicts if any(v.value == version.number for v in c.values)]
        if version.archived:
            chips = [("archived", "archived")]
        else:
            chips = [(f"{CONFLICT_MARK}{a}" if a in in_conflict else a, "alias") for a in version.aliases]
            if failures:
                chips.append(("fails gate", "fail"))
        chips += [(f"{CONFLICT_MARK}{alias}?", "conflict") for alias in disputed if alias not in version.aliases]
        item.setData(ALIAS_COL, CHIPS_ROLE, chips)
        tip = [
            f"{version.model_name} v{version.number}" + (" (archived)" if version.archived else ""),
            f"Registered {relative_time(version.created_at)} ({exact_time(version.created_at)}) by "
            f"{version.created_by}@{version.host}",
            f"Run {version.run_id[:8]} · {version.dataset_label} → {version.target}",
        ]
        if version.aliases:
            tip.append("Aliases: " + ", ".join(version.aliases) + " — drag a badge onto another version to move it")
        if failures:
            tip.append("Fails the KPI gate: " + "; ".join(failures))
        for alias in disputed:
            tip.append(f"⚠ One of two moves of '{alias}' made on two workstations at once points here: choose which "
                       "counts (Aliases tab, Resolve…)")
        for col in range(4):
            item.setToolTip(col, "\n".join(tip))
        if version.archived:
            grey = QColor(ARCHIVED_COLOR)
            for col in range(4):
                item.setForeground(col, grey)
                font = item.font(col)
                font.setItalic(True)
                item.setFont(col, font)
        return item

    # -- selection -----------------------------------------------------------------------------
    def current_model(self) -> Any:
        item = self.currentItem()
        return None if item is None else item.data(0, MODEL_ROLE)

    def current_version(self) -> Any:
        item = self.currentItem()
        return None if item is None else item.data(0, VERSION_ROLE)

    def current_key(self) -> tuple[str, int | None] | None:
        model, version = self.current_model(), self.current_version()
        if model is None:
            return None
        return model.name, (version.number if version is not None else None)

    def item_for(self, name: str, number: int | None = None) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            parent = self.topLevelItem(i)
            if parent.data(0, MODEL_ROLE).name != name:
                continue
            if number is None:
                return parent
            for j in range(parent.childCount()):
                if parent.child(j).data(0, VERSION_ROLE).number == number:
                    return parent.child(j)
        return None

    def select(self, name: str, number: int | None = None) -> bool:
        item = self.item_for(name, number)
        if item is not None:
            self.setCurrentItem(item)
        return item is not None

    def _on_current(self, current: QTreeWidgetItem | None, _previous) -> None:
        if current is None:
            self.selection_changed.emit(None, None)
        else:
            self.selection_changed.emit(current.data(0, MODEL_ROLE), current.data(0, VERSION_ROLE))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key.Key_Delete and self.current_version() is not None:
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- drag an alias badge onto another version -------------------------------------------------
    def alias_at(self, pos: QPoint) -> tuple[str, Any] | None:
        """(alias, version) of the badge under `pos` (viewport coordinates), if any."""
        index = self.indexAt(pos)
        if not index.isValid() or index.column() != ALIAS_COL:
            return None
        chip = self.delegate.chip_at(self, index, pos)
        if chip is None or chip[1] != "alias":
            return None
        item = self.itemFromIndex(index)
        return chip[0].removeprefix(CONFLICT_MARK), item.data(0, VERSION_ROLE)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt name
        hit = self.alias_at(event.position().toPoint()) if event.button() == Qt.MouseButton.LeftButton else None
        self._press = (event.position().toPoint(), hit[0], hit[1]) if hit else None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            start, alias, version = self._press
            if (event.position().toPoint() - start).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                self.start_alias_drag(alias, version)
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._press = None
        super().mouseReleaseEvent(event)

    def alias_mime(self, alias: str, version: ModelVersion) -> QMimeData:
        mime = QMimeData()
        mime.setData(ALIAS_MIME, QByteArray(f"{version.model_name}\t{alias}\t{version.number}".encode()))
        mime.setText(f"{version.model_name}@{alias}")
        return mime

    def start_alias_drag(self, alias: str, version: ModelVersion) -> None:
        drag = QDrag(self)
        drag.setMimeData(self.alias_mime(alias, version))
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 0.5, 7.0))
        metrics = QFontMetrics(font)
        rect = QRect(0, 0, metrics.horizontalAdvance(alias) + 2 * CHIP_H_PAD, CHIP_HEIGHT)
        pixmap = QPixmap(rect.size())
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setFont(font)
        paint_chip(painter, rect, alias, "alias")
        painter.end()
        drag.setPixmap(pixmap)
        drag.exec(Qt.DropAction.MoveAction)

    @staticmethod
    def _decode(mime: QMimeData) -> tuple[str, str, int] | None:
        if not mime.hasFormat(ALIAS_MIME):
            return None
        try:
            name, alias, number = bytes(mime.data(ALIAS_MIME).data()).decode().split("\t")
            return name, alias, int(number)
        except ValueError:
            return None

    def drop_target(self, mime: QMimeData, pos: QPoint) -> Any:
        """The version a badge from `mime` would move to at `pos`, or None (not a version of that model)."""
        decoded = self._decode(mime)
        item = self.itemAt(pos)
        if decoded is None or item is None:
            return None
        version = item.data(0, VERSION_ROLE)
        name, _alias, number = decoded
        if version is None or version.model_name != name or version.number == number:
            return None
        return version

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self._decode(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.drop_target(event.mimeData(), event.position().toPoint()) is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        target = self.drop_target(event.mimeData(), event.position().toPoint())
        decoded = self._decode(event.mimeData())
        if target is None or decoded is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.alias_dropped.emit(decoded[0], decoded[1], target.number)
