"""Quality on stored versions: saved reports, fixes as derived versions, recipe replay, HTML export."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.quality import Severity, step_from_fix


def _messy(path, seed=0, rows=400):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, rows).astype(float),
            "income": rng.normal(3000, 500, rows).round(2),
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "churn": rng.choice(["Yes", "No"], rows, p=[0.1, 0.9]),
        }
    )
    frame.loc[::25, "age"] = np.nan
    frame = pd.concat([frame, frame.iloc[:10]], ignore_index=True)  # 10 duplicate rows
    frame.to_csv(path, index=False)


def _finding(stored, check, column=None):
    return next(f for f in stored.report.findings if f.check == check and (column is None or f.column == column))


def test_check_is_saved_for_the_version(project, tmp_path):
    _messy(tmp_path / "churn.csv")
    version = project.datasets.import_file(tmp_path / "churn.csv").version
    stored = project.quality.check(version, target="churn")
    assert _finding(stored, "duplicate_rows").value["rows"] == 10
    assert _finding(stored, "class_imbalance").severity in (Severity.WARNING, Severity.ERROR)
    latest = project.quality.latest(version)
    assert latest.id == stored.id and latest.report.target == "churn"
    assert [f.check for f in latest.report.findings] == [f.check for f in stored.report.findings]


def test_fixes_make_a_new_version_with_parent_and_recipe(project, tmp_path):
    _messy(tmp_path / "churn.csv")
    v1 = project.datasets.import_file(tmp_path / "churn.csv").version
    stored = project.quality.check(v1, target="churn")
    steps = [step_from_fix(_finding(stored, "duplicate_rows").fix),
             step_from_fix(_finding(stored, "missing_values", "age").fix)]
    v2 = project.quality.apply_fixes(v1, steps).version
    assert v2.label.endswith("@2") and v2.parent_id == v1.id
    assert v2.rows == v1.rows - 10
    assert [s["op"] for s in v2.recipe] == [s.op for s in steps]
    fixed = project.datasets.load(v2)
    assert fixed["age"].isna().sum() == 0 and not fixed.duplicated().any()
    assert project.datasets.load(v1)["age"].isna().sum() > 0  # the parent is untouched
    assert "quality.fix" in [e.action for e in project.audit_events()]


def test_recipe_replays_on_a_new_file_of_the_same_shape(project, tmp_path):
    _messy(tmp_path / "january.csv", seed=1)
    jan = project.datasets.import_file(tmp_path / "january.csv", name="sales").version
    stored = project.quality.check(jan, target="churn")
    fixed = project.quality.apply_fixes(jan, [step_from_fix(_finding(stored, "missing_values", "age").fix)]).version
    median = fixed.recipe[0]["params"]

    _messy(tmp_path / "february.csv", seed=2)
    feb = project.datasets.import_file(tmp_path / "february.csv", name="sales").version
    replayed = project.quality.replay_recipe(fixed, feb).version
    assert replayed.parent_id == feb.id and replayed.recipe[0]["params"] == median
    feb_frame = project.datasets.load(feb)
    out = project.datasets.load(replayed)
    filled = out.loc[feb_frame["age"].isna(), "age"]
    assert filled.nunique() == 1  # the value learned on January, not February's median
    assert filled.iloc[0] == project.datasets.load(fixed).loc[project.datasets.load(jan)["age"].isna(), "age"].iloc[0]


def test_html_report_is_one_self_contained_file(project, tmp_path):
    _messy(tmp_path / "churn.csv")
    version = project.datasets.import_file(tmp_path / "churn.csv").version
    stored = project.quality.check(version, target="churn")
    html = project.quality.export_html(stored, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "duplicate" in html.lower()
    for reference in ('src="http', "src='http", 'href="http', "url(http", "<link", "<script src"):
        assert reference not in html  # nothing to fetch: it opens offline, mailed as one file
