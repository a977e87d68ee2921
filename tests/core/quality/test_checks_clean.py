"""Clean, well-known tables give no errors and few warnings."""

from __future__ import annotations

import pytest

from desktop_app.core.quality import Severity, run_checks

sklearn_datasets = pytest.importorskip("sklearn.datasets")


@pytest.mark.parametrize("loader", ["load_wine", "load_breast_cancer"])
@pytest.mark.parametrize("with_target", [True, False])
def test_clean_tables_have_no_errors_and_few_warnings(loader, with_target):
    frame = getattr(sklearn_datasets, loader)(as_frame=True).frame
    report = run_checks(frame, {}, target="target" if with_target else None)
    assert report.count(Severity.ERROR) == 0, [f.message for f in report.findings if f.severity == "error"]
    assert report.count(Severity.WARNING) <= 2, [f.message for f in report.findings if f.severity == "warning"]
    # nothing that would change rows or drop columns is presented as a must
    assert {f.check for f in report.findings} <= {"outliers", "skewed_column", "correlated_features"}


def test_breast_cancer_notes_are_the_expected_ones():
    frame = sklearn_datasets.load_breast_cancer(as_frame=True).frame
    report = run_checks(frame, {}, target="target")
    pairs = {(f.value["column_a"], f.value["column_b"]) for f in report.findings if f.check == "correlated_features"}
    assert ("mean radius", "mean perimeter") in pairs  # r = 0.998
    assert not [f for f in report.findings if f.check == "class_imbalance"]  # 37% minority is fine
