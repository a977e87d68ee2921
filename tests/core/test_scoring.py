"""Input signature, validation and batch scoring on real runs of the heart sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import DEFAULT_MISSING_MARKERS, ColumnKind
from desktop_app.core.errors import Cancelled
from desktop_app.core.progress import CancelToken
from desktop_app.core.scoring.errors import ScoringError
from desktop_app.core.scoring.signature import ColumnSpec, InputSignature
from desktop_app.core.scoring.validation import Problem, Severity, validate
from desktop_app.core.tracking.entities import RunSpec
from tests.conftest import SAMPLE_CSV

FEATURES = ["age", "gender", "weight", "height", "smoke", "alcohol", "phys_active", "cholesterol", "sys_bp",
            "dia_bp", "diabetes"]


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    """A project with the heart sample, a logistic regression registered as heart-risk@1."""
    from desktop_app.core.project import Project

    with Project.create(tmp_path_factory.mktemp("scoring") / "proj") as project:
        project.datasets.import_file(SAMPLE_CSV, name="heart")
        run = project.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", seed=3))
        assert run.error is None
        project.registry.register(run.id, "heart-risk")
        yield project


@pytest.fixture
def rows() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_CSV, na_values=list(DEFAULT_MISSING_MARKERS)).head(300)


def test_signature_has_the_training_columns_in_order_with_what_training_saw(heart):
    data = pd.read_csv(SAMPLE_CSV)
    signature = heart.scoring.signature("heart-risk")
    assert signature.names == FEATURES and signature.target == "heart_disease"
    assert signature.classes == ("No", "Yes") and signature.dataset_label == "heart@1"
    age = signature.column("age")
    assert (age.kind, age.minimum, age.maximum) == ("numeric", data.age.min(), data.age.max())
    assert not age.allows_missing and age.mlflow_type() == "long"
    assert signature.column("weight").allows_missing and signature.column("weight").mlflow_type() == "double"
    assert signature.column("cholesterol").categories == tuple(sorted(data.cholesterol.dropna().unique()))
    smoke = signature.column("smoke")
    assert smoke.kind == ColumnKind.BOOLEAN and smoke.categories == ("No", "Yes")
    assert InputSignature.from_dict(signature.to_dict()).to_dict() == signature.to_dict()
    assert heart.scoring.signature("heart-risk@1") is signature  # cached by hashes


def test_validation_finds_each_planted_problem_with_its_rows(heart, rows):
    rows["age"] = rows["age"].astype(object)
    rows.loc[[3, 7, 11], "age"] = ["abc", "n/k", "abc"]                        # text in a number column
    rows.loc[[5, 9], "cholesterol"] = ["extreme", "off the chart"]            # unseen categories
    rows.loc[[20, 21], "smoke"] = "Sometimes"                                 # unseen yes/no value
    rows.loc[[30, 31, 32], "sys_bp"] = [999, 10, 1000]                        # out of the trained range
    rows.loc[[40, 41], "height"] = np.nan                                     # gaps training never had
    rows["notes"] = "x"                                                       # extra column
    report = heart.scoring.validate("heart-risk", rows)
    by = {(i.column, i.problem): i for i in report.issues}

    text = by["age", Problem.WRONG_TYPE]
    assert (text.severity, text.count, text.examples, text.example_rows) == (Severity.ERROR, 3, ("abc", "n/k"),
                                                                            (3, 7, 11))
    unseen = by["cholesterol", Problem.UNSEEN_CATEGORY]
    assert (unseen.severity, unseen.count, set(unseen.examples)) == (Severity.WARNING, 2,
                                                                      {"extreme", "off the chart"})
    assert by["smoke", Problem.UNSEEN_CATEGORY].count == 2
    out = by["sys_bp", Problem.OUT_OF_RANGE]
    assert out.count == 3 and out.example_rows == (30, 31, 32)
    assert out.detail["found_min"] == 10 and out.detail["found_max"] == 1000
    assert out.detail["trained_max"] == pd.read_csv(SAMPLE_CSV).sys_bp.max()
    assert by["height", Problem.UNEXPECTED_MISSING].count == 2
    extra = by[None, Problem.EXTRA_COLUMNS]
    assert extra.severity == Severity.INFO and extra.examples == ("heart_disease", "notes")
    assert report.fatal and not report.ok
    flagged = {3, 7, 11, 5, 9, 20, 21, 30, 31, 32, 40, 41}
    assert set(np.flatnonzero(~report.valid)) == flagged and report.valid_rows == 300 - len(flagged)
    assert all(i.message.endswith(".") and not i.message[0].islower() for i in report.issues)
    assert report.to_dict()["issues"][0]["severity"] == "error"   # worst first


def test_a_missing_column_is_fatal_for_every_row(heart, rows):
    report = heart.scoring.validate("heart-risk", rows.drop(columns=["age", "gender"]))
    assert report.missing_columns == ["age", "gender"] and report.fatal and report.valid_rows == 0
    assert "Column 'age' is missing" in report.issues[0].message


def test_the_training_file_itself_is_clean(heart):
    report = heart.scoring.validate_file("heart-risk", SAMPLE_CSV)
    assert report.ok and report.valid_rows == report.rows == 5000
    assert [i.problem for i in report.issues] == [Problem.EXTRA_COLUMNS]   # the target


def test_dates_that_are_not_dates_are_wrong_types():
    signature = InputSignature((ColumnSpec("joined", "datetime", "timestamp[us]", allows_missing=True),),
                               target="y", task="regression", classes=None)
    frame = pd.DataFrame({"joined": ["2021-03-04", "not a date", None, "2022-01-31T10:00", "soon"]})
    report = validate(signature, frame)
    (issue,) = report.issues
    assert (issue.problem, issue.count, issue.examples) == (Problem.WRONG_TYPE, 2, ("not a date", "soon"))
    assert list(report.valid) == [True, False, True, True, False]


def test_validation_applies_the_recipe_the_model_repeats(heart):
    from desktop_app.core.quality.recipe import make_step

    version = heart.datasets.get_version("heart@1")
    frame = heart.datasets.load(version)
    step = make_step(frame, version.kinds, "merge_rare", column="cholesterol", max_keep=1)
    fixed = heart.quality.apply_fixes(version, [step]).version
    run = heart.runs.train(RunSpec(fixed.label, "heart_disease", "logistic_regression", seed=3))
    signature = heart.scoring.signature(run)
    assert signature.column("cholesterol").categories == ("Other", "normal") and signature.recipe
    rows = pd.read_csv(SAMPLE_CSV).head(20)
    rows.loc[0, "cholesterol"] = "never seen before"     # merged into "Other" by the recipe: fine
    assert heart.scoring.validate(run, rows).ok


def test_scoring_keeps_the_columns_and_adds_the_pipelines_predictions(heart, tmp_path):
    from desktop_app.core.scoring.files import read_rows

    out = tmp_path / "scored.csv"
    result = heart.scoring.score_file("heart-risk@1", SAMPLE_CSV, out=out)
    frame = read_rows(SAMPLE_CSV)
    assert list(result.output.columns) == ["row", *frame.columns, "prediction", "proba_No", "proba_Yes", "flags"]
    assert list(result.output["row"]) == list(range(1, 5001)) and not result.output["flags"].str.len().any()
    assert (result.rows_in, result.rows_scored, result.rows_left_out) == (5000, 5000, 0)
    pipeline = heart.scoring.pipeline("heart-risk")
    assert list(result.output["prediction"]) == list(pipeline.predict(frame))
    np.testing.assert_allclose(result.output[["proba_No", "proba_Yes"]].to_numpy(), pipeline.predict_proba(frame),
                               rtol=0, atol=1e-12)
    written = pd.read_csv(out)
    assert list(written.columns) == list(result.output.columns)
    assert list(written["prediction"]) == list(result.output["prediction"])
    np.testing.assert_allclose(written["proba_Yes"], result.output["proba_Yes"], rtol=0, atol=1e-15)
    assert result.to_dict()["out"] == str(out) and not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_scoring_writes_parquet_and_excel_by_suffix(heart, tmp_path, rows, suffix):
    source = tmp_path / "in.csv"
    rows.head(40).to_csv(source, index=False)
    out = tmp_path / f"scored{suffix}"
    result = heart.scoring.score_file("heart-risk", source, out=out)
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_excel(out)
    assert len(back) == 40 and list(back.columns) == list(result.output.columns)
    np.testing.assert_allclose(back["proba_Yes"], result.output["proba_Yes"], rtol=0, atol=1e-12)


def test_unknown_output_suffix_is_refused_before_any_work(heart, tmp_path):
    with pytest.raises(ScoringError, match=r"\.json"):
        heart.scoring.score_file("heart-risk", SAMPLE_CSV, out=tmp_path / "scored.json",
                                 progress=lambda f, m: pytest.fail("no work should start"))


def test_fatal_problems_stop_scoring_unless_only_valid_rows_are_asked_for(heart, tmp_path, rows):
    rows["age"] = rows["age"].astype(object)
    rows.loc[[3, 7], "age"] = "unknown"
    rows.loc[9, "cholesterol"] = "extreme"
    source = tmp_path / "bad.csv"
    rows.to_csv(source, index=False)
    with pytest.raises(ScoringError, match="holds text where the model expects numbers") as info:
        heart.scoring.score_file("heart-risk", source)
    assert info.value.report.invalid_rows == 3
    result = heart.scoring.score_file("heart-risk", source, only_valid=True)
    # only the rows with an error are left out; row 9's new category is scored and flagged
    assert (result.rows_in, result.rows_scored, result.rows_left_out, result.rows_flagged) == (300, 298, 2, 1)
    assert result.left_out_examples == [3, 7]
    kept = rows.drop(index=[3, 7]).reset_index(drop=True)
    assert list(result.output["sys_bp"]) == list(kept["sys_bp"])
    assert list(result.output["row"][2:5]) == [3, 5, 6]   # input rows 4 and 8 are left out
    assert result.output.set_index("row").loc[10, "flags"] == "new value: cholesterol 'extreme' not seen in training"
    # warnings alone do not stop scoring: every row is scored, the report says what was odd
    warned = heart.scoring.score_frame("heart-risk", rows.drop(index=[3, 7]))
    assert warned.rows_scored == 298 and warned.report.valid_rows == 297 and not warned.report.fatal


def test_rows_outside_the_training_range_are_scored_flagged_and_numbered(heart, tmp_path):
    """Half the patients 8 years older: the oldest are outside training's range, and still scored."""
    aged = pd.read_csv(SAMPLE_CSV).drop(columns=["heart_disease"])
    aged.insert(0, "patient_id", range(1001, 1001 + len(aged)))
    aged.loc[aged.index % 2 == 1, "age"] += 8
    top = int(pd.read_csv(SAMPLE_CSV)["age"].max())
    beyond = aged.index[aged["age"] > top]
    source = tmp_path / "aged.csv"
    aged.to_csv(source, index=False)
    for only_valid in (False, True):   # warnings are never a reason to leave a row out
        result = heart.scoring.score_file("heart-risk", source, out=tmp_path / "aged-scored.csv",
                                          only_valid=only_valid)
        assert (result.rows_scored, result.rows_left_out, result.rows_flagged) == (5000, 0, len(beyond)) != (5000, 0, 0)
    written = pd.read_csv(tmp_path / "aged-scored.csv", keep_default_na=False)
    assert list(written.columns[:2]) == ["row", "patient_id"] and list(written.columns[-1:]) == ["flags"]
    first = beyond[0]
    assert written.loc[first, "row"] == first + 1 and written.loc[first, "patient_id"] == 1001 + first
    assert written.loc[first, "flags"] == f"outside training range: age {aged.loc[first, 'age']} > {top}"
    assert (written["flags"] != "").sum() == len(beyond)


