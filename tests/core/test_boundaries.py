"""Both sides of every comparison a user relies on, with the boundary taken from the test's own data.

Each test puts a rule's value exactly on a measured figure (a run's metric, a column's p-value or
distance, a batch's share of drifted columns) and one float step beyond it, so that `>=` turned
into `>` (or `<` into `<=`) fails a test:

- KPI gates (`recall>=0.7`): a metric equal to the rule's value passes `>=` and `<=` and fails
  `>` and `<`; through `check_gate`, `register` (the model's gate and `require`) and `set_alias`;
- column drift: p < p_value, distance ≥ distance (docs/drift.md), the missing-share change
  (≥ missing_change), which test is chosen (≤ small_sample_rows, ≤ categorical_max_values),
  the PSI bands (< moderate stable, < significant moderate) and the domain classifier's band
  (low ≤ AUROC ≤ high is no drift);
- dataset drift: share of drifted columns ≥ drift_share;
- the time-ordered split: the test rows are the latest ones by the time column, whatever the
  order of the file.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.monitor.drift import column_drift, data_drift
from desktop_app.core.monitor.multivariate import domain_classifier
from desktop_app.core.monitor.reference import build_reference, column_reference
from desktop_app.core.monitor.settings import DriftSettings
from desktop_app.core.monitor.statistics import missing_change, psi_band
from desktop_app.core.project import Project
from desktop_app.core.registry.entities import KpiRule
from desktop_app.core.registry.errors import GateFailedError
from desktop_app.core.registry.gate import check_gate, parse_rule
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from desktop_app.core.training.prepare import prepare
from tests.conftest import SAMPLE_CSV
from tests.core.monitor.synthetic import KINDS, make_frame

TARGET = "heart_disease"


def up(value: float) -> float:
    """The next float above `value`."""
    return math.nextafter(value, math.inf)


def down(value: float) -> float:
    """The next float below `value`."""
    return math.nextafter(value, -math.inf)


# -- KPI gate ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0.7, 0.6523809523809524, 1e-12, 1.0, 0.0])
def test_each_gate_operator_on_both_sides_of_its_value(value):
    metrics = {"m": value}

    def passes(op: str, bound: float) -> bool:
        return check_gate([KpiRule("m", op, bound)], metrics) == []

    # Equal: the inclusive operators pass, the strict ones fail.
    assert passes(">=", value) and passes("<=", value)
    assert not passes(">", value) and not passes("<", value)
    # One float step away on each side.
    assert passes(">=", down(value)) and not passes(">=", up(value))
    assert passes(">", down(value)) and not passes(">", up(value))
    assert passes("<=", up(value)) and not passes("<=", down(value))
    assert passes("<", up(value)) and not passes("<", down(value))


def test_a_rule_written_as_text_keeps_the_exact_value():
    value = 0.6523809523809524
    assert parse_rule(f"recall>={value!r}").value == value
    assert check_gate([parse_rule(f"recall>={value!r}")], {"recall": value}) == []
    failures = check_gate([parse_rule(f"recall>={up(value)!r}")], {"recall": value})
    assert len(failures) == 1 and failures[0].startswith("recall ") and "< " in failures[0]


class Trained:
    """A project with two finished runs of the heart sample."""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    project = Project.create(tmp_path_factory.mktemp("boundaries") / "proj", name="Boundaries")
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    t = Trained()
    t.project = project
    t.plain = project.runs.train(RunSpec("heart", TARGET, "logistic_regression"))
    t.balanced = project.runs.train(RunSpec("heart", TARGET, "logistic_regression", class_weight="balanced"))
    for run in (t.plain, t.balanced):
        assert run.status == RunStatus.FINISHED, run.error
    yield t
    project.close()


def _model_names(project) -> set[str]:
    return {m.name for m in project.registry.models()}


@pytest.mark.parametrize("metric, op, at, beyond", [
    ("recall", ">=", "passes", up),      # higher is better: the value itself passes, one step above fails
    ("roc_auc", ">=", "passes", up),
    ("log_loss", "<=", "passes", down),  # lower is better: the value itself passes, one step below fails
    ("recall", ">", "fails", down),      # strict: the value itself fails, one step below passes
    ("log_loss", "<", "fails", up),
])
def test_register_require_at_the_runs_own_metric(trained, metric, op, at, beyond):
    reg, run = trained.project.registry, trained.balanced
    value = float(run.metrics[metric])
    name = f"req-{metric}-{'ge' if '>' in op else 'le'}{'' if '=' in op else 's'}"
    passing, failing = (value, beyond(value)) if at == "passes" else (beyond(value), value)

    with pytest.raises(GateFailedError) as caught:
        reg.register(run.id, name, require=[f"{metric}{op}{failing!r}"])
    assert caught.value.failures and caught.value.failures[0].startswith(f"{metric} ")
    assert name not in _model_names(trained.project)      # nothing half-made

    version = reg.register(run.id, name, require=[f"{metric}{op}{passing!r}"])
    assert version.number == 1 and version.metrics[metric] == value


def test_the_models_gate_at_registration_and_at_set_alias(trained):
    reg = trained.project.registry
    name = "gate-edges"
    reg.register(trained.plain.id, name)
    recall = float(trained.balanced.metrics["recall"])

    # Registration: the model's own gate, exactly at the run's recall and one step above it.
    reg.set_kpi_gate(name, [f"recall>={up(recall)!r}"], reason="just above")
    with pytest.raises(GateFailedError):
        reg.register(trained.balanced.id, name)
    assert [v.number for v in reg.get_model(name).versions] == [1]
    reg.set_kpi_gate(name, [KpiRule("recall", ">=", recall)], reason="exactly")
    assert reg.register(trained.balanced.id, name).number == 2

    # set_alias: the same gate, on version 2's recall.
    assert reg.gate_failures(reg.resolve(f"{name}@2")) == []
    assert reg.set_alias(name, "production", 2).aliases == ("production",)
    reg.set_kpi_gate(name, [f"recall>={up(recall)!r}"], reason="just above")
    assert len(reg.gate_failures(reg.resolve(f"{name}@2"))) == 1
    with pytest.raises(GateFailedError):
        reg.set_alias(name, "staging", 2)
    assert reg.get_model(name).aliases == {"production": 2}

    # A loss: `<=` at the value passes, one step below fails.
    log_loss = float(trained.balanced.metrics["log_loss"])
    reg.set_kpi_gate(name, [f"log_loss<={log_loss!r}"])
    assert reg.set_alias(name, "staging", 2).aliases == ("production", "staging")
    reg.set_kpi_gate(name, [f"log_loss<={down(log_loss)!r}"])
    with pytest.raises(GateFailedError):
        reg.set_alias(name, "canary", 2)


# -- column drift: which test, and when a column has drifted -----------------------------------------

def _numbers(n: int, seed: int, shift: float = 0.0) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).normal(shift, 1.0, n))


def test_p_value_rule_is_strictly_below():
    """docs/drift.md: KS and chi-squared flag drift when p < p_value (equal is not drift)."""
    ref = column_reference("x", _numbers(400, 1), "numeric")
    batch = _numbers(300, 2, shift=0.2)
    measured = column_drift(ref, batch, DriftSettings())
    assert measured.test == "ks" and 0 < measured.p_value < 1 and not measured.missing_drifted
    p = measured.p_value
    at = column_drift(ref, batch, DriftSettings(p_value=p))
    above = column_drift(ref, batch, DriftSettings(p_value=up(p)))
    assert at.p_value == p and at.threshold == p
    assert not at.drifted and at.test_verdict is False
    assert above.drifted and above.test_verdict is True


def test_chi_squared_p_value_rule_is_strictly_below():
    rng = np.random.default_rng(3)
    ref = column_reference("c", pd.Series(rng.choice(["a", "b", "c"], 500, p=[0.5, 0.3, 0.2])), "categorical")
    batch = pd.Series(rng.choice(["a", "b", "c"], 400, p=[0.45, 0.33, 0.22]))
    p = column_drift(ref, batch, DriftSettings()).p_value
    assert column_drift(ref, batch, DriftSettings()).test == "chi_squared" and 0 < p < 1
    assert not column_drift(ref, batch, DriftSettings(p_value=p)).drifted
    assert column_drift(ref, batch, DriftSettings(p_value=up(p))).drifted


@pytest.mark.parametrize("kind, settings", [
    ("numeric", {"numeric_test": "wasserstein"}),
    ("categorical", {"categorical_test": "jensen_shannon"}),
])
def test_distance_rule_includes_the_threshold(kind, settings):
    """docs/drift.md: Wasserstein (normed) and Jensen–Shannon flag drift when the distance ≥ `distance`."""
    rng = np.random.default_rng(4)
    if kind == "numeric":
        ref_values, batch = _numbers(2_000, 5), _numbers(1_500, 6, shift=0.15)
    else:
        ref_values = pd.Series(rng.choice(["a", "b", "c"], 2_000, p=[0.5, 0.3, 0.2]))
        batch = pd.Series(rng.choice(["a", "b", "c"], 1_500, p=[0.4, 0.35, 0.25]))
    ref = column_reference("x", ref_values, kind)
    distance = column_drift(ref, batch, DriftSettings(**settings)).statistic
    assert 0 < distance < 1
    at = column_drift(ref, batch, DriftSettings(**settings, distance=distance))
    above = column_drift(ref, batch, DriftSettings(**settings, distance=up(distance)))
    assert at.p_value is None and at.statistic == distance
    assert at.drifted and at.test_verdict is True
    assert not above.drifted and above.test_verdict is False


def test_missing_share_change_includes_its_threshold():
    """A column whose share of missing values moves by at least `missing_change` (significantly) drifted."""
    values = _numbers(1_000, 7)
    ref = column_reference("x", values, "numeric")
    batch = values.copy()
    batch.iloc[::10] = np.nan                          # the same values, a tenth of them missing
    change = abs(batch.isna().mean() - values.isna().mean())
    assert change == pytest.approx(0.1)
    at = column_drift(ref, batch, DriftSettings(missing_change=change))
    above = column_drift(ref, batch, DriftSettings(missing_change=up(change)))
    assert at.test_verdict is False and above.test_verdict is False      # the values present did not move
    assert at.missing_drifted and at.drifted
    assert not above.missing_drifted and not above.drifted


def test_missing_share_change_must_also_be_significant_p_below_p_value():
    values = _numbers(1_000, 7)
    values.iloc[::10] = np.nan                         # 10% missing in the reference
    ref = column_reference("x", values, "numeric")
    batch = _numbers(400, 8)
    batch.iloc[::5] = np.nan                           # 20% in the batch: moved by 0.1
    p = missing_change(ref.missing, ref.rows, int(batch.isna().sum()), len(batch))
    measured = column_drift(ref, batch, DriftSettings(missing_change=0.1, p_value=up(p)))
    assert 0 < p < measured.p_value                    # the values present did not move
    assert measured.missing_drifted and measured.drifted
    at = column_drift(ref, batch, DriftSettings(missing_change=0.1, p_value=p))
    assert not at.missing_drifted and not at.drifted


def test_small_sample_rows_includes_its_threshold():
    """KS (a test with a p-value) while the reference holds ≤ small_sample_rows values, a distance above."""
    values = _numbers(800, 8)
    values.iloc[:50] = np.nan
    ref = column_reference("x", values, "numeric")
    present = int(values.notna().sum())
    batch = _numbers(500, 9)
    assert column_drift(ref, batch, DriftSettings(small_sample_rows=present)).test == "ks"
    assert column_drift(ref, batch, DriftSettings(small_sample_rows=present - 1)).test == "wasserstein"


def test_few_distinct_numbers_are_tested_as_categories_up_to_the_limit():
    rng = np.random.default_rng(10)
    ref_values = pd.Series(rng.integers(0, 4, 600).astype(float))
    batch = pd.Series(rng.integers(0, 5, 400).astype(float))        # one value the reference lacks
    distinct = len(set(ref_values) | set(batch))
    ref = column_reference("n", ref_values, "numeric")
    as_categories = column_drift(ref, batch, DriftSettings(categorical_max_values=distinct))
    as_numbers = column_drift(ref, batch, DriftSettings(categorical_max_values=distinct - 1))
    assert as_categories.test == "chi_squared" and f"{distinct} distinct values" in as_categories.note
    assert as_categories.new_categories == ["4"]
    assert as_numbers.test == "ks" and as_numbers.new_categories == []


def test_psi_bands_start_at_their_thresholds():
    ref = column_reference("x", _numbers(2_000, 11), "numeric")
    batch = _numbers(1_000, 12, shift=0.3)
    psi = column_drift(ref, batch, DriftSettings()).psi
    assert psi > 0
    assert column_drift(ref, batch, DriftSettings(psi_moderate=psi, psi_significant=1)).psi_band == "moderate"
    assert column_drift(ref, batch, DriftSettings(psi_moderate=up(psi), psi_significant=1)).psi_band == "stable"
    assert column_drift(ref, batch, DriftSettings(psi_moderate=psi / 2, psi_significant=psi)).psi_band == \
        "significant"
    assert column_drift(ref, batch, DriftSettings(psi_moderate=psi / 2, psi_significant=up(psi))).psi_band == \
        "moderate"
    assert psi_band(math.nan, 0.1, 0.25) == "stable"


def test_domain_classifier_band_includes_both_ends():
    reference = make_frame(1_200, seed=21)
    shifted = make_frame(600, seed=22, mean_shift={"weight": 1.0})
    settings = DriftSettings(domain_rows=600)
    auc = domain_classifier(reference, shifted, KINDS, settings)["auc"]
    assert auc > 0.65
    assert not domain_classifier(reference, shifted, KINDS, DriftSettings(domain_rows=600, domain_auc_high=auc))[
        "drifted"]
    assert domain_classifier(reference, shifted, KINDS, DriftSettings(domain_rows=600, domain_auc_high=down(auc)))[
        "drifted"]

    same = make_frame(600, seed=23)
    auc = domain_classifier(reference, same, KINDS, settings)["auc"]
    if auc <= 0.5:   # the low end of the band
        on_edge, beyond = {"domain_auc_low": auc}, {"domain_auc_low": up(auc)}
    else:
        on_edge, beyond = {"domain_auc_high": auc}, {"domain_auc_high": down(auc)}
    assert not domain_classifier(reference, same, KINDS, DriftSettings(domain_rows=600, **on_edge))["drifted"]
    assert domain_classifier(reference, same, KINDS, DriftSettings(domain_rows=600, **beyond))["drifted"]


# -- dataset drift ------------------------------------------------------------------------------------

def _planted(columns: int, drifted: int, seed: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference of `columns` numeric columns and a batch in which the first `drifted` moved far."""
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame({f"c{i}": rng.normal(0, 1, 500) for i in range(columns)})
    batch = reference.iloc[:400].copy()
    for i in range(drifted):
        batch[f"c{i}"] = batch[f"c{i}"] + 5.0
    return reference, batch


