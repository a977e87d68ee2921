"""call_in_process: a project service's method run in a spawned child, as if called here — its result,
its progress, its errors (with the child's traceback), a cancel that leaves nothing behind, a child that dies;
and every method the window sends to a child for a large table gives there what it gives here.

Each call starts a fresh interpreter (~1 s), so the tests are few and use quick methods on small data.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.errors import Cancelled, DataImportError, MLDeskError, SchemaUpgradeNeeded
from desktop_app.core.project_process import ProcessDied, RemoteTraceback, _portable, call_in_process
from tests.conftest import SAMPLE_CSV


def test_the_result_and_the_progress_are_those_of_the_call(project, sample_csv):
    reports: list[tuple[float, str]] = []
    imported = call_in_process(project, "datasets.import_file", sample_csv, name="patients",
                               progress=lambda fraction, message: reports.append((fraction, message)))
    # The window's own project sees what the child stored, and the entity that came back is the same.
    assert project.datasets.get_version("patients@1") == imported.version
    assert project.audit_events(limit=1)[0].action == "dataset.import"
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Reading" in message for _, message in reports)


def test_an_error_in_the_child_is_raised_here_with_the_childs_traceback(project, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataImportError) as raised:
        call_in_process(project, "datasets.import_file", empty, name="nothing")
    assert "empty" in str(raised.value).lower()
    assert isinstance(raised.value.__cause__, RemoteTraceback)
    assert "import_file" in str(raised.value.__cause__)
    assert project.datasets.list() == []


def test_a_cancel_reaches_the_child_and_nothing_is_kept(project, sample_csv):
    def cancel_at_once(_fraction: float, _message: str) -> None:
        raise Cancelled()

    with pytest.raises(Cancelled):
        call_in_process(project, "datasets.import_file", sample_csv, name="patients", progress=cancel_at_once)
    assert project.datasets.list() == []
    assert [p for p in project.objects.root.rglob("*") if p.is_file()] == []   # no stored file, no staging file


class _ExitWhenUnpickled:
    """An argument whose unpickling ends the child at once, as a crash in native code would."""

    def __reduce__(self):
        return os._exit, (3,)


def test_a_child_that_dies_gives_a_sentence_not_a_hang(project, sample_csv):
    with pytest.raises(ProcessDied, match=r"stopped unexpectedly \(exit code 3\)"):
        call_in_process(project, "datasets.import_file", sample_csv, name=_ExitWhenUnpickled())
    assert project.datasets.list() == []


def test_an_error_that_cannot_cross_the_pipe_keeps_its_sentence():
    class LocalProblem(MLDeskError):   # defined in a function: no pickler can name its class
        def __init__(self, where: str, stored: str) -> None:
            super().__init__(f"The database at {where} is at schema {stored}.")

    copy = _portable(LocalProblem("db.example", "0007"))
    assert type(copy) is MLDeskError and str(copy) == "The database at db.example is at schema 0007."
    assert _portable(DataImportError("x")).__class__ is DataImportError

    class Local(Exception):
        pass

    plain = _portable(Local("boom"))
    assert type(plain) is RuntimeError and str(plain) == "Local: boom"
    # Whether an error whose __init__ takes other values pickles depends on what is installed (tblib, which Dask
    # brings, makes every exception picklable): either way what crosses keeps the sentence.
    odd = SchemaUpgradeNeeded("db.example:5432/team", "0007", "0009")
    assert str(pickle.loads(pickle.dumps(_portable(odd)))) == str(odd)


# -- the methods the window sends to a child (ui.work.separate_process) -------------------------------------

@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    """heart-risk v1 (alias production) and v2, two logistic regressions on the heart sample split differently."""
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec
    from tests.conftest import SAMPLE_CSV

    with Project.create(tmp_path_factory.mktemp("in-process") / "proj", name="Heart") as project:
        version = project.datasets.import_file(SAMPLE_CSV, name="heart").version
        first = project.runs.train(RunSpec(version.id, "heart_disease", "logistic_regression"))
        second = project.runs.train(RunSpec(version.id, "heart_disease", "logistic_regression", seed=7))
        project.registry.register(first.id, "heart-risk", alias="production")
        project.registry.register(second.id, "heart-risk")
        yield project


def _same(a, b) -> bool:
    """Equal values, through dataclasses, containers, frames and arrays (NaN equal to NaN)."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


@pytest.mark.parametrize("method, arguments", [
    ("explain.run_dependence", lambda p: ((p.registry.resolve("heart-risk@1").run_id,), {})),
    ("explain.dependence", lambda p: (("heart-risk@2",), {})),
    ("explain.explain", lambda p: (("heart-risk@1", SAMPLE_CSV), {"rows": 5})),
    ("registry.compare_on_holdout", lambda p: (("heart-risk", 2, "production"), {})),
])
def test_what_the_window_sends_to_a_child_comes_back_as_it_is_here(registered, method, arguments):
    from desktop_app.core.project_process import project_method

    args, kwargs = arguments(registered)
    there = call_in_process(registered, method, *args, **kwargs)
    here = project_method(registered, method)(*args, **kwargs)
    assert _same(there, here)


def test_checks_run_in_a_child_store_the_report_they_return(registered):
    from desktop_app.core.quality.thresholds import Thresholds

    there = call_in_process(registered, "quality.check", "heart@1", "heart_disease", Thresholds())
    here = registered.quality.check("heart@1", "heart_disease", Thresholds())
    timeless = [{k: v for k, v in r.report.to_dict().items() if k != "seconds"} for r in (there, here)]
    assert _same(*timeless) and there.version == here.version
    stored = {r.id: r for r in registered.quality.reports("heart@1")}
    assert _same(stored[there.id].report.to_dict(), there.report.to_dict())


def test_a_bundle_exported_in_a_child_verifies(registered, tmp_path):
    result = call_in_process(registered, "bundles.export", "heart-risk@1", tmp_path)
    assert result.path.parent == tmp_path and result.verification is not None and result.verification.ok
    assert registered.bundles.verify(result.path, "heart-risk@1").ok
