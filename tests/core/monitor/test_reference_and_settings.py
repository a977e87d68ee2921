"""Stored reference statistics round-trip exactly; settings validate, serialise and keep only overrides;
the domain classifier tells shifted rows apart and names the shifted column."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.monitor.drift import data_drift
from desktop_app.core.monitor.errors import MonitorError
from desktop_app.core.monitor.multivariate import domain_classifier
from desktop_app.core.monitor.reference import ReferenceStats, build_reference, numeric_reference
from desktop_app.core.monitor.settings import DriftSettings
from tests.core.monitor.synthetic import KINDS, make_frame


def test_reference_round_trip_gives_identical_results():
    frame = make_frame(20_000, seed=1)
    kinds = {**KINDS, "notes": "text"}
    frame["notes"] = "free text"
    built = build_reference(frame, kinds, list(frame.columns), sample_rows=5_000)
    built.info = {"task": "classification", "classes": ["no", "yes"]}
    loaded = ReferenceStats.from_bytes(built.to_bytes())
    assert loaded.rows == 20_000 and loaded.sample_rows == 5_000 and loaded.info == built.info
    assert "notes" not in loaded.columns and loaded.kinds["notes"] == "text"
    batch = make_frame(3_000, seed=2, mean_shift={"age": 0.4})
    a, b = data_drift(built, batch, DriftSettings()), data_drift(loaded, batch, DriftSettings())
    assert a.to_dict() == b.to_dict() and a.drifted_columns == ["age"]
    assert b.skipped == {"notes": "text columns are not tested for drift"}
    assert loaded.sample.equals(built.sample)


def test_reference_archive_holds_no_pickle():
    built = build_reference(make_frame(1_000, seed=3), KINDS, list(KINDS))
    with np.load(io.BytesIO(built.to_bytes()), allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def test_large_reference_keeps_a_seeded_sample_of_sorted_values():
    values = np.random.default_rng(0).normal(size=50_000)
    import pandas as pd

    column = numeric_reference("x", pd.Series(values), exact_rows=10_000)
    assert not column.exact and column.sorted.n == 10_000
    assert column.mean == pytest.approx(values.mean()) and column.std == pytest.approx(values.std())


def test_settings_round_trip_and_overrides():
    settings = DriftSettings.from_dict({"distance": "0.2", "drift_share": 0.3})
    assert settings.distance == 0.2 and settings.overrides() == {"distance": 0.2, "drift_share": 0.3}
    assert DriftSettings.from_dict(settings.to_dict()) == settings
    assert DriftSettings().overrides() == {}
    assert [row[0] for row in DriftSettings().describe()] == list(DriftSettings().to_dict())


@pytest.mark.parametrize("bad", [{"p_value": 0}, {"drift_share": 1.5}, {"numeric_test": "t"},
                                 {"chi_squared_method": "exact"}, {"psi_significant": 0.05},
                                 {"domain_auc_low": 0.6}, {"unknown": 1}, {"psi_bins": "many"}])
def test_bad_settings_are_refused_in_one_sentence(bad):
    with pytest.raises(MonitorError) as caught:
        DriftSettings.from_dict(bad)
    assert str(caught.value).endswith(".") and "\n" not in str(caught.value)


def test_domain_classifier_finds_the_shifted_column():
    reference = make_frame(6_000, seed=4)
    same = domain_classifier(reference, make_frame(3_000, seed=5), KINDS, DriftSettings())
    assert 0.45 <= same["auc"] <= 0.6 and not same["drifted"] and same["rows_batch"] == 3_000
    shifted = domain_classifier(reference, make_frame(3_000, seed=6, mean_shift={"weight": 1.5}), KINDS,
                                DriftSettings())
    assert shifted["drifted"] and shifted["auc"] > 0.7
    assert shifted["top_features"][0]["column"] == "weight"
    assert len(shifted["auc_folds"]) == 3
    assert "skipped" in domain_classifier(reference, make_frame(5, seed=7), KINDS, DriftSettings())


def test_a_batch_that_repeats_reference_rows_is_not_multivariate_drift():
    """The training file sent again as a batch: copies must not straddle the folds."""
    reference = make_frame(3_000, seed=4)
    again = domain_classifier(reference, reference.copy(), KINDS, DriftSettings())
    assert not again["drifted"] and 0.45 <= again["auc"] <= 0.65, again["auc"]
    half = pd.concat([reference.iloc[:1_500], make_frame(1_500, seed=8)], ignore_index=True)
    assert not domain_classifier(reference, half, KINDS, DriftSettings())["drifted"]