@pytest.mark.parametrize("columns, drifted", [(4, 2), (3, 1), (7, 3), (5, 5)])
def test_dataset_drift_when_the_share_of_drifted_columns_reaches_drift_share(columns, drifted):
    reference, batch = _planted(columns, drifted)
    stats = build_reference(reference, {c: "numeric" for c in reference}, list(reference))
    share = drifted / columns                       # the planted share
    at = data_drift(stats, batch, DriftSettings(drift_share=share))
    assert at.drifted_columns == [f"c{i}" for i in range(drifted)]
    assert at.share_drifted == share and at.dataset_drift
    if share < 1:
        above = data_drift(stats, batch, DriftSettings(drift_share=up(share)))
        assert above.share_drifted == share and not above.dataset_drift
    below = data_drift(stats, batch, DriftSettings(drift_share=down(share)))
    assert below.dataset_drift


def test_no_column_tested_is_no_dataset_drift():
    reference, batch = _planted(2, 0)
    stats = build_reference(reference, {c: "numeric" for c in reference}, list(reference))
    result = data_drift(stats, batch[[]], DriftSettings(drift_share=up(0.0)))
    assert result.columns == [] and result.share_drifted == 0 and not result.dataset_drift
    assert set(result.skipped) == {"c0", "c1"}


