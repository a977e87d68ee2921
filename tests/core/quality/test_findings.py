"""Findings, fixes and thresholds as plain, storable values."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from desktop_app.core.quality import Finding, Fix, QualityError, Severity, Thresholds
from desktop_app.core.quality.findings import jsonable


def test_finding_round_trip_with_numpy_values():
    f = Finding("outliers", Severity.WARNING, "x", "Message.",
                {"rows": np.int64(3), "share": np.float64(0.5), "bad": np.nan, "list": np.array([1, 2])},
                Fix("cap_outliers", {"column": "x", "lower": np.float64(1.5), "upper": None}, "Cap"), (1, 2), True)
    data = json.loads(json.dumps(f.to_dict(), allow_nan=False))
    assert data["value"] == {"rows": 3, "share": 0.5, "bad": None, "list": [1, 2]}
    again = Finding.from_dict(data)
    assert again.fix == Fix("cap_outliers", {"column": "x", "lower": 1.5, "upper": None}, "Cap")
    assert (again.severity, again.evidence_rows, again.sampled) == (Severity.WARNING, (1, 2), True)


def test_jsonable_turns_each_numpy_kind_into_plain_json():
    values = {"yes": np.bool_(True), "n": np.int32(-4), "u": np.uint8(7), "f": np.float32(0.25),
              "inf": np.float64("inf"), "when": np.datetime64("2024-01-02"), "never": np.datetime64("NaT"),
              "grid": np.array([[1.5, np.nan]])}
    plain = jsonable(values)
    assert plain == {"yes": True, "n": -4, "u": 7, "f": 0.25, "inf": None, "when": "2024-01-02", "never": None,
                     "grid": [[1.5, None]]}
    assert [type(plain[k]) for k in ("yes", "n", "u", "f")] == [bool, int, int, float]


def test_reading_saved_findings_loads_no_numpy():
    # The Quality step reads a version's saved reports on the GUI thread when a project opens:
    # importing numpy there froze the window (or waited for a worker importing it).
    code = ("import sys; from desktop_app.core.quality.report import QualityReport; "
            "from desktop_app.core.quality.findings import jsonable; "
            "assert jsonable({'a': [1, 2.5, True, None]}) == {'a': [1, 2.5, True, None]}; "
            "print('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_severity_order():
    assert [s.rank for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)] == [0, 1, 2]
    assert Severity("error") is Severity.ERROR and str(Severity.INFO) == "info"


def test_jsonable_handles_pandas_and_dates():
    import pandas as pd

    assert jsonable({"t": pd.Timestamp("2024-01-02"), "na": pd.NA, "inf": float("inf")}) == {
        "t": "2024-01-02T00:00:00", "na": None, "inf": None}


def test_thresholds_describe_every_field():
    described = Thresholds().describe()
    names = [name for name, _, _ in described]
    assert names == list(Thresholds().to_dict())
    assert all(meaning.endswith(".") for _, _, meaning in described)
    assert dict((n, v) for n, v, _ in described)["outlier_iqr_factor"] == 3.0


def test_thresholds_round_trip_and_defaults():
    changed = Thresholds(correlation=0.9, sample_rows=5000)
    assert Thresholds.from_dict(json.loads(json.dumps(changed.to_dict()))) == changed
    assert Thresholds.from_dict({"correlation": "0.8", "unknown": 1}).correlation == 0.8
    assert Thresholds.from_dict(None) == Thresholds()
    assert changed.with_changes(correlation=0.99).correlation == 0.99


@pytest.mark.parametrize("bad", [{"rare_share": 1.5}, {"min_rows": 0}, {"correlation": -0.1}])
def test_thresholds_out_of_range_are_refused(bad):
    with pytest.raises(QualityError, match="must be"):
        Thresholds(**bad)
