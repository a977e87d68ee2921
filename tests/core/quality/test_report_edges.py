"""Edges the mutation run (docs/benchmarks.md) found untested: the table-size check's limits, the
thresholds' allowed ranges, the duplicate-rows message, the stored report and findings, the fix plan."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality import Finding, Fix, QualityError, Severity, Thresholds, run_checks
from desktop_app.core.quality.findings import jsonable
from desktop_app.core.quality.plan import OP_ORDER, plan_fixes
from desktop_app.core.quality.report import FORMAT_VERSION, QualityReport


def _findings(frame: pd.DataFrame, check: str, **thresholds) -> list[Finding]:
    report = run_checks(frame, {}, thresholds=Thresholds(**thresholds))
    return [f for f in report.findings if f.check == check]


def _numbers(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(rows, dtype=float) * 1.5})


# -- too few rows ------------------------------------------------------------------------------------

def test_too_few_rows_starts_one_row_below_min_rows():
    rows = 12
    assert _findings(_numbers(rows), "too_few_rows", min_rows=rows) == []
    [warning] = _findings(_numbers(rows), "too_few_rows", min_rows=rows + 1)
    assert warning.severity == Severity.WARNING and warning.column is None
    assert warning.value == {"rows": rows, "minimum": rows + 1}
    assert warning.message.startswith(f"The table has only {rows} rows.")
    assert f"fewer than {rows + 1} rows is unreliable" in warning.message


@pytest.mark.parametrize("rows, severity, text", [
    (1, Severity.ERROR, "The table has 1 row. A model needs many rows to learn from — load the full data set."),
    (2, Severity.WARNING, "The table has only 2 rows. A model learned from fewer than 30 rows is unreliable and "
                          "its test scores say little — add rows if you can."),
])
def test_a_single_row_is_an_error_two_rows_a_warning(rows, severity, text):
    [finding] = _findings(_numbers(rows), "too_few_rows")
    assert finding.severity == severity and finding.message == text


# -- thresholds ----------------------------------------------------------------------------------------

SHARES = [f.name for f in fields(Thresholds) if f.name.endswith("_share") or f.name in ("leakage_score",
                                                                                        "correlation")]
POSITIVE = [f.name for f in fields(Thresholds) if f.name not in SHARES and f.name != "sample_seed"]


@pytest.mark.parametrize("name", SHARES)
def test_shares_take_every_value_from_0_to_1(name):
    assert getattr(Thresholds(**{name: 0.0}), name) == 0.0
    assert getattr(Thresholds(**{name: 1.0}), name) == 1.0
    for bad in (np.nextafter(1.0, 2.0), -1e-12):
        with pytest.raises(QualityError, match=f"'{name}' must be between 0 and 1"):
            Thresholds(**{name: bad})


@pytest.mark.parametrize("name", POSITIVE)
def test_counts_and_factors_must_be_above_0(name):
    kind = type(getattr(Thresholds(), name))
    smallest = kind(1) if kind is int else 1e-9
    assert getattr(Thresholds(**{name: smallest}), name) == smallest
    with pytest.raises(QualityError, match=f"'{name}' must be above 0"):
        Thresholds(**{name: kind(0)})


def test_the_seed_may_be_0():
    assert Thresholds(sample_seed=0).sample_seed == 0


# -- duplicate rows ------------------------------------------------------------------------------------

def test_one_duplicate_row_is_an_exact_copy_and_the_share_is_of_all_rows():
    frame = pd.DataFrame({"a": [1, 2, 3, 1], "b": ["x", "y", "z", "x"]})
    [finding] = _findings(frame, "duplicate_rows")
    assert finding.message == (
        f"1 row ({1 / 4:.1%}) is an exact copy of an earlier row. Copies make a model look better than it is when "
        "the same row lands in both the training and the test part — drop them, unless repeated rows are real, "
        "separate events.")
    assert finding.value == {"rows": 1, "share": 0.25, "ignored_columns": []}
    assert finding.fix.label == "Drop 1 duplicate row" and finding.evidence_rows == (3,)


@pytest.mark.parametrize("ids, said", [
    (["id"], "(ignoring the id column 'id')"),
    (["id", "code"], "(ignoring the id columns 'id', 'code')"),
])
def test_duplicates_ignore_id_columns_and_say_which(ids, said):
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 5], "code": ["a", "b", "c", "d", "e"],
                          "v": [1.0, 2.0, 1.0, 2.0, 3.0]})
    kinds = {c: ColumnKind.ID for c in ids}
    report = run_checks(frame if len(ids) == 2 else frame.drop(columns="code"), kinds)
    [finding] = [f for f in report.findings if f.check == "duplicate_rows"]
    assert finding.message.startswith(f"2 rows ({2 / 5:.1%}) are exact copies of an earlier row {said}.")
    assert finding.value["ignored_columns"] == ids and finding.fix.params == {"ignore": ids}


# -- the stored report ----------------------------------------------------------------------------------

def _report() -> QualityReport:
    findings = [
        Finding("missing_target", Severity.ERROR, "y", "Empty targets.", {"missing": 2}),
        Finding("duplicate_rows", Severity.WARNING, None, "Copies.", {"rows": 1},
                Fix("drop_duplicates", {"ignore": []}, "Drop 1 duplicate row"), (3,), True),
        Finding("outliers", Severity.WARNING, "x", "Far out.", {"share": 0.1}),
        Finding("missing_values", Severity.INFO, "x", "A few gaps.", {"missing": 1}),
    ]
    return QualityReport(findings, "y", Thresholds(min_rows=10, correlation=0.9), rows=400, columns=3,
                         sample_rows=300, seconds=1.234567)


def test_report_counts_and_summary_text():
    report = _report()
    assert [report.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)] == [1, 2, 1]
    assert report.summary() == {"errors": 1, "warnings": 2, "info": 1, "text": "1 error, 2 warnings"}
    none = QualityReport([], None)
    assert none.summary()["text"] == "0 errors, 0 warnings" and none.count(Severity.ERROR) == 0


def test_report_is_stored_with_every_field_and_read_back():
    report = _report()
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["format"] == FORMAT_VERSION and data["summary"] == report.summary()
    assert (data["target"], data["rows"], data["columns"], data["sample_rows"]) == ("y", 400, 3, 300)
    assert data["seconds"] == round(1.234567, 4) and data["thresholds"] == report.thresholds.to_dict()
    again = QualityReport.from_dict(data)
    assert again.thresholds == report.thresholds and again.sample_rows == 300
    assert (again.rows, again.columns, again.seconds) == (400, 3, round(1.234567, 4))
    assert again.findings == report.findings


def test_a_report_without_figures_reads_with_defaults():
    again = QualityReport.from_dict({"target": None})
    assert again.findings == [] and again.thresholds == Thresholds()
    assert (again.rows, again.columns, again.sample_rows, again.seconds) == (0, 0, None, 0.0)


def test_findings_and_fixes_read_with_defaults():
    finding = Finding.from_dict({"check": "c", "severity": "info", "message": "m",
                                 "fix": {"op": "drop_duplicates"}})
    assert finding.sampled is False and finding.fix == Fix("drop_duplicates", {}, "drop_duplicates")
    assert finding.column is None and finding.value == {} and finding.evidence_rows == ()


def test_jsonable_keeps_text_and_writes_other_objects_as_text():
    assert jsonable("text") == "text" and jsonable(None) is None
    assert jsonable(np.datetime64("2024-05-06")) == "2024-05-06"
    assert jsonable(Decimal("1.50")) == "1.50"


def test_jsonable_turns_a_missing_timestamp_into_none():
    assert jsonable({"first": pd.NaT, "second": np.datetime64("NaT")}) == {"first": None, "second": None}
    assert jsonable(pd.Timestamp("2024-05-01")) == "2024-05-01T00:00:00"


# -- the fix plan ---------------------------------------------------------------------------------------

def _finding(check: str, op: str, column: str | None = None, **params) -> Finding:
    params = ({"column": column} if column else {}) | params
    return Finding(check, Severity.WARNING, column, f"{check} {column}", fix=Fix(op, params, f"{op} {column}"))


def test_plan_orders_types_rows_values_then_drops_and_skips_what_a_drop_removes():
    impute_a = _finding("missing_values", "impute", "a", strategy="median", value=1.0)
    drop_a = _finding("mostly_empty", "drop_column", "a")
    dups = _finding("duplicate_rows", "drop_duplicates", ignore=[])
    numbers_b = _finding("numbers_as_text", "convert_to_numbers", "b")
    cap_b = _finding("outliers", "cap_outliers", "b", lower=None, upper=9.0)
    no_fix = Finding("too_few_rows", Severity.WARNING, None, "Few rows.")
    plan = plan_fixes([impute_a, drop_a, cap_b, no_fix, dups, numbers_b])

    assert [p.finding for p in plan.fixes] == [dups, numbers_b, cap_b, impute_a, drop_a]
    ops = [p.step.op for p in plan.fixes]
    assert ops == sorted(ops, key=OP_ORDER.index)
    assert [p.finding for p in plan.applied] == [dups, numbers_b, cap_b, drop_a]
    assert [s.op for s in plan.steps] == ["drop_duplicates", "convert_to_numbers", "cap_outliers", "drop_column"]
    skipped = next(p for p in plan.fixes if p.finding is impute_a)
    assert skipped.skipped == "column 'a' is dropped by another chosen fix" and skipped.label == "impute a"
    assert plan.without_fix == 1


def test_plan_keeps_one_copy_of_the_same_fix():
    first, again = _finding("duplicate_rows", "drop_duplicates", ignore=[]), \
        _finding("duplicate_rows", "drop_duplicates", ignore=[])
    other = _finding("duplicate_rows", "drop_duplicates", ignore=["id"])
    plan = plan_fixes([first, again, other])
    assert [p.skipped for p in plan.fixes] == ["", "the same fix is already chosen", ""]
    assert plan.without_fix == 0 and len(plan.steps) == 2
    # On a column, the same operation twice is one fix, whatever its figures.
    column_twice = plan_fixes([_finding("outliers", "cap_outliers", "b", lower=None, upper=9.0),
                               _finding("outliers", "cap_outliers", "b", lower=1.0, upper=8.0)])
    assert [p.skipped for p in column_twice.fixes] == ["", "the same fix is already chosen"]
