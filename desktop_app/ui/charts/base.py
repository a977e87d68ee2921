"""What every chart of the app shares: a white pyqtgraph canvas with people-friendly, labelled
axes, a legend, exact values on hover, and "Save as PNG… / Save as SVG… / Copy image" on
right-click — the one base for the Data, Quality, Compare and Monitor charts.

- `plot_widget` (one plot) and `canvas` (several plots, or a legend on its own row) make the canvas;
  `people_axis` and `style_plot_item` give it the app's axes; `set_title` and the legend helpers
  (`legend_for`, `top_legend`, `fill_legend`) keep titles and legends from crowding the plots.
- `on_hover(widget, describe)` shows `describe(widget, scene_pos)` as a tooltip, rate-limited;
  `nearest_point` finds the data point under the mouse.
- `install_menu` gives the right-click menu; `export_chart` writes PNG or SVG.
- `ChartPanel` holds one chart (or a message until it has something to show); `LegendChartPanel`
  draws into one plot under a legend row, built on its first drawing.

pyqtgraph is imported when the first chart is built, not when the window starts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QFont, QFontMetricsF, QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.text.formatting import format_int, format_number
from desktop_app.ui.text.rich_text import escape

AXIS_PEN = "#555555"
TEXT_PEN = "#333333"
TITLE_COLOR = "#1d2733"
CHANCE_PEN = "#9aa3ad"    # the dashed line of a model that guesses (or predicts perfectly)
GRID_ALPHA = 0.12
LEGEND_POINTS = 8.0
LEGEND_SAMPLE_PX = 34      # a legend entry's sample and the gaps around it
MAX_LEGEND_COLUMNS = 4


def people_axis(orientation: str) -> Any:
    """An axis whose tick labels use thousands separators and at most 4 significant digits."""
    import pyqtgraph as pg

    class PeopleAxis(pg.AxisItem):
        def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph name
            labels = []
            for value in values:
                value *= scale
                if spacing * scale >= 1 and abs(value - round(value)) < 1e-9:
                    labels.append(format_int(round(value)))
                else:
                    labels.append(format_number(float(value)))
            return labels

    axis = PeopleAxis(orientation)
    axis.enableAutoSIPrefix(False)
    return axis


def people_axes() -> dict[str, Any]:
    """`axisItems` for a plot: people-friendly ticks on the left and bottom axes."""
    return {"left": people_axis("left"), "bottom": people_axis("bottom")}


def plot_widget(x_label: str | None = None, y_label: str | None = None, parent: QWidget | None = None, *,
                grid: bool = True) -> Any:
    """A PlotWidget: white, labelled axes with people-friendly ticks, no mouse zoom, a light grid."""
    import pyqtgraph as pg

    widget = pg.PlotWidget(parent=parent, background="w", axisItems=people_axes())
    widget.setMouseEnabled(x=False, y=False)
    widget.hideButtons()
    style_plot_item(widget.getPlotItem(), x_label, y_label, grid=grid)
    return widget


def canvas() -> Any:
    """A white GraphicsLayoutWidget, for charts with several plots or a legend on its own row."""
    import pyqtgraph as pg

    layout = pg.GraphicsLayoutWidget()
    layout.setBackground("w")
    return layout


def style_plot_item(plot: Any, x_label: str | None, y_label: str | None, *, grid: bool = True) -> None:
    """The app's look for one plot: grey axes, dark labels, a light grid, no zoom buttons."""
    import pyqtgraph as pg

    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(AXIS_PEN))
        axis.setTextPen(pg.mkPen(TEXT_PEN))
    for name in ("left", "bottom", "right", "top"):
        # Counts, batch numbers and metrics are read as they are: never "(x0.001)" or "(×1e+06)" on a title.
        plot.getAxis(name).enableAutoSIPrefix(False)
    if x_label:
        plot.setLabel("bottom", x_label, color=TEXT_PEN)
    if y_label:
        plot.setLabel("left", y_label, color=TEXT_PEN)
    if grid:
        plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()


