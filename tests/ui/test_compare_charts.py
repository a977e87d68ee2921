"""The Compare step's charts for multi-class and regression runs: one-vs-rest ROC / PR curves per
class, residual plots, error bars, and a tab set that fits the runs' task."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage


@pytest.fixture
def iris_runs(project, tmp_path):
    """Two logistic regressions on iris (imported from a CSV), a strong one and a weak one."""
    from sklearn.datasets import load_iris

    from desktop_app.core.tracking.entities import RunSpec

    bunch = load_iris(as_frame=True)
    frame = bunch.frame.drop(columns="target").assign(species=np.asarray(bunch.target_names)[bunch.target])
    frame.to_csv(tmp_path / "iris.csv", index=False)
    version = project.datasets.import_file(tmp_path / "iris.csv", name="iris").version
    strong = project.runs.train(RunSpec(version.id, "species", "logistic_regression"))
    weak = project.runs.train(RunSpec(version.id, "species", "logistic_regression", params={"C": 0.01}))
    return strong, weak


@pytest.fixture
def diabetes_runs(project, tmp_path):
    """Ridge and a random forest on diabetes (imported from a CSV): two regression runs."""
    from sklearn.datasets import load_diabetes

    from desktop_app.core.tracking.entities import RunSpec

    load_diabetes(as_frame=True).frame.rename(columns={"target": "progression"}).to_csv(
        tmp_path / "diabetes.csv", index=False)
    version = project.datasets.import_file(tmp_path / "diabetes.csv", name="diabetes").version
    ridge = project.runs.train(RunSpec(version.id, "progression", "ridge"))
    forest = project.runs.train(RunSpec(version.id, "progression", "random_forest",
                                        params={"n_estimators": 30, "max_depth": 4}))
    return ridge, forest


def compared(qtbot, step, project, runs):
    step.set_project(project)
    qtbot.waitUntil(lambda: not step.loading and step.table.model.rowCount() == len(project.runs.list()),
                    timeout=20_000)
    step.select_runs([r.id for r in runs])
    qtbot.waitUntil(lambda: sorted(step.table.selected_ids()) == sorted(r.id for r in runs), timeout=5_000)
    qtbot.waitUntil(lambda: all(r.id in step.curves for r in runs), timeout=20_000)
    step.panel.draw_all()
    return step.panel


def visible_tabs(panel) -> list[str]:
    return [panel.tabs.tabText(i) for i in range(panel.tabs.count()) if panel.tabs.isTabVisible(i)]


def pen_color(item) -> str:
    return item.opts["pen"].color().name()


# -- multi-class -------------------------------------------------------------------------------------

def test_multiclass_runs_get_one_curve_per_class(qtbot, compare_step, project, iris_runs, tmp_path):
    from desktop_app.ui.steps.compare.curves import ALL_CLASSES

    strong, weak = iris_runs
    panel = compared(qtbot, compare_step, project, [strong, weak])
    assert visible_tabs(panel) == ["Summary", "Metrics", "ROC / PR", "Confusion", "Parameters", "Scatter",
                                   "Fairness", "Explain"]
    chart = panel.curves_chart
    classes = ["setosa", "versicolor", "virginica"]
    assert chart.mode == "multiclass" and chart.classes == classes
    assert chart.controls.isVisibleTo(chart)
    combo = [chart.class_combo.itemText(i) for i in range(chart.class_combo.count())]
    assert combo == ["All 3 classes", *classes] and chart.class_combo.currentData() == ALL_CLASSES

    # Every class at once: one ROC and one PR curve per class and run, in the run's colour.
    assert chart.drawn == [strong.id, weak.id] and chart.drawn_classes == classes
    for name in ("roc", "pr"):
        drawn = [(tag[0].id, tag[1]) for _x, _y, tag in chart.series[name]]
        assert sorted(drawn) == sorted((r.id, c) for r in (strong, weak) for c in classes)
    for run in (strong, weak):
        color = panel.colors[run.id].name()
        lines = [item for item in chart.roc.listDataItems() if item.opts["pen"] is not None
                 and len(item.xData) > 2 and pen_color(item) == color]
        assert len(lines) == 3                                            # one per class…
        assert len({item.opts["pen"].style() for item in lines}) == 3     # …told apart by their line style
    # Legends: the runs (by colour), and below them the classes (by line style).
    labels = [label.text for _sample, label in chart.legend.items]
    assert len(labels) == 2 and all("mean AUC" in t for t in labels)
    assert [label.text for _sample, label in chart.class_legend.items] == classes
    assert "line style: the class" in chart.legend_note.text()

    # One class at a time: one curve per run, scored on that class, with the chance line at its share.
    chart.set_class("versicolor")
    assert chart.drawn_classes == ["versicolor"]
    assert [(tag[0].id, tag[1]) for _x, _y, tag in chart.series["roc"]] == [(strong.id, "versicolor"),
                                                                             (weak.id, "versicolor")]
    scores = compare_step.curves[strong.id]["ovr_scores"]["versicolor"]
    labels = [label.text for _sample, label in chart.legend.items]
    assert f"AUC {scores['roc_auc']:.3f}" in labels[0] and len(labels) == 2
    assert chart.class_legend.items == [] and not chart.class_legend.isVisible()
    chance = [item for item in chart.pr.listDataItems() if len(item.xData) == 2 and item.yData[0] == item.yData[1]]
    assert chance and chance[0].yData[0] == pytest.approx(scores["prevalence"])
    assert "versicolor" in chart.roc.titleLabel.text and "(one-vs-rest)" not in chart.roc.titleLabel.text

    # Hover: the exact point, its class and threshold.
    fpr, tpr, _tag = chart.series["roc"][1]
    i = len(fpr) // 2
    text = chart._describe(chart.chart, chart.roc.vb.mapViewToScene(QPointF(fpr[i], tpr[i])))
    assert text is not None and "versicolor vs the rest" in text and "probability of versicolor" in text

    # Saved as a picture like the two-class curves.
    png = chart.export(tmp_path / "curves.png")
    assert not QImage(str(png)).isNull()
    assert "<svg" in chart.export(tmp_path / "curves.svg").read_text()

    # The weaker model scores lower on the hardest class; the confusion matrices are 3 × 3.
    assert (compare_step.curves[weak.id]["ovr_scores"]["virginica"]["average_precision"]
            <= compare_step.curves[strong.id]["ovr_scores"]["virginica"]["average_precision"] + 1e-9)
    assert [cell[3].shape for cell in panel.confusion.cells] == [(3, 3), (3, 3)]


def test_multiclass_runs_stored_without_pr_curves_still_draw(qtbot, compare_step, project, iris_runs):
    """Runs trained before the per-class PR curves existed: ROC curves, and a word about PR."""
    strong, weak = iris_runs
    panel = compared(qtbot, compare_step, project, [strong, weak])
    for run in (strong, weak):
        compare_step.curves[run.id].pop("pr_ovr")
        compare_step.curves[run.id].pop("ovr_scores")
    panel.curves_chart.set_runs([strong, weak], panel.colors, compare_step.curves, panel.titles)
    chart = panel.curves_chart
    assert len(chart.series["roc"]) == 6 and chart.series["pr"] == []
    assert "re-run" in chart.legend_note.text()


# -- regression ---------------------------------------------------------------------------------------

def test_regression_runs_get_residuals_and_error_bars(qtbot, compare_step, project, diabetes_runs, tmp_path):
    ridge, forest = diabetes_runs
    panel = compared(qtbot, compare_step, project, [ridge, forest])
    assert visible_tabs(panel) == ["Summary", "Metrics", "Residuals", "Parameters", "Scatter", "Explain"]

    # Bars: R² on the score scale, RMSE and MAE in the target's units beside it.
    bars = panel.bars
    assert bars.metrics == ["r2"] and bars.error_metrics == ["rmse", "mae"]
    assert bars.error_plot.scene() is not None
    for run in (ridge, forest):
        assert bars.values[(run.id, "rmse")] == pytest.approx(run.metrics["rmse"])
        assert bars.error_bars[run.id].opts["brush"].color().name() == panel.colors[run.id].name()
    assert "units of progression" in bars.error_plot.getAxis("left").labelText
    i = bars.error_metrics.index("mae")
    point = bars.error_plot.vb.mapViewToScene(QPointF(i - 0.2, 10.0))    # over the first run's MAE bar
    text = bars._describe(bars.chart, point)
    assert "MAE" in text and f"{ridge.metrics['mae']:,.2f}" in text

    # Residuals: every stored test row, per run, on both plots, in the run's colour.
    chart = panel.residuals
    assert chart.drawn == [ridge.id, forest.id]
    n_test = ridge.summary["n_test"]
    assert chart.points == {ridge.id: n_test, forest.id: n_test}
    scatters = [item for item in chart.residual.items if type(item).__name__ == "ScatterPlotItem"]
    assert [len(item.data) for item in scatters] == [n_test, n_test]
    assert {item.opts["brush"].color().name() for item in scatters} == {panel.colors[r.id].name()
                                                                        for r in (ridge, forest)}
    stored = compare_step.curves[ridge.id]["residuals"]
    predicted, residual, _tag = chart.series["residual"][0]
    np.testing.assert_allclose(predicted, stored["predicted"])
    np.testing.assert_allclose(residual, np.asarray(stored["actual"]) - np.asarray(stored["predicted"]))
    assert "Predicted progression" in chart.residual.getAxis("bottom").labelText
    assert f"{n_test * 2} rows in all" in chart.note.text()
    k = 5
    text = chart._describe(chart.chart, chart.residual.vb.mapViewToScene(QPointF(predicted[k], residual[k])))
    assert text is not None and "residual" in text and "predicted" in text

    # Saved as pictures from the right-click menu, like every chart (the second bar plot included).
    assert [a.text() for a in chart.chart.export_menu.actions()] == ["Save as PNG…", "Save as SVG…", "Copy image"]
    assert "raiseContextMenu" in bars.error_plot.vb.__dict__ and "raiseContextMenu" in chart.residual.vb.__dict__
    for name, widget in (("residuals", chart), ("bars", bars)):
        png = widget.export(tmp_path / f"{name}.png")
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 300 and QColor(image.pixel(2, 2)).name() == "#ffffff"
        svg = widget.export(tmp_path / f"{name}.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_many_regression_points_are_thinned(qtbot):
    """With many runs each one's cloud is thinned, so the plot stays readable and quick."""
    from types import SimpleNamespace

    from desktop_app.ui.steps.compare.residuals import MAX_POINTS, MIN_POINTS_PER_RUN, ResidualsChart

    rng = np.random.default_rng(0)
    runs, curves = [], {}
    for k in range(8):
        actual = rng.normal(100, 20, 2000)
        predicted = actual + rng.normal(0, 10, 2000)
        run = SimpleNamespace(id=f"run{k}", target="price", status="finished", metrics={"r2": 0.7, "rmse": 10.0},
                              summary={"n_test": 5000}, algorithm="ridge", task="regression", options={})
        runs.append(run)
        curves[run.id] = {"residuals": {"actual": actual.tolist(), "predicted": predicted.tolist(),
                                        "residual": (actual - predicted).tolist()}}
    chart = ResidualsChart()
    qtbot.addWidget(chart)
    chart.set_runs(runs, {r.id: QColor("#4e79a7") for r in runs}, curves, {r.id: r.id for r in runs})
    per_run = max(MIN_POINTS_PER_RUN, MAX_POINTS // 8)
    stored = {run_id: len(c["residuals"]["actual"]) for run_id, c in curves.items()}
    assert set(chart.points.values()) == {per_run} and chart.stored == stored
    assert f"of the {sum(stored.values()):,} stored" in chart.note.text()


# -- mixed and waiting ----------------------------------------------------------------------------------

def test_a_mixed_selection_shows_both_kinds_of_tabs(qtbot, compare_step, project, iris_runs, diabetes_runs):
    strong, _weak = iris_runs
    ridge, forest = diabetes_runs
    panel = compared(qtbot, compare_step, project, [strong, ridge, forest])
    assert visible_tabs(panel) == ["Summary", "Metrics", "ROC / PR", "Confusion", "Residuals", "Parameters",
                                   "Scatter", "Fairness", "Explain"]
    assert "mix classification and regression" in panel.note.text()
    assert panel.curves_chart.drawn == [strong.id] and panel.curves_chart.drawn_classes
    assert panel.residuals.drawn == [ridge.id, forest.id]
    assert [cell[1].id for cell in panel.confusion.cells] == [strong.id]
    # Classification only: the Residuals tab goes, and the curves take its place on screen; and back.
    panel.tabs.setCurrentWidget(panel.residuals)
    compare_step.table.select([strong.id, _weak.id])
    assert not panel.tabs.isTabVisible(panel.tabs.indexOf(panel.residuals))
    assert panel.tabs.currentWidget() is panel.curves_chart
    compare_step.table.select([ridge.id, forest.id])
    assert panel.tabs.currentWidget() is panel.residuals
    assert not panel.tabs.isTabVisible(panel.tabs.indexOf(panel.curves_chart))


def test_charts_wait_for_the_chart_library_instead_of_freezing(qtbot, compare_step, project, diabetes_runs,
                                                                 monkeypatch):
    """Before pyqtgraph is ready a chart tab says so, and draws itself once it is."""
    import desktop_app.ui.steps.compare.comparison as compare_panel

    ready = {"now": False}
    monkeypatch.setattr(compare_panel, "charts_ready", lambda: ready["now"])
    monkeypatch.setattr(compare_panel, "warm_up_charts", lambda parent: None)
    ridge, forest = diabetes_runs
    compare_step.set_project(project)
    qtbot.waitUntil(lambda: not compare_step.loading and compare_step.table.model.rowCount() == 2, timeout=20_000)
    panel = compare_step.panel
    panel.tabs.setCurrentIndex(panel.tabs.indexOf(panel.residuals))
    compare_step.select_runs([ridge.id, forest.id])
    qtbot.waitUntil(lambda: all(r.id in compare_step.curves for r in (ridge, forest)), timeout=20_000)
    assert panel.tabs.currentWidget() is panel.residuals
    assert not panel.residuals.showing_chart and panel.residuals.message.text() == "Preparing the charts…"
    ready["now"] = True
    qtbot.waitUntil(lambda: panel.residuals.showing_chart, timeout=5_000)
    assert panel.residuals.drawn == [ridge.id, forest.id]
    # The summary's settings table did not wait for the charts.
    panel.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: panel.bars.showing_chart, timeout=5_000)
