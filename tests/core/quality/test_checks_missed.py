"""Problems the checks used to miss (issue 10, item 7): leakage through a small class or a
skewed target, and an id column in a table that also holds duplicate rows.

Every expectation is computed from the generated data, not copied from a report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.quality import Thresholds, run_checks
from desktop_app.core.quality.checks.target import _feature_codes, _holdout_accuracy
from desktop_app.core.quality.profile import ColumnProfile

from .conftest import only

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def leakage(report) -> dict[str, dict]:
    return {f.column: f.value for f in report.findings if f.check == "target_leakage"}


def small_class_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    positive = rng.random(n) < 0.05  # a 5% minority
    return pd.DataFrame({
        "leak": positive + rng.normal(0, 0.01, n),  # the target plus tiny noise
        "weak": positive * 0.5 + rng.normal(0, 1, n),  # related, far from perfect
        "noise": rng.normal(size=n),
        "churned": np.where(positive, "yes", "no"),
    })


@pytest.mark.parametrize("n, seed", [(500, 1), (1000, 2), (4000, 3)])
def test_a_noisy_copy_of_a_small_class_is_leakage(n, seed):
    frame = small_class_table(n, seed)
    positive = (frame.churned == "yes").to_numpy()
    # The leak separates the classes completely, so a held-out nearest value is never wrong.
    assert frame.leak[~positive].max() < frame.leak[positive].min()
    found = leakage(run_checks(frame, {}, target="churned"))
    assert set(found) == {"leak"}
    assert found["leak"]["accuracy"] == 1.0 and found["leak"]["score"] == 1.0
    assert found["leak"]["baseline"] == pytest.approx(1 - positive.mean())


def test_quantile_bins_alone_miss_the_small_class():
    """The case of the issue: the per-bin score of the copy falls below the threshold."""
    frame = small_class_table(1000, 2)
    y = (frame.churned == "yes").to_numpy().astype(np.int64)
    half = np.random.default_rng(Thresholds().sample_seed).random(len(y)) < 0.5

    column = ColumnProfile.build("leak", frame.leak, None)
    codes, n_codes = _feature_codes(column, np.arange(len(y)), bins=len(y) // 25)  # the check's bins
    baseline = 1 - y.mean()
    binned = (_holdout_accuracy(codes, n_codes, y, 2, half) - baseline) / (1 - baseline)
    assert binned < Thresholds().leakage_score
    assert leakage(run_checks(frame, {}, target="churned"))["leak"]["method"] == "holdout_nearest_value"


def test_a_column_that_separates_three_classes_with_a_small_one_is_leakage():
    rng = np.random.default_rng(4)
    n = 2000
    grade = rng.choice(["low", "mid", "high"], n, p=[0.6, 0.36, 0.04])
    code = pd.Series(grade).map({"low": 0, "mid": 1, "high": 2}).to_numpy()
    frame = pd.DataFrame({"score": code * 10 + rng.normal(0, 0.5, n), "noise": rng.normal(size=n), "grade": grade})
    found = leakage(run_checks(frame, {}, target="grade"))
    assert set(found) == {"score"}
    assert found["score"]["accuracy"] == 1.0  # the three ranges do not overlap (gaps of 10 against noise 0.5)


def test_a_copy_of_a_skewed_numeric_target_is_leakage_but_a_correlated_column_is_not():
    rng = np.random.default_rng(5)
    n = 3000
    income = np.exp(rng.normal(10, 1.5, n))
    frame = pd.DataFrame({
        "income_reported": income * (1 + rng.normal(0, 0.001, n)),
        "log_proxy": np.log(income) + rng.normal(0, 0.7, n),
        "income": income,
    })
    assert np.corrcoef(frame.log_proxy, np.log(income))[0, 1] > 0.85  # strongly related, still not a copy
    found = leakage(run_checks(frame, {}, target="income"))
    assert set(found) == {"income_reported"}
    assert found["income_reported"]["method"] == "holdout_nearest_value_rank"
    # The copy keeps the target's order apart from neighbours closer than the noise.
    assert found["income_reported"]["r2"] > 0.99


@pytest.mark.parametrize("loader", ["load_wine", "load_breast_cancer"])
def test_clean_tables_stay_well_below_the_leakage_threshold(loader):
    frame = getattr(sklearn_datasets, loader)(as_frame=True).frame
    every = run_checks(frame, {}, target="target", thresholds=Thresholds(leakage_score=0.0))
    scores = [f.value["score"] for f in every.findings if f.check == "target_leakage"]
    assert scores  # the strongest features were scored (columns below the baseline are not listed)
    assert max(scores) <= Thresholds().leakage_score - 0.1


def test_an_id_column_is_found_in_a_table_with_duplicate_rows():
    rng = np.random.default_rng(6)
    n = 1000
    base = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "plan": rng.choice(["basic", "plus", "pro"], n),
        "spend": rng.integers(10, 500, n),
    })
    copies = base.sample(frac=0.04, random_state=6)  # 4% of the rows appear twice
    frame = pd.concat([base, copies], ignore_index=True)
    distinct_share = frame.customer_id.nunique() / len(frame)
    assert distinct_share < Thresholds().id_unique_share  # why it used to be missed
    report = run_checks(frame, {})
    assert only(report, "duplicate_rows").value["rows"] == len(copies)
    f = only(report, "id_like_column", "customer_id")
    assert f.value["distinct"] == n and f.value["rows"] == n and f.value["copied_rows"] == len(copies)
    assert f"not counting {len(copies)} copies of earlier rows" in f.message


def test_a_column_that_repeats_beyond_the_copies_is_still_not_an_id():
    rng = np.random.default_rng(7)
    n = 1000
    base = pd.DataFrame({"order": rng.integers(1, n // 2, n), "x": rng.normal(size=n)})  # many repeats of its own
    frame = pd.concat([base, base.sample(frac=0.04, random_state=7)], ignore_index=True)
    assert base.order.nunique() < Thresholds().id_unique_share * n
    assert not [f for f in run_checks(frame, {}).findings if f.check == "id_like_column"]
