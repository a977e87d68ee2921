"""`replay_for_prediction`: the one applier of a stored recipe that scoring and monitoring share."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.quality.errors import RecipeError
from desktop_app.core.quality.recipe import RecipeStep, replay_for_prediction

CAP = RecipeStep("cap_outliers", {"column": "age", "lower": 0.0, "upper": 100.0}, True)
FILL = RecipeStep("impute", {"column": "city", "strategy": "constant", "value": "unknown"}, True)


def test_steps_and_their_stored_form_replay_alike():
    frame = pd.DataFrame({"age": [-5.0, 50.0, 300.0], "city": ["Lyon", None, "Nice"]})
    typed = replay_for_prediction(frame, [CAP, FILL])
    stored = replay_for_prediction(frame, [CAP.to_dict(), FILL.to_dict()])
    pd.testing.assert_frame_equal(typed, stored)
    assert typed["age"].tolist() == [0.0, 50.0, 100.0]
    assert typed["city"].tolist() == ["Lyon", "unknown", "Nice"]
    assert frame["age"].tolist() == [-5.0, 50.0, 300.0]  # the input is left as it was


def test_a_step_on_a_missing_column_fails_unless_skipped():
    frame = pd.DataFrame({"age": [-5.0, 300.0]})
    with pytest.raises(RecipeError, match="city"):
        replay_for_prediction(frame, [CAP, FILL])
    replayed = replay_for_prediction(frame, [CAP.to_dict(), FILL.to_dict()], skip_missing_columns=True)
    assert replayed["age"].tolist() == [0.0, 100.0]


def test_an_unknown_step_on_a_skipped_column_is_passed_over():
    frame = pd.DataFrame({"age": [1.0]})
    unknown = {"op": "from_the_future", "params": {"column": "city"}}
    assert replay_for_prediction(frame, [unknown], skip_missing_columns=True)["age"].tolist() == [1.0]
    with pytest.raises(RecipeError, match="update MLDesk"):
        replay_for_prediction(frame, [unknown])


def test_an_empty_recipe_gives_the_rows_back():
    frame = pd.DataFrame({"age": [1.0]})
    assert replay_for_prediction(frame, []) is frame


# -- each caller words a failed step for its user --------------------------------------------------

TEXT_AGES = pd.DataFrame({"age": ["old", "young"]})


def test_scoring_reports_a_failed_step_as_a_validation_problem():
    from desktop_app.core.scoring.signature import ColumnSpec, InputSignature
    from desktop_app.core.scoring.validation import Problem, validate

    signature = InputSignature((ColumnSpec("age", "numeric", "double"),), "y", "regression", None,
                               recipe=(CAP.to_dict(),))
    report = validate(signature, TEXT_AGES)
    assert report.fatal and report.valid_rows == 0
    assert [i.problem for i in report.issues] == [Problem.RECIPE_FAILED]
    assert report.issues[0].message.startswith("The data fixes the model repeats on new rows cannot run on these "
                                               "rows: Column 'age' holds text")


def test_monitoring_refuses_a_batch_a_step_fails_on():
    from desktop_app.core.monitor.errors import BatchValidationError
    from desktop_app.core.monitor.service import _apply_recipe

    with pytest.raises(BatchValidationError, match="^The model's data fixes cannot run on the batch: Column 'age'"):
        _apply_recipe(TEXT_AGES, [CAP.to_dict()])
    assert _apply_recipe(TEXT_AGES, ()) is TEXT_AGES
