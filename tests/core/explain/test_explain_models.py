"""Explanations of trained MLDesk models on data with a known effect: one column drives the outcome, another is
noise. The explanation ranks them right, every row's contributions add up to the model's own raw output
within 1e-6, and a model it cannot explain row by row is refused in one sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.explain.contributions import ExplainError, explain_rows
from desktop_app.core.project import Project
from desktop_app.core.tracking.entities import RunSpec
from desktop_app.core.training.pipeline import estimator_of


@pytest.fixture(scope="module")
def known_effect(tmp_path_factory):
    """A project with 'effect' (signal, driving the outcome), 'noise', a categorical 'colour' that shifts the
    odds a little, and missing values, imported as 'known'; plus a file of new rows."""
    rng = np.random.default_rng(3)
    rows = 3000
    frame = pd.DataFrame({"effect": rng.normal(size=rows), "noise": rng.normal(size=rows),
                          "colour": rng.choice(["red", "green", "blue"], size=rows)})
    logit = 2.5 * frame["effect"] + np.where(frame["colour"] == "red", 0.8, 0.0)
    frame["outcome"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    frame.loc[rng.random(rows) < 0.03, "noise"] = np.nan
    folder = tmp_path_factory.mktemp("explain")
    frame.to_csv(folder / "known.csv", index=False)
    frame.drop(columns="outcome").head(400).to_csv(folder / "new.csv", index=False)
    project = Project.create(folder / "proj")
    project.datasets.import_file(folder / "known.csv", name="known")
    yield project, folder
    project.close()


def explained(project, algorithm, params=None, positive=None):
    run = project.runs.train(RunSpec(dataset="known", target="outcome", algorithm=algorithm, params=params or {},
                                     positive_label=positive))
    pipeline = project.runs.load_model(run)
    prep = project.runs.prepared(run)
    X = prep.X.iloc[prep.test].reset_index(drop=True)
    background = prep.X.iloc[prep.train[:1000]]
    return run, pipeline, X, explain_rows(pipeline, X, background, positive=run.summary.get("positive_label"))


@pytest.mark.parametrize(("algorithm", "params", "space"), [
    ("logistic_regression", {}, "log_odds"),
    ("hist_gradient_boosting", {}, "log_odds"),
    ("random_forest", {"n_estimators": 15, "max_depth": 6}, "probability"),
    ("decision_tree", {"max_depth": 5}, "probability"),
])
def test_ranks_the_effect_above_the_noise_and_adds_up_to_the_output(known_effect, algorithm, params, space):
    project, _ = known_effect
    run, pipeline, X, e = explained(project, algorithm, params)
    assert e.features == ("effect", "noise", "colour") and e.output_space == space
    strength = dict(zip(e.features, np.abs(e.contributions).mean(axis=0)))
    assert strength["effect"] > 3 * strength["noise"] and strength["effect"] > strength["colour"]
    np.testing.assert_allclose(e.base_value + e.contributions.sum(axis=1), e.outputs, atol=1e-6)
    estimator = estimator_of(pipeline)
    prepared = pipeline[:-1].transform(X)
    positive = run.summary["positive_label"]                  # the minority class unless chosen
    column = list(estimator.classes_).index(positive)
    own = estimator.decision_function(prepared) * (1 if column == 1 else -1) if space == "log_odds" else \
        estimator.predict_proba(prepared)[:, column]
    np.testing.assert_allclose(e.outputs, own, atol=1e-9)
    assert set(e.classes) == {positive}
    assert e.top(0, 1)[0][0] in e.features


def test_the_other_class_as_positive_turns_the_signs(known_effect):
    project, _ = known_effect
    _, _, _, yes = explained(project, "logistic_regression", positive="yes")
    _, _, _, no = explained(project, "logistic_regression", positive="no")
    np.testing.assert_allclose(no.contributions, -yes.contributions, atol=1e-9)
    np.testing.assert_allclose(no.outputs, -yes.outputs, atol=1e-9)
    assert set(no.classes) == {"no"}


def test_a_model_not_explained_row_by_row_is_refused_in_one_sentence(known_effect):
    project, _ = known_effect
    run = project.runs.train(RunSpec(dataset="known", target="outcome", algorithm="k_neighbors"))
    with pytest.raises(ExplainError, match="Per-row explanations are made for linear and tree models"):
        explain_rows(project.runs.load_model(run), project.runs.prepared(run).X.head(5), pd.DataFrame())


def test_the_service_explains_a_registered_version_on_a_file(known_effect):
    project, folder = known_effect
    run = project.runs.train(RunSpec(dataset="known", target="outcome", algorithm="logistic_regression"))
    project.registry.register(run.id, "known-risk", alias="production")
    result = project.explain.explain("known-risk@production", folder / "new.csv", rows=50)
    document = result.to_dict()
    assert document["model"] == "known-risk@1" and len(document["rows"]) == 50
    for row in document["rows"]:
        assert abs(document["base_value"] + sum(row["contributions"].values()) - row["output"]) < 1e-6
    assert max(document["importance"], key=document["importance"].get) == "effect"
    assert set(document["importance_spread"]) == set(document["importance"])


@pytest.mark.parametrize("algorithm", ["logistic_regression", "hist_gradient_boosting"])
def test_a_multi_class_model_is_explained_for_each_row_s_predicted_class(tmp_path, algorithm):
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.assign(target=iris.target_names[iris.target])
    frame.to_csv(tmp_path / "iris.csv", index=False)
    with Project.create(tmp_path / "proj") as project:
        project.datasets.import_file(tmp_path / "iris.csv", name="iris")
        run = project.runs.train(RunSpec(dataset="iris", target="target", algorithm=algorithm))
        pipeline = project.runs.load_model(run)
        X = project.runs.prepared(run).X
        e = explain_rows(pipeline, X, X.head(100))
        estimator = estimator_of(pipeline)
        prepared = pipeline[:-1].transform(X)
        predicted = estimator.predict(prepared)
        assert list(e.classes) == list(predicted) and e.output_space == "raw_score"
        scores = estimator.decision_function(prepared)
        columns = [list(estimator.classes_).index(c) for c in predicted]
        np.testing.assert_allclose(e.outputs, scores[np.arange(len(X)), columns], atol=1e-9)
        np.testing.assert_allclose(e.base_values + e.contributions.sum(axis=1), e.outputs, atol=1e-6)
        by_class = {c: set(np.round(e.base_values[np.asarray(e.classes) == c], 12)) for c in set(e.classes)}
        assert all(len(values) == 1 for values in by_class.values()) and len(set().union(*by_class.values())) == 3
        assert all("base_value" in e.row(i) for i in range(3))   # the JSON says each row's own base


def test_partial_dependence_rises_with_the_effect_and_stays_flat_with_the_noise(known_effect):
    project, _ = known_effect
    run = project.runs.train(RunSpec(dataset="known", target="outcome", algorithm="logistic_regression",
                                     positive_label="yes"))
    project.registry.register(run.id, "known-curves")
    curves = project.explain.dependence("known-curves", ["effect", "noise", "colour"])
    effect, noise, colour = curves["effect"], curves["noise"], curves["colour"]
    assert effect["kind"] == "numeric" and len(effect["grid"]) == 20 and len(effect["individual"]) == 50
    assert all(b > a for a, b in zip(effect["average"], effect["average"][1:]))      # more effect, more "yes"
    assert max(effect["average"]) - min(effect["average"]) > 0.5
    assert max(noise["average"]) - min(noise["average"]) < 0.1
    assert colour["kind"] == "categorical" and set(colour["grid"]) == {"red", "green", "blue"}
    red = colour["average"][colour["grid"].index("red")]
    assert red > colour["average"][colour["grid"].index("blue")]                      # red shifts the odds up
    default = project.explain.dependence("known-curves")
    assert list(default)[0] == "effect" and len(default) == 3                           # by importance


def test_a_forest_too_large_to_explain_in_time_is_refused_with_the_estimate(known_effect, monkeypatch):
    from desktop_app.core.explain import trees

    project, _ = known_effect
    run = project.runs.train(RunSpec(dataset="known", target="outcome", algorithm="random_forest",
                                     params={"n_estimators": 5}))
    monkeypatch.setattr(trees, "NODES_PER_SECOND", 1)     # as if this machine walked one node a second
    with pytest.raises(ExplainError, match=r"nodes: explaining its rows one by one would take about \d+ minutes"):
        explain_rows(project.runs.load_model(run), project.runs.prepared(run).X.head(5), pd.DataFrame())
