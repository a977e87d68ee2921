"""Exit codes at the edges, as a user's script sees them: `check --fail-on`, `register --require`,
`models --gate`, `drift --fail-on`.

Every boundary is taken from the test's own data: a rule's value is the run's metric itself (and
one float step beyond it), the drift share is the planted share of drifted columns.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.project import Project
from tests.cli.helpers import SAMPLE, heart_project, mldesk

EXIT_DRIFT = 3


def up(value: float) -> float:
    return math.nextafter(value, math.inf)


def down(value: float) -> float:
    return math.nextafter(value, -math.inf)


def _json(*args, check_code=0):
    return json.loads(mldesk(*args, "--json", check_code=check_code).stdout)


def _refused(done) -> None:
    assert "Traceback" not in done.stderr and done.stderr.startswith("mldesk: ") and "KPI gate" in done.stderr


# -- check --fail-on ---------------------------------------------------------------------------------

def _table(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    """A table the quality checks find nothing in (checked below, not assumed)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(50, 10, rows).round(2), "colour": rng.choice(["red", "green", "blue"], rows),
                         "y": np.tile(["yes", "no"], rows // 2)})


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check")
    project = folder / "proj"
    mldesk("init", project)
    clean = _table()
    noted = clean.copy()
    noted.loc[[4, 9], "x"] = np.nan                            # 1% missing: a note, below the warning share
    warned = pd.concat([clean, clean.iloc[:5]], ignore_index=True)   # 5 duplicate rows: a warning
    failing = clean.copy()
    failing.loc[:3, "y"] = None                                # rows without a target: an error
    for name, frame in {"clean": clean, "noted": noted, "warned": warned, "failing": failing}.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        mldesk("import", project, folder / f"{name}.csv", "--name", name)
    return project


def _severities(project: Path, dataset: str) -> dict[str, set[str]]:
    report = _json("check", project, dataset, "--target", "y")
    found: dict[str, set[str]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["severity"], set()).add(finding["check"])
    return found


@pytest.mark.parametrize("dataset, findings, on_error, on_warning", [
    ("clean", {}, 0, 0),
    ("noted", {"info": {"missing_values"}}, 0, 0),
    ("warned", {"warning": {"duplicate_rows"}}, 0, 1),
    ("failing", {"error": {"missing_target"}}, 1, 1),
])
def test_check_fail_on_exits_1_only_at_or_above_the_severity(checked, dataset, findings, on_error, on_warning):
    assert _severities(checked, dataset) == findings
    mldesk("check", checked, dataset, "--target", "y")                       # no --fail-on: always 0
    mldesk("check", checked, dataset, "--target", "y", "--fail-on", "error", check_code=on_error)
    mldesk("check", checked, dataset, "--target", "y", "--fail-on", "warning", check_code=on_warning)


def test_check_threshold_moves_a_finding_across_the_warning_line(checked):
    """The missing share of `noted` exactly at missing_warning_share is a warning; one step above, a note."""
    share = 2 / len(_table())
    at = mldesk("check", checked, "noted", "--target", "y", "--threshold", f"missing_warning_share={share!r}",
                "--fail-on", "warning", check_code=1)
    assert "WARNING" in at.stdout and "missing_values" in at.stdout
    mldesk("check", checked, "noted", "--target", "y", "--threshold", f"missing_warning_share={up(share)!r}",
           "--fail-on", "warning")


# -- register --require and models --gate ----------------------------------------------------------

@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gates")
    project = heart_project(folder / "proj")
    run = _json("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                "--class-weight", "balanced")
    assert run["status"] == "finished"
    return {"folder": folder, "project": project, "run": run}


def _models(project) -> set[str]:
    return {m["model"] for m in _json("models", project)["models"]}


@pytest.mark.parametrize("metric, op, passing, failing", [
    ("recall", ">=", lambda v: v, up),
    ("roc_auc", ">=", lambda v: v, up),
    ("log_loss", "<=", lambda v: v, down),
    ("recall", ">", down, lambda v: v),
    ("log_loss", "<", up, lambda v: v),
])
def test_register_require_at_the_runs_own_metric(heart, metric, op, passing, failing):
    project, run = heart["project"], heart["run"]
    value = run["metrics"][metric]
    name = f"req-{metric}-{len(op)}-{'gt' if '>' in op else 'lt'}"
    done = mldesk("register", project, run["run"], "--name", name, "--require", f"{metric}{op}{failing(value)!r}",
                  check_code=1)
    _refused(done)
    assert metric in done.stderr and name not in _models(project)

    version = _json("register", project, run["run"], "--name", name, "--require", f"{metric}{op}{passing(value)!r}")
    assert version["version"] == 1 and version["metrics"][metric] == value


def test_models_gate_decides_the_alias_at_the_versions_metric(heart):
    project, run = heart["project"], heart["run"]
    recall = run["metrics"]["recall"]
    mldesk("register", project, run["run"], "--name", "gated")

    moved = _json("models", project, "gated", "--gate", f"recall>={recall!r}", "--alias", "production=1",
                  "--reason", "exactly at the version's recall")
    assert moved["aliases"] == {"production": 1}
    assert moved["versions"][0]["gate"] == {"passed": True, "failures": []}
    assert "✓" in mldesk("models", project, "gated").stdout

    done = mldesk("models", project, "gated", "--gate", f"recall>={up(recall)!r}", "--alias", "staging=1",
                  "--reason", "one step above", check_code=1)
    _refused(done)
    after = _json("models", project, "gated")
    assert after["aliases"] == {"production": 1}                       # the alias was not given
    assert after["versions"][0]["gate"]["passed"] is False
    assert "✗" in mldesk("models", project, "gated").stdout

    # A loss: `<=` at the value gives the alias, one step below refuses it.
    log_loss = run["metrics"]["log_loss"]
    mldesk("models", project, "gated", "--gate", f"log_loss<={down(log_loss)!r}", "--alias", "staging=1",
           "--reason", "below", check_code=1)
    staged = _json("models", project, "gated", "--gate", f"log_loss<={log_loss!r}", "--alias", "staging=1",
                   "--reason", "at")
    assert staged["aliases"] == {"production": 1, "staging": 1}


# -- drift --fail-on ---------------------------------------------------------------------------------

def _shifted(path: Path, column: str, by: float) -> Path:
    """The sample with every value of one numeric column moved by `by`."""
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row[column]:
            row[column] = str(float(row[column]) + by)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _set_drift_settings(project: Path, model: str, **settings) -> None:
    with Project.open(project) as opened:
        opened.monitor.set_settings(model, settings, reason="boundary test")


def test_drift_fail_on_at_the_dataset_drift_share(heart):
    project = heart["project"]
    mldesk("register", project, heart["run"]["run"], "--name", "risk", "--alias", "production")
    # The domain classifier's band is opened to [0, 1] so that only the columns can fail `--fail-on any`.
    _set_drift_settings(project, "risk", domain_auc_low=0.0, domain_auc_high=1.0)
    taller = _shifted(heart["folder"] / "taller.csv", "height", 3)

    first = _json("drift", project, "risk@production", taller, "--fail-on", "column", check_code=EXIT_DRIFT)
    assert first["drifted_columns"] == ["height"]                       # the one planted column
    assert first["prediction_drift"] is False and first["multivariate_drift"] is False
    share = 1 / len(first["columns"])
    assert first["share_drifted"] == share

    _set_drift_settings(project, "risk", domain_auc_low=0.0, domain_auc_high=1.0, drift_share=share)
    at = _json("drift", project, "risk@production", taller, "--fail-on", "dataset", check_code=EXIT_DRIFT)
    assert at["dataset_drift"] is True and at["drift_share"] == share

    _set_drift_settings(project, "risk", domain_auc_low=0.0, domain_auc_high=1.0, drift_share=up(share))
    above = _json("drift", project, "risk@production", taller, "--fail-on", "dataset")
    assert above["dataset_drift"] is False and above["share_drifted"] == share
    mldesk("drift", project, "risk@production", taller, "--fail-on", "column", check_code=EXIT_DRIFT)
    mldesk("drift", project, "risk@production", taller, "--fail-on", "any", check_code=EXIT_DRIFT)

    same = _json("drift", project, "risk@production", SAMPLE, "--fail-on", "any")
    assert not (same["dataset_drift"] or same["drifted_columns"] or same["prediction_drift"]
                or same["multivariate_drift"])


def test_drift_fail_on_any_at_the_domain_classifiers_band(heart):
    """Every column as in training, but weight sorted along height: only the domain classifier sees it."""
    project = heart["project"]
    mldesk("register", project, heart["run"]["run"], "--name", "risk-any", "--alias", "production")
    frame = pd.read_csv(SAMPLE)
    frame.loc[frame.index[np.argsort(frame["height"].to_numpy(), kind="stable")], "weight"] = \
        np.sort(frame["weight"].to_numpy())
    joined = heart["folder"] / "joined.csv"
    frame.to_csv(joined, index=False)

    report = _json("drift", project, "risk-any@production", joined, "--fail-on", "any", check_code=EXIT_DRIFT)
    assert report["drifted_columns"] == [] and report["prediction_drift"] is False
    assert report["multivariate_drift"] is True
    auc = report["multivariate"]["auc"]
    mldesk("drift", project, "risk-any@production", joined, "--fail-on", "dataset")

    _set_drift_settings(project, "risk-any", domain_auc_high=auc)
    on_edge = _json("drift", project, "risk-any@production", joined, "--fail-on", "any")
    assert on_edge["multivariate"]["auc"] == auc and on_edge["multivariate_drift"] is False
    _set_drift_settings(project, "risk-any", domain_auc_high=down(auc))
    mldesk("drift", project, "risk-any@production", joined, "--fail-on", "any", check_code=EXIT_DRIFT)
