"""A batch's stored results read as typed entities (`batch.result`), and written back unchanged."""

from __future__ import annotations

import copy

from desktop_app.core.monitor.entities import BatchResults, MonitoringBatch
from desktop_app.core.registry.entities import KpiRule


def _column(name: str, drifted: bool, **more) -> dict:
    return {"column": name, "kind": "numeric", "test": "ks", "statistic": 0.31, "p_value": 0.001 if drifted else 0.4,
            "threshold": 0.05, "drifted": drifted, "psi": 0.12, "psi_band": "moderate", "missing_ref": 0.0,
            "missing_batch": 0.1, "missing_drifted": False, "new_categories": [], "new_category_share": 0.0,
            "rows_ref": 900, "rows_batch": 400, "note": "", **more}


STORED = {
    "columns": [_column("age", True), _column("income", False, statistic=None, future_key={"kept": 1})],
    "share_drifted": 0.5, "dataset_drift": True, "drift_share": 0.5, "drifted_columns": ["age"],
    "skipped": {"notes": "text columns are not tested for drift"},
    "prediction": {"columns": [_column("proba_yes", True)], "charts": {"proba_yes": {"kind": "numeric"}}},
    "multivariate": {"method": "HistGradientBoostingClassifier …", "auc": 0.81, "auc_folds": [0.8, 0.82],
                     "drifted": True, "band": [0.45, 0.65], "rows_reference": 900, "rows_batch": 400,
                     "top_features": [{"column": "age", "kind": "numeric", "importance": 0.2, "std": 0.01}],
                     "importance": "permutation importance"},
    "target": _column("outcome", False, kind="categorical", test="chi_squared"),
    "metrics": {"rows": 400, "metrics": {"roc_auc": 0.61, "recall": 0.5}, "test_metrics": {"roc_auc": 0.8},
                "delta": {"roc_auc": -0.19}, "notes": ["3 rows have a label the model never saw."],
                "gate": {"rules": [{"metric": "roc_auc", "op": ">=", "value": 0.7}],
                         "failures": ["roc_auc 0.61 < 0.7 (rule roc_auc>=0.7)"], "unmeasured": [], "passed": False}},
    "validation": {"rows": 400, "valid_rows": 390, "invalid_rows": 10, "fatal": False, "summary": "…",
                   "issues": [{"column": "age", "problem": "out_of_range", "severity": "warning", "count": 10,
                               "examples": [130.0], "example_rows": [4], "detail": {}, "message": "Too old."},
                              {"column": None, "problem": "extra_columns", "severity": "info", "count": 1,
                               "examples": ["id"], "example_rows": [], "detail": {}, "message": "Ignored."}]},
    "settings": {"p_value": 0.05, "drift_share": 0.5},
    "reference": {"rows": 900, "sample_rows": 900},
    "seconds": {"read": 0.1},
}


def _batch(results: dict) -> MonitoringBatch:
    return MonitoringBatch(id="b" * 32, model_version_id="v", model_label="risk@1", dataset_version_id="d",
                           dataset_label="risk-batches@1", data_sha256="0" * 64, name="may.csv", rows=400,
                           dataset_drift=True, share_drifted=0.5, results=results)


def test_every_part_reads_as_attributes():
    r = _batch(copy.deepcopy(STORED)).result
    assert [c.column for c in r.columns] == ["age", "income"] and r.drifted_columns == ["age"]
    assert r.column("income").statistic is None and r.drift_share == 0.5 and r.skipped == STORED["skipped"]
    assert r.prediction.drifted and r.prediction.charts["proba_yes"] == {"kind": "numeric"}
    assert r.multivariate.auc == 0.81 and r.multivariate.band == (0.45, 0.65)
    assert r.multivariate.top_features[0].column == "age"
    assert r.target.column == "outcome" and r.result_of("outcome") is r.target
    assert r.result_of("proba_yes").drifted and r.result_of("nowhere") is None
    assert r.metrics.metrics["roc_auc"] == 0.61 and r.metrics.gate_passed is False
    assert r.metrics.gate.rules == (KpiRule("roc_auc", ">=", 0.7),)
    assert r.validation.warnings == ["Too old."]
    assert r.settings["p_value"] == 0.05 and r.reference.rows == 900 and r.seconds == {"read": 0.1}


def test_the_stored_form_comes_back_unchanged():
    r = BatchResults.from_dict(copy.deepcopy(STORED))
    assert [c.to_dict() for c in r.columns] == STORED["columns"]   # unknown keys kept, at the end
    assert r.target.to_dict() == STORED["target"]
    assert r.multivariate.to_dict() == STORED["multivariate"]
    assert r.metrics.to_dict() == STORED["metrics"]
    assert r.validation.to_dict() == STORED["validation"]
    assert r.reference.to_dict() == STORED["reference"]
    skipped = {"skipped": "Needs at least 20 rows on each side.", "band": [0.45, 0.65]}
    assert BatchResults.from_dict({"multivariate": skipped}).multivariate.to_dict() == skipped


def test_a_batch_without_labels_or_classifier_reads_as_none():
    r = BatchResults.from_dict({"columns": [_column("age", False)], "metrics": None, "target": None})
    assert r.metrics is None and r.target is None and r.multivariate is None and r.validation is None
    assert not r.prediction.drifted and r.prediction.columns == ()
    batch = _batch({"columns": [_column("age", False)]})
    assert not batch.labelled and not batch.multivariate_drift and not batch.prediction_drift
    assert batch.drifted_columns == [] and batch.result.column("age").column == "age"


def test_the_batch_flags_agree_with_the_typed_results():
    batch = _batch(copy.deepcopy(STORED))
    assert batch.result is batch.result               # read once
    assert batch.labelled and batch.multivariate_drift and batch.prediction_drift
    assert batch.drifted_columns == ["age"] and [c.to_dict() for c in batch.result.columns] == STORED["columns"]
