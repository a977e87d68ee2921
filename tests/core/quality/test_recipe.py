"""Fixes as recipe steps: applying, previewing, storing and re-applying to a new file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality import (
    OPS,
    RecipeError,
    RecipeStep,
    Severity,
    apply_recipe,
    apply_step,
    for_prediction,
    make_step,
    preview_step,
    recipe_from_list,
    recipe_to_list,
    run_checks,
    step_from_fix,
)

from .conftest import MISSING_AGE, MISSING_TARGET, PLANTED_KINDS, TEXT_IN_NUMBERS, planted_frame


def test_ops_say_whether_prediction_must_repeat_them():
    rows = {name for name, op in OPS.items() if not op.at_prediction}
    assert rows == {"drop_duplicates", "drop_missing_target"}
    for name in ("impute", "cap_outliers", "merge_rare", "convert_to_numbers", "set_kind", "drop_column"):
        assert OPS[name].at_prediction


def _all_fixes(report):
    """Every proposed fix in report order, as a user clicking them all would; none on a column already dropped."""
    steps, dropped = [], set()
    for f in report.findings:
        if f.fix is None or f.fix.params.get("column") in dropped:
            continue
        steps.append(step_from_fix(f.fix))
        if f.fix.op == "drop_column":
            dropped.add(f.fix.params["column"])
    return steps


def test_every_fix_applies_and_clears_its_finding(planted, planted_report):
    steps = _all_fixes(planted_report)
    assert {s.op for s in steps} >= {"impute", "drop_column", "drop_missing_target", "convert_to_numbers",
                                     "set_kind", "cap_outliers", "merge_rare", "infinite_to_missing"}
    before = planted.copy()
    fixed, kinds = apply_recipe(planted, PLANTED_KINDS, steps)
    pd.testing.assert_frame_equal(planted, before)  # the input is never changed
    after = run_checks(fixed, kinds, target="target")
    assert after.count(Severity.ERROR) == 0, [f.message for f in after.findings if f.severity == "error"]
    left = {(f.check, f.column) for f in after.findings}
    for check, column in [("missing_values", "age"), ("mixed_types", "weight_text"), ("dates_as_text", "visit"),
                          ("rare_categories", "city"), ("infinite_values", "ratio"), ("outliers", "height")]:
        assert (check, column) not in left
    assert len(fixed) == len(planted) - len(MISSING_TARGET)
    assert kinds["weight_text"] == ColumnKind.NUMERIC and kinds["visit"] == ColumnKind.DATETIME
    assert "leak" not in fixed.columns and "leak" not in kinds


def test_convert_to_numbers_reads_the_learned_format(planted, planted_report):
    fix = next(f.fix for f in planted_report.findings if f.check == "mixed_types")
    out, kinds = apply_step(planted, PLANTED_KINDS, step_from_fix(fix))
    values = out["weight_text"]
    assert values.dtype == np.float64 and values.isna().sum() == len(TEXT_IN_NUMBERS)
    first = planted["weight_text"].iloc[0]
    assert values.iloc[0] == float(first.replace(",", ""))


def test_set_kind_parses_dates_and_marks_ids():
    frame = pd.DataFrame({"d": pd.array(["05/01/2024", "31/12/2023", None, "junk"], dtype="str"),
                          "id": ["a", "b", "c", "d"]})
    out, kinds = apply_step(frame, {}, make_step(frame, {}, "set_kind", column="d", kind="datetime"))
    assert list(out["d"]) [:2] == [pd.Timestamp("2024-01-05"), pd.Timestamp("2023-12-31")]
    assert out["d"].isna().tolist() == [False, False, True, True] and kinds["d"] == ColumnKind.DATETIME
    as_id = make_step(frame, {}, "set_kind", column="id", kind="id")
    out, kinds = apply_step(frame, {"id": ColumnKind.CATEGORICAL}, as_id)
    assert kinds["id"] == ColumnKind.ID and out["id"].equals(frame["id"])


def test_impute_strategies():
    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0, 10.0], "c": pd.array(["a", "b", "b", None], dtype="str")})
    median = make_step(frame, {}, "impute", column="x", strategy="median")
    assert median.params == {"column": "x", "strategy": "median", "value": 3.0}
    assert apply_step(frame, {}, median)[0]["x"].tolist() == [1.0, 3.0, 3.0, 10.0]
    frequent = make_step(frame, {}, "impute", column="c", strategy="most_frequent")
    assert apply_step(frame, {}, frequent)[0]["c"].tolist() == ["a", "b", "b", "b"]
    constant = make_step(frame, {}, "impute", column="c", strategy="constant", value="unknown")
    assert apply_step(frame, {}, constant)[0]["c"].iloc[3] == "unknown"
    with pytest.raises(RecipeError, match="needs the value"):
        make_step(frame, {}, "impute", column="c", strategy="constant")
    with pytest.raises(RecipeError, match="cannot be filled with the text"):
        apply_step(frame, {}, RecipeStep("impute", {"column": "x", "strategy": "constant", "value": "n/a"}, True))


def test_cap_and_merge_and_infinite():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 100.0, -50.0, np.inf], "c": ["a", "a", "b", "z", None, "a"]})
    out, _ = apply_step(frame, {}, RecipeStep("cap_outliers", {"column": "x", "lower": 0.0, "upper": 10.0}, True))
    assert out["x"].tolist() == [1.0, 2.0, 3.0, 10.0, 0.0, 10.0]
    merge = RecipeStep("merge_rare", {"column": "c", "keep": ["a", "b"], "other": "Other"}, True)
    out, _ = apply_step(frame, {}, merge)
    assert out["c"].tolist()[:4] == ["a", "a", "b", "Other"] and pd.isna(out["c"].iloc[4])
    out, _ = apply_step(frame, {}, RecipeStep("infinite_to_missing", {"column": "x"}, True))
    assert out["x"].isna().tolist() == [False] * 5 + [True]


def test_merge_rare_on_number_coded_categories():
    frame = pd.DataFrame({"code": [1, 1, 2, 2, 3, 9]})
    step = make_step(frame, {}, "merge_rare", column="code", max_keep=2)
    assert step.params["keep"] == [1, 2]
    out, _ = apply_step(frame, {}, step)
    assert out["code"].tolist() == ["1", "1", "2", "2", "Other", "Other"]


def test_row_filters():
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "a": [1, 1, 2, 1], "y": ["p", "p", None, "p"]})
    out, _ = apply_step(frame, {}, RecipeStep("drop_duplicates", {"ignore": ["id"]}, False))
    assert out["id"].tolist() == [1, 3] and out.index.tolist() == [0, 1]
    out, _ = apply_step(frame, {}, RecipeStep("drop_missing_target", {"column": "y"}, False))
    assert out["id"].tolist() == [1, 2, 4]


def test_missing_columns():
    frame = pd.DataFrame({"a": [1.0, None]})
    with pytest.raises(RecipeError, match="needs the column 'b'"):
        apply_step(frame, {}, RecipeStep("impute", {"column": "b", "strategy": "median", "value": 1.0}, True))
    out, kinds = apply_step(frame, {"b": ColumnKind.NUMERIC}, RecipeStep("drop_column", {"column": "b"}, True))
    assert list(out.columns) == ["a"] and kinds == {}
    with pytest.raises(RecipeError, match="not a fix MLDesk knows"):
        apply_step(frame, {}, RecipeStep("teleport", {}, True))
    with pytest.raises(RecipeError, match="needs numbers"):
        apply_step(pd.DataFrame({"t": ["x"]}), {}, RecipeStep("cap_outliers", {"column": "t", "upper": 1}, True))


def test_recipe_is_stored_as_json_and_read_back(planted_report):
    steps = _all_fixes(planted_report)
    stored = json.loads(json.dumps(recipe_to_list(steps), allow_nan=False))
    assert recipe_from_list(stored) == steps
    assert all(set(d) == {"op", "params", "at_prediction"} for d in stored)
    with pytest.raises(RecipeError, match="does not know"):
        recipe_from_list([{"op": "future_op", "params": {}}])


def test_recipe_reapplied_to_a_new_file_uses_the_learned_values(tmp_path, planted_report):
    steps = _all_fixes(planted_report)
    learned = {f"{s.op}:{s.column}": s.params for s in steps}
    # a new file of the same shape, with other values (another seed), some of them new
    new = planted_frame(seed=99)
    new.loc[0, "city"] = "Brand-new city"
    new.loc[1, "height"] = 5000.0
    new["age"] = new["age"] + 100
    new.loc[2, "age"] = np.nan
    path = tmp_path / "new.csv"
    new.to_csv(path, index=False)
    read = pd.read_csv(path)
    stored = recipe_from_list(json.loads(json.dumps(recipe_to_list(steps))))
    out, kinds = apply_recipe(read, PLANTED_KINDS, stored)
    # the values learned on the original data are used, not ones learned from the new file
    median = learned["impute:age"]["value"]
    assert median != read["age"].median()
    assert out.loc[2, "age"] == median  # row 2 keeps its place: no row before it is dropped
    assert out.loc[1, "height"] == learned["cap_outliers:height"]["upper"] == out["height"].max()
    assert out.loc[0, "city"] == "Other" and set(out["city"].dropna()) <= {"North", "South", "East", "West", "Other"}
    assert out["weight_text"].dtype == np.float64 and kinds["visit"] == ColumnKind.DATETIME
    assert out["weight_text"].isna().sum() == 3  # 'unknown' / 'n/a yet' become missing in the new file too
    # and the same recipe gives the same result twice
    again, _ = apply_recipe(read, PLANTED_KINDS, stored)
    pd.testing.assert_frame_equal(out, again)


def test_for_prediction_keeps_column_transforms_off_the_target(planted_report):
    steps = _all_fixes(planted_report)
    repeat = for_prediction(steps, target="target")
    assert repeat and all(s.at_prediction for s in repeat)
    assert not [s for s in repeat if s.op in ("drop_duplicates", "drop_missing_target")]
    assert not [s for s in repeat if s.column == "target"]


def test_preview_of_a_column_step(planted, planted_report):
    fix = next(f.fix for f in planted_report.findings if f.check == "mixed_types")
    info = preview_step(planted, PLANTED_KINDS, step_from_fix(fix))
    assert info["rows_before"] == info["rows_after"] == len(planted) and info["columns_removed"] == []
    # Every text cell becomes a number; the planted words become missing.
    assert info["cells_to_missing"] == len(TEXT_IN_NUMBERS) and info["cells_changed"] == len(planted)
    assert info["kinds_changed"] == {"weight_text": ["categorical", "numeric"]}
    assert info["examples"][0]["before"] == planted["weight_text"].iloc[0]
    json.dumps(info, allow_nan=False)


def test_preview_of_row_and_drop_steps(planted):
    info = preview_step(planted, PLANTED_KINDS, RecipeStep("drop_missing_target", {"column": "target"}, False))
    n, gaps = len(planted), len(MISSING_TARGET)
    assert (info["rows_before"], info["rows_after"], info["rows_removed"]) == (n, n - gaps, gaps)
    assert [e["row"] for e in info["examples"]] == MISSING_TARGET
    info = preview_step(planted, PLANTED_KINDS, RecipeStep("drop_column", {"column": "leak"}, True))
    assert info["columns_removed"] == ["leak"] and info["columns_after"] == planted.shape[1] - 1
    impute = make_step(planted, PLANTED_KINDS, "impute", column="age", strategy="median")
    info = preview_step(planted, PLANTED_KINDS, impute)
    assert info["cells_changed"] == len(MISSING_AGE) and [e["row"] for e in info["examples"]] == MISSING_AGE


def test_labels_read_well():
    assert RecipeStep("impute", {"column": "age", "strategy": "median", "value": 54.0}, True).label == \
        "Fill gaps in 'age' with 54 (median)"
    assert RecipeStep("cap_outliers", {"column": "x", "lower": None, "upper": 9.5}, True).label == "Cap 'x' to ≤ 9.5"
    assert RecipeStep("drop_duplicates", {"ignore": []}, False).label == "Drop duplicate rows"
