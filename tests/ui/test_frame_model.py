"""The virtual table model: big frames show at once, cells are formatted for people, sorting."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from desktop_app.ui.frame_model import MISSING_BACKGROUND, FrameModel
from desktop_app.ui.frame_view import FrameView
from desktop_app.ui.tasks import TaskRunner

ROWS = 1_000_000


@pytest.fixture(scope="module")
def big_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    columns = {}
    for i in range(20):
        if i % 4 == 0:
            columns[f"int_{i}"] = rng.integers(0, 10_000_000, ROWS)
        elif i % 4 == 1:
            columns[f"float_{i}"] = rng.normal(100, 30, ROWS)
        elif i % 4 == 2:
            columns[f"text_{i}"] = pd.array(rng.choice(["alpha", "beta", "gamma"], ROWS), dtype="string")
        else:
            columns[f"when_{i}"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, ROWS), unit="D")
    frame = pd.DataFrame(columns)
    frame.loc[5, "float_1"] = np.nan
    return frame


def test_million_rows_show_at_once(qtbot, big_frame):
    view = FrameView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    start = time.perf_counter()
    model = FrameModel(big_frame, {"int_0": "numeric"})
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    elapsed = time.perf_counter() - start
    assert model.rowCount() == ROWS
    assert model.columnCount() == 20
    assert elapsed < 1.0, f"showing 1M rows took {elapsed:.2f}s"


def test_cells_are_formatted_for_people(big_frame):
    model = FrameModel(big_frame, {"int_0": "numeric", "text_2": "categorical"})
    value = int(big_frame.iloc[3, 0])
    assert model.data(model.index(3, 0)) == f"{value:,}"
    assert model.data(model.index(3, 1)) == f"{big_frame.iloc[3, 1]:.4g}"
    assert model.data(model.index(3, 2)) == big_frame.iloc[3, 2]
    assert model.data(model.index(3, 3)) == big_frame.iloc[3, 3].strftime("%Y-%m-%d")
    # Missing: empty text on a grey background
    assert model.data(model.index(5, 1)) == ""
    assert model.data(model.index(5, 1), Qt.ItemDataRole.BackgroundRole) is MISSING_BACKGROUND
    assert model.data(model.index(3, 1), Qt.ItemDataRole.BackgroundRole) is None
    # Numbers right-aligned, header tooltip names the kind, rows numbered from 1
    assert model.data(model.index(3, 0), Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert "categorical" in model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"


def test_small_frames_sort_at_once_with_missing_last():
    frame = pd.DataFrame({"x": [3.0, np.nan, 1.0, 2.0], "name": ["c", None, "a", "b"]})
    model = FrameModel(frame)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(4)] == ["1", "2", "3", ""]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, 1)) for r in range(4)] == ["c", "b", "a", ""]
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"  # original row number of "c"
    model.sort(-1)
    assert [model.data(model.index(r, 1)) for r in range(4)] == ["c", "", "a", "b"]


def test_large_frames_sort_in_the_background(qtbot, big_frame):
    runner = TaskRunner()
    try:
        model = FrameModel(big_frame, runner=runner)
        with qtbot.waitSignal(model.sort_finished, timeout=20_000) as blocker:
            start = time.perf_counter()
            model.sort(0, Qt.SortOrder.DescendingOrder)
            returned_after = time.perf_counter() - start
            assert model.is_sorting
        assert blocker.args == [0]
        assert returned_after < 0.05  # the GUI thread did not do the sorting
        top = big_frame["int_0"].max()
        assert model.data(model.index(0, 0)) == f"{top:,}"
        assert model.source_row(0) == int(big_frame["int_0"].to_numpy().argmax())
    finally:
        runner.shutdown(wait=True)


def test_columns_are_sized_from_a_sample_not_all_rows(qtbot, big_frame):
    view = FrameView()
    qtbot.addWidget(view)
    model = FrameModel(big_frame)
    start = time.perf_counter()
    view.setModel(model)
    assert time.perf_counter() - start < 0.5
    assert all(56 <= view.columnWidth(c) <= 280 for c in range(model.columnCount()))


def test_categorical_columns_sort_as_text():
    import pandas as pd

    from desktop_app.ui.frame_model import argsort_column

    series = pd.Series(["pear", "apple", None, "fig", "apple"], dtype="category")
    order = argsort_column(series, ascending=True)
    assert [series[i] for i in order[:4]] == ["apple", "apple", "fig", "pear"]
    assert pd.isna(series[order[-1]])
