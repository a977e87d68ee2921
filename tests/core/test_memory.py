"""The memory guard: the estimate of a step's need, the available memory, and the refusal through the real services."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from desktop_app.core import memory
from desktop_app.core.errors import MLDeskError
from desktop_app.core.memory import NotEnoughMemoryError
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from tests.conftest import SAMPLE_CSV

TARGET = "heart_disease"


@pytest.fixture
def heart(project):
    return project.datasets.import_file(SAMPLE_CSV, name="heart").version


def starved(monkeypatch, available: int = 1024**2) -> None:
    monkeypatch.setattr(memory, "available_bytes", lambda: available)


def test_available_memory_is_read_without_psutil():
    available = memory.available_bytes()
    if sys.platform.startswith("linux"):
        assert available is not None and 0 < available < 1 << 50
    code = open(memory.__file__, encoding="utf-8").read().split('"""', 2)[2]  # after the docstring
    assert "import psutil" not in code                                       # not a run-time dependency


def test_the_estimate_of_a_table_follows_its_rows_and_column_types(project, heart):
    snapshot = project.objects.path(heart.sha256)
    frame = project.datasets.load(heart)
    actual = frame.memory_usage(deep=True).sum()
    measured = memory.table_bytes(heart.columns, heart.rows, snapshot)
    assert 0.8 * actual <= measured <= 1.3 * actual          # text columns measured on the snapshot
    assumed = memory.table_bytes(heart.columns, heart.rows)
    assert 0.8 * actual <= assumed <= 2.0 * actual            # text assumed: an overestimate, not an under-
    assert memory.table_bytes(heart.columns, 10 * heart.rows, snapshot) == pytest.approx(10 * measured, rel=1e-6)


def test_the_estimate_of_a_file(tmp_path):
    frame = pd.DataFrame({"x": np.arange(50_000, dtype=np.int64), "y": np.random.default_rng(0).random(50_000),
                          "name": [f"customer {i % 300}" for i in range(50_000)]})
    csv, parquet = tmp_path / "t.csv", tmp_path / "t.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet, index=False)
    actual = pd.read_parquet(parquet).memory_usage(deep=True).sum()
    for path in (csv, parquet):
        assert 0.6 * actual <= memory.file_table_bytes(path) <= 2.0 * actual, path
    assert memory.file_table_bytes(tmp_path / "t.xlsx") is None


def test_the_sentence_gives_both_figures_and_what_to_do():
    error = NotEnoughMemoryError("Training on big@1", 14 * memory.GB, int(9.5 * memory.GB))
    assert isinstance(error, MLDeskError)
    text = str(error)
    assert text.startswith("Training on big@1 needs about 14.0 GB of memory and 9.5 GB is available now;")
    assert "sample" in text and "more memory" in text and "close other programs" in text


def test_nothing_is_refused_when_it_fits_or_is_unknown(monkeypatch):
    starved(monkeypatch, 10 * memory.GB)
    memory.ensure_fits("Checking x@1", 9 * memory.GB)
    monkeypatch.setattr(memory, "available_bytes", lambda: None)
    memory.ensure_fits("Checking x@1", 10**15)
    with pytest.raises(NotEnoughMemoryError):
        starved(monkeypatch, 10 * memory.GB)
        memory.ensure_fits("Checking x@1", 11 * memory.GB)


def test_an_import_is_refused_before_it_reads_the_file(project, monkeypatch):
    starved(monkeypatch, 1024)
    with pytest.raises(NotEnoughMemoryError, match=rf"^Importing {SAMPLE_CSV.name} needs about \d+ MB of memory"):
        project.datasets.import_file(SAMPLE_CSV, name="heart")
    assert project.datasets.list() == []                               # nothing was kept


def test_the_checks_are_refused_before_they_start(project, heart, monkeypatch):
    starved(monkeypatch)
    with pytest.raises(NotEnoughMemoryError, match=r"^Checking heart@1 needs about \d+ MB of memory and 1 MB"):
        project.quality.check(heart, TARGET)
    assert project.quality.reports(heart) == []                      # nothing was saved


def test_training_is_refused_and_the_run_says_why(project, heart, monkeypatch):
    starved(monkeypatch)
    run = project.runs.train(RunSpec("heart", TARGET, "logistic_regression"))
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("Training on heart@1 needs about") and "1 MB is available" in run.error


def test_a_drift_batch_is_refused_with_the_reference_counted(project, heart, monkeypatch):
    run = project.runs.train(RunSpec("heart", TARGET, "logistic_regression"))
    model = project.registry.register(run.id, "risk")
    frame = project.datasets.load(heart).head(500)
    needed = project.monitor.memory_needed(model, frame)
    batch_only = memory.step_bytes("batch", int(frame.memory_usage(deep=True).sum()))
    assert needed > batch_only                                      # the reference is not stored yet
    assert project.monitor.reference_bytes(model) == needed - batch_only == project.runs.prepared_bytes(run)
    starved(monkeypatch)
    with pytest.raises(NotEnoughMemoryError, match=r"^Checking this batch against risk@1 needs about"):
        project.monitor.add_batch(model, frame)
    assert project.monitor.batches("risk") == []
    monkeypatch.undo()
    project.monitor.add_batch(model, frame, name="fits")              # and with memory enough it runs
    assert project.monitor.memory_needed(model, frame) == batch_only  # the reference is stored now
    assert project.monitor.reference_bytes(model) == 0 < project.runs.prepared_bytes(run.id)


def test_let_go_empties_a_table_a_column_at_a_time(monkeypatch):
    """Each column is freed on its own, with a turn for other threads (the window) after each."""
    import time
    import weakref

    numbers = np.arange(2000.0).reshape(2, 1000)   # one block of two columns, as pandas consolidates them
    frame = pd.DataFrame({"a": numbers[0], "b": np.arange(1000), "c": pd.array(["x"] * 1000, dtype="str"),
                          "d": numbers[1]}, copy=False)
    values = frame["a"].to_numpy()
    block = weakref.ref(values.base if values.base is not None else values)
    del numbers, values
    assert block() is not None   # held by the frame alone
    turns = []
    monkeypatch.setattr(time, "sleep", lambda seconds: turns.append(seconds))
    memory.let_go(frame)
    assert frame.shape == (1000, 0) and turns == [0, 0, 0, 0]
    assert block() is None   # the numbers' memory is gone, not only hidden