def set_title(plot: Any, text: str | None, size: str = "10pt", color: str = TITLE_COLOR) -> None:
    """A plot's title that never widens the plot (a long one is clipped rather than pushing the
    chart's other plots out of view)."""
    plot.setTitle(text, color=color, size=size)
    plot.titleLabel.setMinimumWidth(0)


def legend_for(plot: Any, count: int, offset: tuple[float, float] = (-10, 10), columns: int = 1):
    """The plot's legend (made once), shown only when there is more than one series.

    Call before adding the named items (PlotItem.addItem files them into the legend) and
    after `plot.clear()` (which also empties the legend).
    """
    import pyqtgraph as pg

    legend = plot.legend
    if legend is None:
        legend = plot.addLegend(offset=offset, colCount=columns, labelTextColor=TEXT_PEN,
                                brush=pg.mkBrush(255, 255, 255, 225), pen=pg.mkPen("#d5dbe1"))
        legend.setLabelTextSize("8pt")
    else:
        legend.clear()
        legend.setColumnCount(columns)
    legend.setVisible(count > 1)
    return legend


def top_legend(layout: Any, row: int = 0, columns: int = 2) -> Any:
    """A legend on its own row of a GraphicsLayoutWidget (above the plots: inside, it would hide
    data), left-aligned and only as wide as its entries. Fill it with `ChartPanel.set_legend`."""
    import pyqtgraph as pg

    legend = pg.LegendItem(colCount=1, labelTextColor=TEXT_PEN, labelTextSize=f"{LEGEND_POINTS:g}pt")
    layout.addItem(legend, row=row, col=0, colspan=columns)
    legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
    layout.ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return legend


