"""Drift statistics: equal to SciPy's on the same arrays, PSI by hand, planted shifts found where planted."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

from desktop_app.core.monitor import statistics as st
from desktop_app.core.monitor.drift import column_drift, data_drift
from desktop_app.core.monitor.reference import build_reference, numeric_reference
from desktop_app.core.monitor.settings import DriftSettings
from tests.core.monitor.synthetic import KINDS, make_frame

TOL = 1e-9


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOL, abs_tol=1e-12)


def _samples(kind: str, n_ref: int, n_batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "continuous":  # large offset: the integrals must not lose precision
        return rng.normal(5e4, 1e3, n_ref), rng.normal(5.03e4, 1.1e3, n_batch)
    if kind == "ties":        # integers: many equal values on both sides
        return rng.integers(0, 50, n_ref).astype(float), rng.integers(2, 55, n_batch).astype(float)
    if kind == "rounded":     # skewed, one decimal
        return np.round(rng.exponential(3, n_ref), 1), np.round(rng.exponential(3.3, n_batch), 1)
    if kind == "same":
        return rng.normal(0, 1, n_ref), rng.normal(0, 1, n_batch)
    raise ValueError(kind)


CASES = [
    ("continuous", 40, 25), ("ties", 1000, 800), ("rounded", 3000, 3000),   # exact p-values
    ("continuous", 20_000, 5_000), ("ties", 200_000, 30_000), ("rounded", 50_000, 12_345),  # asymptotic
    ("same", 100_000, 20_000), ("continuous", 300, 50_000), ("continuous", 50_000, 7), ("ties", 1, 5_000),
]


@pytest.mark.parametrize(("kind", "n_ref", "n_batch"), CASES)
def test_ks_equals_scipy(kind, n_ref, n_batch):
    ref, batch = _samples(kind, n_ref, n_batch, seed=n_ref + n_batch)
    expected = stats.ks_2samp(ref, batch)
    d, p = st.ks_test(st.SortedReference.from_values(ref), np.sort(batch))
    assert close(d, expected.statistic)
    assert close(p, expected.pvalue)
    assert close(st.ks_statistic(st.SortedReference.from_values(ref), np.sort(batch)), expected.statistic)


@pytest.mark.parametrize(("kind", "n_ref", "n_batch"), CASES)
def test_wasserstein_equals_scipy(kind, n_ref, n_batch):
    ref, batch = _samples(kind, n_ref, n_batch, seed=n_ref * 3 + n_batch)
    expected = stats.wasserstein_distance(ref, batch)
    assert close(st.wasserstein(st.SortedReference.from_values(ref), np.sort(batch)), expected)


def test_stored_reference_gives_the_same_results():
    ref, batch = _samples("rounded", 20_000, 4_000, seed=3)
    built = st.SortedReference.from_values(ref)
    stored = st.SortedReference.from_counts(built.values, built.counts)
    batch = np.sort(batch)
    assert st.wasserstein(stored, batch) == st.wasserstein(built, batch)
    assert st.ks_test(stored, batch) == st.ks_test(built, batch)
    assert np.array_equal(stored.expand(), np.sort(ref))
    mean, std = stored.mean_std()
    assert close(mean, ref.mean()) and close(std, ref.std())


def test_chi_squared_equals_scipy_contingency():
    ref, batch = np.array([500, 300, 150, 50]), np.array([90, 70, 25, 15])
    expected = stats.chi2_contingency(np.vstack([ref, batch]), correction=False)
    statistic, p = st.chi_squared(ref, batch)
    assert close(statistic, expected.statistic) and close(p, expected.pvalue)
    # a category one side lacks stays in the table; one neither side has is dropped
    statistic, p = st.chi_squared(np.array([500, 300, 0, 0]), np.array([90, 70, 10, 0]))
    expected = stats.chi2_contingency(np.array([[500, 300, 0], [90, 70, 10]]), correction=False)
    assert close(statistic, expected.statistic) and close(p, expected.pvalue)


def test_chi_squared_goodness_of_fit_equals_scipy_chisquare():
    ref, batch = np.array([500, 300, 150, 50]), np.array([90, 70, 25, 15])
    # expected frequencies: the reference's shares times the batch's size
    expected = stats.chisquare(batch, ref / ref.sum() * batch.sum())
    statistic, p = st.chi_squared_goodness_of_fit(ref, batch)
    assert close(statistic, expected.statistic) and close(p, expected.pvalue)
    assert st.chi_squared_goodness_of_fit(np.array([10, 5, 0]), np.array([3, 3, 1])) == (math.inf, 0.0)


def test_jensen_shannon_equals_scipy_natural_log():
    ref, batch = np.array([500, 300, 150, 50, 0]), np.array([90, 70, 25, 10, 5])
    expected = distance.jensenshannon(ref / ref.sum(), batch / batch.sum())
    assert close(st.jensen_shannon(ref, batch), expected)
    assert st.jensen_shannon(np.array([1, 0]), np.array([0, 1])) == pytest.approx(math.sqrt(math.log(2)))


def test_psi_by_hand():
    # (0.5 − 0.25)·ln(0.5/0.25) + 0 + (0.25 − 0.5)·ln(0.25/0.5) = 0.5·ln 2
    assert st.psi(np.array([0.25, 0.25, 0.5]), np.array([0.5, 0.25, 0.25])) == pytest.approx(0.5 * math.log(2))
    # an empty bin counts as a share of 0.0001
    value = st.psi(np.array([0.5, 0.5, 0.0]), np.array([0.4, 0.4, 0.2]))
    by_hand = 2 * (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.2 - 1e-4) * math.log(0.2 / 1e-4)
    assert value == pytest.approx(by_hand)
    assert st.psi_band(0.05, 0.1, 0.25) == "stable"
    assert st.psi_band(0.1, 0.1, 0.25) == "moderate"
    assert st.psi_band(0.3, 0.1, 0.25) == "significant"


def test_psi_bins_are_reference_deciles():
    column = numeric_reference("x", pd.Series(np.arange(1000, dtype=float)))
    edges, counts = column.psi_bins(10)
    assert edges.tolist() == [99, 199, 299, 399, 499, 599, 699, 799, 899] and np.all(counts == 100)
    # the same edges as numpy's inverted-CDF quantiles
    assert np.array_equal(edges, np.unique(np.quantile(np.arange(1000.0), np.arange(1, 10) / 10,
                                                       method="inverted_cdf")))
    # a batch shifted past the 8th decile
    batch = pd.Series(np.linspace(800, 1200, 500))
    result = column_drift(column, batch, DriftSettings())
    batch_bins = st.bin_counts(edges, batch.to_numpy())
    assert batch_bins[:8].sum() == 0 and batch_bins.sum() == 500
    assert result.psi == pytest.approx(st.psi(np.full(10, 0.1), batch_bins / 500))
    assert result.psi_band == "significant"
    assert column_drift(column, batch, DriftSettings(psi_bins=4)).psi != result.psi   # bins are a setting


def test_psi_bins_merge_tied_edges():
    column = numeric_reference("x", pd.Series(np.r_[np.zeros(600), np.arange(1, 401, dtype=float)]))
    edges, counts = column.psi_bins(10)   # 60% zeros: deciles 1-6 are all 0
    assert edges.tolist() == [0, 100, 200, 300]      # edges are reference values
    assert counts.tolist() == [600, 100, 100, 100, 100]


def test_missing_change_p_value():
    p = st.missing_change(15, 1000, 60, 1000)
    table = np.array([[15, 985], [60, 940]])
    # the two-proportion z-test is the uncorrected chi-squared test on the 2 × 2 table
    assert close(p, stats.chi2_contingency(table, correction=False).pvalue)


# Planted shifts ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def large_reference():
    frame = make_frame(60_000, seed=1)
    return build_reference(frame, KINDS, list(frame.columns), seed=0)


@pytest.fixture(scope="module")
def small_reference():
    frame = make_frame(800, seed=2)
    return build_reference(frame, KINDS, list(frame.columns), seed=0)


PLANTED = dict(mean_shift={"income": 0.3}, new_category={"region": ("region_99", 0.05)},
               proportions={"smoke": [0.6, 0.4]}, missing={"bmi": 0.2})


def test_same_distribution_raises_no_drift_large(large_reference):
    for seed in (11, 12, 13):
        drift = data_drift(large_reference, make_frame(20_000, seed=seed), DriftSettings())
        assert not drift.dataset_drift
        assert drift.drifted_columns == []
        assert {c.test for c in drift.columns} == {"wasserstein", "jensen_shannon"}


def test_same_distribution_raises_no_drift_small(small_reference):
    flagged = []
    for seed in range(21, 31):
        drift = data_drift(small_reference, make_frame(1_000, seed=seed), DriftSettings())
        assert not drift.dataset_drift
        assert {c.test for c in drift.columns} == {"ks", "chi_squared"}
        flagged.append(len(drift.drifted_columns))
    # p < 0.05 per column: about one column in twenty by chance, never many
    assert np.mean(flagged) / 20 < 0.1


def test_planted_shifts_found_where_planted_large(large_reference):
    drift = data_drift(large_reference, make_frame(20_000, seed=5, **PLANTED), DriftSettings())
    assert sorted(drift.drifted_columns) == ["bmi", "income", "region", "smoke"]
    assert drift.column("region").new_categories == ["region_99"]
    assert drift.column("region").new_category_share == pytest.approx(0.05, abs=0.01)
    assert drift.column("bmi").missing_drifted and drift.column("bmi").test_verdict is False
    assert drift.column("income").test == "wasserstein" and drift.column("income").statistic > 0.2
    others = [c.psi for c in drift.columns if c.kind == "numeric" and c.column not in ("income", "bmi")]
    assert drift.column("income").psi > 0.05 > max(others)
    assert not drift.dataset_drift and drift.share_drifted == pytest.approx(4 / 20)


def test_planted_shifts_found_where_planted_small(small_reference):
    planted = dict(mean_shift={"income": 0.5}, new_category={"region": ("region_99", 0.05)},
                   proportions={"smoke": [0.55, 0.45]}, missing={"bmi": 0.2})
    drift = data_drift(small_reference, make_frame(1_000, seed=6, **planted), DriftSettings())
    assert {"bmi", "income", "region", "smoke"} <= set(drift.drifted_columns)
    assert len(drift.drifted_columns) <= 5   # at most one chance finding at p < 0.05
    assert drift.column("income").test == "ks" and drift.column("income").p_value < 1e-6
    assert drift.column("region").new_categories == ["region_99"]


def test_many_drifted_columns_make_dataset_drift(large_reference):
    shifted = make_frame(20_000, seed=7, mean_shift={c: 0.5 for c in
                                                      ("age", "weight", "height", "sys_bp", "dia_bp", "income", "bmi",
                                                       "visits", "score")},
                         proportions={"gender": [0.3, 0.7], "smoke": [0.5, 0.5]})
    drift = data_drift(large_reference, shifted, DriftSettings())
    assert drift.share_drifted >= 0.5 and drift.dataset_drift


def test_goodness_of_fit_is_evidently_s_test(small_reference):
    settings = DriftSettings(chi_squared_method="goodness_of_fit")
    batch = make_frame(1_000, seed=8)
    result = column_drift(small_reference.columns["cholesterol"], batch["cholesterol"], settings)
    ref = small_reference.columns["cholesterol"]
    counts = batch["cholesterol"].value_counts()
    observed = np.array([counts.get(c, 0) for c in ref.categories])
    expected = stats.chisquare(observed, ref.counts / ref.counts.sum() * observed.sum())
    assert close(result.statistic, expected.statistic) and close(result.p_value, expected.pvalue)


def test_numeric_with_few_values_is_tested_as_categories(large_reference):
    drift = data_drift(large_reference, make_frame(5_000, seed=9), DriftSettings())
    assert drift.column("children").test == "jensen_shannon"
    assert drift.column("visits").test == "wasserstein"


def test_empty_batch_column_is_reported_not_tested(large_reference):
    batch = make_frame(2_000, seed=10)
    batch["score"] = np.nan
    result = data_drift(large_reference, batch, DriftSettings()).column("score")
    assert result.test is None and result.drifted and result.missing_batch == 1.0
    assert "no values" in result.note