# -- time-ordered split ----------------------------------------------------------------------------

def _shuffled_in_time(n: int, seed: int) -> pd.DataFrame:
    """Rows whose `when` (all distinct) are in random order in the file."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.permutation(n) * 3 + rng.integers(0, 3, n), unit="D")
    frame = pd.DataFrame({"when": days, "x": rng.normal(size=n), "y": np.tile(["a", "b"], n // 2)})
    assert not frame["when"].is_monotonic_increasing and not frame["when"].is_monotonic_decreasing
    return frame


@pytest.mark.parametrize("test_size", [0.25, 0.3, 0.5])
def test_time_ordered_split_tests_on_the_latest_rows(test_size):
    frame = _shuffled_in_time(60, seed=40)
    prep = prepare(frame, {"when": "datetime", "x": "numeric", "y": "categorical"}, "y", "logistic_regression",
                   test_size=test_size, time_column="when")
    n_test = math.ceil(test_size * len(frame))
    latest = set(frame["when"].nlargest(n_test).index)
    assert set(prep.test.tolist()) == latest and len(prep.test) == n_test
    assert set(prep.train.tolist()) == set(range(len(frame))) - latest
    assert frame["when"].iloc[prep.train].max() < frame["when"].iloc[prep.test].min()
    # Without the time column the split is a shuffled one: not the latest rows.
    shuffled = prepare(frame, None, "y", "logistic_regression", test_size=test_size)
    assert set(shuffled.test.tolist()) != latest


def test_time_ordered_split_on_text_dates_and_numbers_with_missing_as_oldest():
    frame = _shuffled_in_time(40, seed=41)
    frame["when"] = frame["when"].dt.strftime("%Y-%m-%d")
    frame.loc[[3, 17], "when"] = None
    prep = prepare(frame, {"x": "numeric", "y": "categorical"}, "y", "logistic_regression", test_size=0.25,
                   time_column="when")
    dates = pd.to_datetime(frame["when"])
    assert set(prep.test.tolist()) == set(dates.nlargest(10).index)
    assert {3, 17} <= set(prep.train.tolist())

    numeric = _shuffled_in_time(40, seed=42)
    numeric["t"] = numeric["when"].astype("int64") // 10**9
    prep = prepare(numeric.drop(columns="when"), None, "y", "logistic_regression", test_size=0.25,
                   time_column="t")
    assert set(prep.test.tolist()) == set(numeric["t"].nlargest(10).index)


def test_a_time_ordered_run_is_tested_and_held_out_on_the_latest_rows(tmp_path):
    frame = _shuffled_in_time(200, seed=43)
    frame["y"] = np.where(frame["x"] + np.random.default_rng(44).normal(size=len(frame)) > 0, "a", "b")
    path = tmp_path / "timed.csv"
    frame.to_csv(path, index=False)
    with Project.create(tmp_path / "proj", name="Timed") as project:
        project.datasets.import_file(path, name="timed")
        run = project.runs.train(RunSpec("timed", "y", "logistic_regression", time_column="when", test_size=0.2))
        assert run.status == RunStatus.FINISHED, run.error
        version = project.registry.register(run.id, "timed")
        held_out, _ = project.registry.holdout_rows(version)
        trained_on, _ = project.registry.training_rows(version)
    n_test = math.ceil(0.2 * len(frame))
    latest = frame["when"].nlargest(n_test)
    assert sorted(pd.to_datetime(held_out["when"])) == sorted(latest)
    assert pd.to_datetime(trained_on["when"]).max() < latest.min()