def fill_legend(legend: Any, entries: list[tuple[Any, str]], width: float) -> None:
    """Put `entries` ((sample item, text), in order) in as many columns as fit in `width` pixels,
    each text shortened in the middle if even one column would be too wide."""
    font = QFont()
    font.setPointSizeF(LEGEND_POINTS)
    metrics = QFontMetricsF(font)
    room = max(120.0, width - LEGEND_SAMPLE_PX - 8)
    texts = [metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, room) for _sample, text in entries]
    widest = max((metrics.horizontalAdvance(t) for t in texts), default=0.0) + LEGEND_SAMPLE_PX
    columns = max(1, min(len(entries), MAX_LEGEND_COLUMNS, int(width // max(widest, 1.0))))
    legend.clear()
    legend.setColumnCount(columns)
    for (sample, _text), text in zip(entries, texts):
        legend.addItem(sample, escape(text))
    legend.setVisible(bool(entries))


def export_chart(widget: Any, path: str | Path, scale: float = 2.0) -> Path:
    """Save the whole chart (all its plots, axes and legends) as PNG or SVG, by the file's suffix."""
    from pyqtgraph.exporters import ImageExporter, SVGExporter

    path = Path(path)
    scene = widget.scene()
    if path.suffix.lower() == ".svg":
        try:
            SVGExporter(scene).export(str(path))
        except ValueError:
            # pyqtgraph 0.14's SVG exporter cannot parse the paths Qt 6.11 writes (pyqtgraph
            # issue #3485): draw the scene straight into Qt's SVG generator instead.
            _render_svg(widget, path)
    else:
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        exporter = ImageExporter(scene)
        # The part of the scene on screen (the scene's own rect can grow far beyond it, e.g. with
        # infinite lines laid out before the chart was first shown).
        exporter.parameters()["width"] = int(max(1, exporter.getSourceRect().width()) * scale)
        exporter.parameters()["background"] = "w"
        exporter.export(str(path))
    return path


def _render_svg(widget: Any, path: Path) -> None:
    from PySide6.QtCore import QRect, QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    size = widget.viewport().size()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(size.width(), size.height()))
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(path.stem)
    generator.setDescription("Exported from MLDesk")
    painter = QPainter(generator)
    painter.fillRect(QRectF(0, 0, size.width(), size.height()), Qt.GlobalColor.white)
    widget.render(painter, QRectF(0, 0, size.width(), size.height()), widget.viewport().rect())
    painter.end()


def install_menu(widget: Any, name: str) -> QMenu:
    """Right-click anywhere on the chart: Save as PNG…, Save as SVG…, Copy image."""
    menu = QMenu(widget)
    png = QAction("Save as PNG…", menu)
    svg = QAction("Save as SVG…", menu)
    copy = QAction("Copy image", menu)
    png.triggered.connect(lambda: _save_dialog(widget, name, "png"))
    svg.triggered.connect(lambda: _save_dialog(widget, name, "svg"))
    copy.triggered.connect(lambda: QGuiApplication.clipboard().setPixmap(widget.grab()))
    menu.addActions([png, svg, copy])
    widget.export_menu = menu
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    patch_view_boxes(widget)
    return menu


def patch_view_boxes(widget: Any) -> None:
    """pyqtgraph raises its context menu from each ViewBox on a right click: show ours instead
    (call again after plots were added to the widget)."""
    menu = widget.export_menu

    def raise_menu(event) -> None:
        event.accept()
        menu.popup(event.screenPos().toPoint())

    for item in widget.scene().items():
        if type(item).__name__ == "ViewBox" and item.__dict__.get("raiseContextMenu") is not raise_menu:
            item.raiseContextMenu = raise_menu


def _save_dialog(widget: Any, name: str, kind: str) -> None:
    filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
    path, _ = QFileDialog.getSaveFileName(widget, f"Save the chart as {kind.upper()}", f"{name}.{kind}", filters[kind])
    if path:
        export_chart(widget, path)


def on_hover(widget: Any, describe: Callable[[Any, QPointF], str | None]) -> Any:
    """Show `describe(plot_item_or_view, scene_pos)` as a tooltip while the mouse moves (rate-limited)."""
    import pyqtgraph as pg

    def moved(args) -> None:
        pos = args[0]
        text = describe(widget, pos)
        if text:
            QToolTip.showText(widget.mapToGlobal(widget.mapFromScene(pos).toPoint()), text, widget)
        else:
            QToolTip.hideText()

    proxy = pg.SignalProxy(widget.scene().sigMouseMoved, rateLimit=30, slot=moved)
    widget._hover_proxy = proxy  # keep it alive with the widget
    return proxy


def nearest_point(view_box: Any, scene_pos: QPointF, series: list[tuple[Any, Any, Any]],
                  max_pixels: float = 14.0) -> tuple[int, int] | None:
    """(series index, point index) of the data point nearest the mouse, within `max_pixels`.

    `series` holds (xs, ys, tag) numpy arrays per series, in view coordinates.
    """
    import numpy as np

    if not view_box.sceneBoundingRect().contains(scene_pos):
        return None
    best: tuple[float, int, int] | None = None
    for s, (xs, ys, _tag) in enumerate(series):
        if len(xs) == 0:
            continue
        points = np.column_stack([xs, ys])
        scene = [view_box.mapViewToScene(QPointF(float(x), float(y))) for x, y in points] if len(xs) < 50 else None
        if scene is not None:
            dx = np.array([p.x() for p in scene]) - scene_pos.x()
            dy = np.array([p.y() for p in scene]) - scene_pos.y()
        else:  # map through the view's pixel size (fast for long curves)
            origin = view_box.mapViewToScene(QPointF(0.0, 0.0))
            unit = view_box.mapViewToScene(QPointF(1.0, 1.0))
            sx, sy = unit.x() - origin.x(), unit.y() - origin.y()
            dx = origin.x() + xs * sx - scene_pos.x()
            dy = origin.y() + ys * sy - scene_pos.y()
        distances = np.hypot(dx, dy)
        i = int(np.nanargmin(distances))
        if best is None or distances[i] < best[0]:
            best = (float(distances[i]), s, i)
    if best is None or best[0] > max_pixels:
        return None
    return best[1], best[2]


class ChartPanel(QWidget):
    """A chart with an optional controls row, or a message when it has nothing to show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.message)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.layout_.addWidget(self.stack, 1)
        self.chart: Any = None
        self.page: Any = None     # the chart, or the scroll area holding it
        self._legends: dict[int, tuple[Any, list[tuple[Any, str]]]] = {}   # id → (legend, entries)
        self._legend_width = 0

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def set_chart(self, chart: Any, name: str, *, scroll: bool = False) -> None:
        """Put `chart` (a pyqtgraph widget, built once and redrawn) in the panel; with `scroll`, in a
        vertical scroll area (give the chart a minimum height: what it holds stays readable)."""
        self.chart = chart
        self.page = chart
        if scroll:
            self.page = QScrollArea()
            self.page.setWidgetResizable(True)
            self.page.setFrameShape(QFrame.Shape.NoFrame)
            self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.page.setWidget(chart)
        self.stack.addWidget(self.page)
        install_menu(chart, name)

    def show_chart(self) -> None:
        patch_view_boxes(self.chart)
        self.stack.setCurrentWidget(self.page)

    def set_legend(self, legend: Any, entries: list[tuple[Any, str]]) -> None:
        """Fill a `top_legend` with these entries, in as many columns as the chart's width allows
        (refitted when the chart is resized, so the legend never pushes the plots out of view)."""
        self._legends[id(legend)] = (legend, list(entries))
        fill_legend(legend, entries, self._legend_room())

    def _legend_room(self) -> float:
        return max(200.0, self.width() - 24.0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self._legends and abs(self.width() - self._legend_width) >= 8:
            self._legend_width = self.width()
            for legend, entries in self._legends.values():
                fill_legend(legend, entries, self._legend_room())

    @property
    def showing_chart(self) -> bool:
        return self.chart is not None and self.stack.currentWidget() is self.page

    def export(self, path: str | Path) -> Path:
        if self.chart is None:
            raise RuntimeError("There is no chart to save.")
        return export_chart(self.chart, path)


def legend_chart(x_label: str, y_label: str) -> tuple[Any, Any, Any]:
    """(canvas, its top legend, its PlotItem): one plot under a legend row (inside the plot, a legend
    would hide data). Fill the legend with `ChartPanel.set_legend`."""
    import pyqtgraph as pg

    layout = canvas()
    legend = top_legend(layout)
    plot = pg.PlotItem(axisItems=people_axes())
    style_plot_item(plot, x_label, y_label)
    layout.addItem(plot, row=1, col=0)
    return layout, legend, plot


class LegendChartPanel(ChartPanel):
    """A ChartPanel drawing into one `legend_chart`, built on the first draw (or by `prepare`): hovering asks
    `_describe` (scene position → tooltip), a resize of the plot asks `_fit_ticks`."""

    LABELS = ("", "", "chart")   # the x axis's label, the y axis's, the name the save menu gives the chart

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot: Any = None
        self.legend: Any = None

    def prepare(self) -> None:
        """Build the chart now, at an idle moment, without showing it: its first drawing then only draws
        (building a pyqtgraph plot takes 20–40 ms)."""
        if self.chart is None:
            self._clear_plot()

    def _clear_plot(self) -> Any:
        """The plot, emptied for a new drawing (built the first time)."""
        if self.chart is None:
            x_label, y_label, name = self.LABELS
            chart, self.legend, self.plot = legend_chart(x_label, y_label)
            self.set_chart(chart, name)
            on_hover(self.chart, self._describe)
            self.plot.vb.sigResized.connect(lambda _vb: self._fit_ticks())
        self.plot.clear()
        return self.plot

    def _describe(self, _widget: Any, _scene_pos: Any) -> str | None:
        return None

    def _fit_ticks(self) -> None:
        pass
