"""Edges the mutation run (docs/benchmarks.md) found untested: the stored drift document, numbers
tested as categories (counts against SciPy), what is skipped and why, progress, unknown settings."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

from desktop_app.core.monitor.drift import column_drift, data_drift
from desktop_app.core.monitor.errors import MonitorError
from desktop_app.core.monitor.reference import build_reference, column_reference
from desktop_app.core.monitor.settings import DriftSettings


def _reference(columns: dict[str, pd.Series], kinds: dict[str, str] | None = None):
    frame = pd.DataFrame(columns)
    kinds = kinds or {c: "numeric" for c in frame}
    return build_reference(frame, kinds, list(frame))


def test_the_stored_document_holds_every_verdict():
    rng = np.random.default_rng(1)
    stats_ = _reference({"a": pd.Series(rng.normal(size=300)), "b": pd.Series(rng.normal(size=300)),
                         "when": pd.Series(pd.date_range("2024-01-01", periods=300))},
                        {"a": "numeric", "b": "numeric", "when": "datetime"})
    batch = pd.DataFrame({"a": rng.normal(3, 1, 200), "b": rng.normal(size=200)})
    result = data_drift(stats_, batch, DriftSettings())
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert document["share_drifted"] == 0.5 and document["dataset_drift"] is True
    assert document["drift_share"] == DriftSettings().drift_share
    assert document["drifted_columns"] == ["a"] and [c["column"] for c in document["columns"]] == ["a", "b"]
    assert document["skipped"] == {"when": "datetime columns are not tested for drift"}


def test_a_column_missing_from_the_batch_is_skipped_and_progress_counts_the_tested_ones():
    rng = np.random.default_rng(2)
    stats_ = _reference({c: pd.Series(rng.normal(size=200)) for c in ("a", "b", "c")})
    seen: list[tuple[float, str]] = []
    result = data_drift(stats_, pd.DataFrame({"a": rng.normal(size=100), "c": rng.normal(size=100)}),
                        DriftSettings(), progress=lambda fraction, message: seen.append((fraction, message)))
    assert result.skipped == {"b": "not in the batch"}
    assert seen == [(0.0, "Comparing 'a'"), (0.5, "Comparing 'c'")]


def test_untested_and_infinite_figures_are_stored_as_null():
    ref = column_reference("x", pd.Series([1.0, 2.0, 3.0]), "numeric")
    untested = column_drift(ref, pd.Series([np.nan, np.nan]), DriftSettings())
    assert untested.test is None and math.isnan(untested.threshold)
    stored = untested.to_dict()
    assert stored["threshold"] is None and stored["statistic"] is None and stored["note"]
    assert stored["missing_batch"] == 1.0 and isinstance(stored["missing_batch"], float)
    infinite = column_drift(column_reference("c", pd.Series(["a", "a", "b"] * 5), "categorical"),
                            pd.Series(["a", "c", "c"] * 5),
                            DriftSettings(categorical_test="chi_squared", chi_squared_method="goodness_of_fit"))
    assert infinite.statistic == math.inf and infinite.to_dict()["statistic"] is None
    assert infinite.drifted and json.dumps(infinite.to_dict(), allow_nan=False)


def test_numpy_figures_are_stored_as_plain_numbers():
    from desktop_app.core.monitor.drift import ColumnDrift

    result = ColumnDrift("x", "numeric", "ks", np.float64(0.25), np.float64(np.nan), 0.05, False, np.float32(0.5),
                         "moderate", 0.0, 0.0, False, rows_ref=np.int64(7))
    stored = result.to_dict()
    assert stored["statistic"] == 0.25 and stored["p_value"] is None
    assert stored["psi"] == 0.5 and type(stored["psi"]) is float
    assert stored["rows_ref"] == 7 and type(stored["rows_ref"]) is int
    assert json.loads(json.dumps(stored, allow_nan=False))["psi"] == 0.5


def test_few_distinct_numbers_are_counted_as_categories_exactly():
    ref_values = pd.Series([0.0] * 50 + [1.0] * 30 + [2.0] * 20)
    batch = pd.Series([0.0] * 20 + [1.0] * 35 + [3.0] * 1)         # 2 is gone, 3 appears once
    result = column_drift(column_reference("n", ref_values, "numeric"), batch, DriftSettings())
    keys = sorted(set(ref_values) | set(batch))
    table = np.array([[int((ref_values == k).sum()) for k in keys], [int((batch == k).sum()) for k in keys]])
    expected = stats.chi2_contingency(table, correction=False)
    assert result.test == "chi_squared"
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.new_categories == ["3"] and result.new_category_share == 1 / len(batch)


def test_unknown_settings_are_named_with_the_known_ones():
    with pytest.raises(MonitorError) as caught:
        DriftSettings.from_dict({"drift_shares": 0.3, "pvalue": 0.1})
    message = str(caught.value)
    assert message.startswith("Unknown drift setting(s) drift_shares, pvalue; the settings are small_sample_rows, "
                              "categorical_max_values, ")
    assert message.endswith(", seed.")


# -- the settings' allowed ranges, both ends ----------------------------------------------------------

@pytest.mark.parametrize("accepted", [
    {"p_value": 1.0}, {"drift_share": 1.0}, {"missing_change": 1.0}, {"distance": 1e-9},
    {"psi_moderate": 0.2, "psi_significant": 0.2}, {"psi_bins": 2}, {"domain_folds": 2}, {"domain_rows": 10},
    {"small_sample_rows": 0}, {"domain_auc_low": 0.0}, {"domain_auc_low": 0.5}, {"domain_auc_high": 0.5},
    {"domain_auc_high": 1.0},
])
def test_settings_accept_the_ends_of_their_ranges(accepted):
    settings = DriftSettings(**accepted)
    assert all(getattr(settings, name) == value for name, value in accepted.items())


@pytest.mark.parametrize("refused, message", [
    ({"p_value": 0.0}, "The drift setting p_value must be above 0 and at most 1, not 0.0."),
    ({"drift_share": np.nextafter(1.0, 2.0)}, "The drift setting drift_share must be above 0 and at most 1"),
    ({"distance": 0.0}, "Drift distances must be above 0 and the significant PSI band at least the moderate one; "
                        "check the thresholds."),
    ({"psi_moderate": 0.0}, "Drift distances must be above 0"),
    ({"psi_moderate": 0.2, "psi_significant": np.nextafter(0.2, 0.0)}, "the significant PSI band at least"),
    ({"psi_bins": 1}, "PSI needs at least 2 bins and the domain classifier at least 2 folds and 10 rows; check the "
                      "drift settings."),
    ({"domain_folds": 1}, "PSI needs at least 2 bins"),
    ({"domain_rows": 9}, "PSI needs at least 2 bins"),
    ({"small_sample_rows": -1}, "PSI needs at least 2 bins"),
    ({"domain_auc_low": -1e-9}, "The domain classifier's AUROC band must hold 0.5 (for example 0.45 to 0.65)."),
    ({"domain_auc_low": np.nextafter(0.5, 1.0)}, "AUROC band must hold 0.5"),
    ({"domain_auc_high": np.nextafter(0.5, 0.0)}, "AUROC band must hold 0.5"),
    ({"domain_auc_high": np.nextafter(1.0, 2.0)}, "AUROC band must hold 0.5"),
    ({"numeric_test": "t"}, "'t' is not a numeric drift test; use one of auto, ks, wasserstein."),
    ({"categorical_test": "g"}, "'g' is not a categorical drift test; use one of auto, chi_squared, "
                                "jensen_shannon."),
    ({"chi_squared_method": "x"}, "'x' is not a chi-squared method; use one of two_sample, goodness_of_fit."),
])
def test_settings_refuse_just_beyond_their_ranges(refused, message):
    with pytest.raises(MonitorError) as caught:
        DriftSettings(**refused)
    assert message in str(caught.value) and str(caught.value).endswith(".")


# -- what a column's result says ------------------------------------------------------------------------

@pytest.mark.parametrize("ref_values, batch, note", [
    ([np.nan] * 4, [1.0, 2.0], "The reference has no values in this column."),
    ([1.0, 2.0, 3.0, np.nan], [np.nan, np.nan, np.nan], "The batch has no values in this column."),
])
def test_an_empty_side_is_not_tested_and_says_which(ref_values, batch, note):
    ref = column_reference("x", pd.Series(ref_values), "numeric")
    result = column_drift(ref, pd.Series(batch), DriftSettings())
    assert result.note == note and result.test is None and result.test_verdict is None
    assert (result.rows_ref, result.rows_batch) == (int(pd.Series(ref_values).notna().sum()),
                                                    int(pd.Series(batch).notna().sum()))
    assert result.missing_ref == pd.Series(ref_values).isna().mean()
    assert result.missing_batch == pd.Series(batch).isna().mean()
    assert result.psi is None and result.psi_band == "stable" and math.isnan(result.threshold)


def test_numbers_with_few_values_on_one_side_only_are_tested_as_numbers():
    ref = column_reference("n", pd.Series([1.0, 2.0, 3.0] * 100), "numeric")
    batch = pd.Series(np.linspace(0, 4, 60))
    result = column_drift(ref, batch, DriftSettings())
    assert result.test == "ks" and result.new_categories == [] and result.note == ""


def test_categories_get_psi_and_new_ones_their_share():
    ref_values = pd.Series(["a"] * 60 + ["b"] * 30 + ["c"] * 10)
    batch = pd.Series(["a"] * 40 + ["b"] * 30 + ["d"] * 10)
    result = column_drift(column_reference("c", ref_values, "categorical"), batch, DriftSettings())
    p = np.array([0.6, 0.3, 0.1, 1e-4])          # a, b, c, d (shares; a missing one is 0.0001)
    q = np.array([0.5, 0.375, 1e-4, 0.125])
    assert result.psi == pytest.approx(float(np.sum((q - p) * np.log(q / p))), rel=1e-12)
    assert result.new_categories == ["d"] and result.new_category_share == 10 / 80
    assert (result.rows_ref, result.rows_batch) == (100, 80)


def test_categories_beyond_the_stored_ones_are_pooled_not_new():
    from desktop_app.core.monitor.reference import MAX_CATEGORIES, OTHER

    ref_values = pd.Series([f"v{i}" for i in range(MAX_CATEGORIES + 5)])
    ref = column_reference("c", ref_values, "categorical")
    assert ref.other == 5
    batch = pd.Series(["v0", "v1", "unseen", "v10004"])
    result = column_drift(ref, batch, DriftSettings(categorical_test="jensen_shannon"))
    assert result.new_categories == [] and result.new_category_share == 0.0
    assert result.note == f"Categories beyond the {MAX_CATEGORIES:,} most common are pooled as {OTHER}."
    # v0 and v1 are stored; 'unseen' and v10004 fall into the pooled "(other)" with the reference's last 5.
    ref_counts = np.r_[np.ones(MAX_CATEGORIES), 5.0]
    batch_counts = np.r_[1.0, 1.0, np.zeros(MAX_CATEGORIES - 2), 2.0]
    expected = distance.jensenshannon(ref_counts / ref_counts.sum(), batch_counts / batch_counts.sum())
    assert result.statistic == pytest.approx(expected, rel=1e-12)


def test_a_chosen_test_is_used_whatever_the_reference_size():
    rng = np.random.default_rng(5)
    numbers = column_reference("x", pd.Series(rng.normal(size=3_000)), "numeric")        # auto: wasserstein
    assert column_drift(numbers, pd.Series(rng.normal(size=500)), DriftSettings(numeric_test="ks")).test == "ks"
    words = column_reference("c", pd.Series(rng.choice(["a", "b"], 3_000)), "categorical")  # auto: jensen_shannon
    forced = column_drift(words, pd.Series(rng.choice(["a", "b"], 500)), DriftSettings(categorical_test="chi_squared"))
    assert forced.test == "chi_squared" and forced.p_value is not None


def test_missing_share_moving_down_counts_its_change_not_the_sum():
    values = pd.Series(np.random.default_rng(6).normal(size=4_000))
    reference = values.copy()
    reference.iloc[::5] = np.nan                        # 20% missing
    batch = values.copy()
    batch.iloc[::8] = np.nan                            # 12.5% missing: moved by 0.075
    result = column_drift(column_reference("x", reference, "numeric"), batch, DriftSettings(missing_change=0.1))
    assert result.missing_ref == 0.2 and result.missing_batch == 0.125 and not result.missing_drifted


def test_an_empty_batch_has_no_missing_share():
    ref = column_reference("x", pd.Series([1.0, 2.0, np.nan]), "numeric")
    result = column_drift(ref, pd.Series([], dtype=float), DriftSettings())
    assert result.missing_batch == 0.0 and result.rows_batch == 0 and not result.drifted
    assert result.note == "The batch has no values in this column."
