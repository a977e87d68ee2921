"""Definitions as data: what is refused (with the field named), the templates, TOML round trips, the
scheduler's command lines."""

from __future__ import annotations

import shlex

import pytest

from desktop_app.core.pipelines import templates
from desktop_app.core.pipelines.definition import Source, from_dict, to_dict
from desktop_app.core.pipelines.errors import PipelineDefinitionError
from desktop_app.core.pipelines.schedule import command_line, cron_line, task_scheduler_line
from desktop_app.core.pipelines.toml_file import dumps, loads

MONTHLY = templates.monthly_retrain("monthly", source=Source("/data/heart-*.csv", "heart"), target="heart_disease",
                                    algorithm="logistic_regression", model="heart-risk")


def test_the_templates_run_the_steps_their_names_say():
    assert MONTHLY.steps() == ("import", "check", "drift", "train", "promote", "export")
    watch = templates.score_and_watch("watch", source=Source("", "batches"), model="heart-risk")
    assert watch.steps() == ("import", "drift", "score")
    assert watch.drift.model == watch.scoring.model == "heart-risk@production"
    assert set(templates.TEMPLATES) == {"monthly-retrain", "score-and-watch"}


@pytest.mark.parametrize(("change", "sentence"), [
    ({"source": None}, "needs a source section"),
    ({"source": {"path": "x.csv"}}, "source needs dataset"),
    ({"drift": {"model": "heart-risk", "fail_on": "dataset"}}, "drift.model must name a model and an alias"),
    ({"quality": {"fail_on": "sometimes"}}, "quality.fail_on must be error, warning or never"),
    ({"training": {"specs": []}}, "training.specs must list at least one spec"),
    ({"training": {"specs": [{"algorithm": "ridge"}]}}, "training spec 1's target must be given"),
    ({"training": {"specs": [{"algorithm": "ridge", "target": "y", "lr": 1}]}}, "training spec 1 has no setting lr"),
    ({"training": None}, "promotion needs a training section"),
    ({"promotion": {"model": "m", "beat_by": "a lot"}}, "promotion.beat_by must be a number"),
    ({"colour": "blue"}, "has no section colour"),
])
def test_what_could_not_run_is_refused_naming_the_field(change, sentence):
    document = {**to_dict(MONTHLY), **change}
    document = {k: v for k, v in document.items() if v is not None}
    with pytest.raises(PipelineDefinitionError, match=sentence):
        from_dict(document)


def test_toml_round_trip_keeps_a_recipe_and_leaves_out_what_is_none():
    recipe = [{"op": "drop_duplicates", "params": {}, "at_prediction": False},
              {"op": "fill_missing", "params": {"column": "weight", "strategy": "median"}, "at_prediction": True}]
    definition = MONTHLY.with_changes(recipe=recipe, quality={"target": None, "fail_on": "never"})
    text = dumps(definition)
    assert "[[recipe]]" in text and "null" not in text and "target" not in text.split("[quality]")[1].split("[")[0]
    back = loads(text)
    assert back == definition and back.quality.target is None and back.quality.fail_on == "never"
    assert loads(text, name="copy").name == "copy"


def test_the_command_line_names_the_project_whole_and_quotes_it(tmp_path):
    project = tmp_path / "my project"
    line = command_line(project, "monthly", windows=False)
    assert shlex.split(line)[-4:] == ["pipeline", "run", str(project.resolve()), "monthly"]
    assert cron_line(project, "monthly").startswith("0 6 1 * * ") and "pipeline-monthly.log" in cron_line(project,
                                                                                                          "monthly")
    windows = task_scheduler_line(project, "monthly")
    assert windows.startswith('schtasks /Create /SC MONTHLY') and '"MLDesk monthly"' in windows
    assert command_line(project, "monthly", windows=True).count('"') >= 2   # the space is quoted for cmd.exe