def test_a_missing_column_stops_scoring_even_for_valid_rows_only(heart, rows):
    with pytest.raises(ScoringError, match="Column 'sys_bp' is missing"):
        heart.scoring.score_frame("heart-risk", rows.drop(columns=["sys_bp"]), only_valid=True)


def test_large_frames_are_scored_in_chunks_with_progress_and_cancel(heart, tmp_path):
    big = pd.concat([pd.read_csv(SAMPLE_CSV)] * 24, ignore_index=True)   # 120,000 rows: three chunks
    messages = []
    result = heart.scoring.score_frame("heart-risk", big, progress=lambda f, m: messages.append((f, m)))
    assert result.rows_scored == 120_000
    assert sum("Scoring rows" in m for _, m in messages) == 3
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0

    token = CancelToken()

    def cancel_while_scoring(fraction, message):
        if "Scoring rows 50,001" in message:
            token.cancel()

    source, out = tmp_path / "big.parquet", tmp_path / "scored.csv"
    big.to_parquet(source)
    with pytest.raises(Cancelled):
        heart.scoring.score_file("heart-risk", source, out=out, progress=cancel_while_scoring, cancel=token)
    assert list(tmp_path.iterdir()) == [source]   # no output, no partial file


def test_a_run_can_be_scored_by_its_id(heart, rows):
    run = heart.runs.list()[-1]
    result = heart.scoring.score_frame(run.id[:8], rows.drop(columns=["heart_disease"]))
    assert result.model == f"run {run.short_id}" and result.rows_scored == 300
