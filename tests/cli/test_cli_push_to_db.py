"""`mldesk push-to-db PROJECT URL`: a local project moved into a team database, as a script does it."""

from __future__ import annotations

import json

from tests.cli.helpers import SAMPLE, heart_project, mldesk


def _one_sentence(done) -> str:
    assert "Traceback" not in done.stderr and done.stdout == "", done.stderr
    line = done.stderr.strip()
    assert line.count("\n") == 0 and line.startswith("mldesk") and line.endswith("."), line
    return line


def test_push_then_work_in_the_team_database(pg_url, tmp_path):
    project = heart_project(tmp_path / "heart")
    run = json.loads(mldesk("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                            "--json").stdout)
    mldesk("register", project, run["run"][:8], "--name", "hr", "--alias", "production")
    objects = tmp_path / "team-objects"

    report = json.loads(mldesk("push-to-db", project, pg_url, "--objects", objects, "--json").stdout)

    assert report["project"] == "heart" and report["objects_folder"] == str(objects.resolve())
    assert report["records"]["runs"] == 1 and report["objects_copied"] > 0 and report["shared_folder"] is None
    assert "intact" in report["audit"] and "@" not in report["database"]  # host:port/db, no user
    assert (project / "team-database.json").is_file() and (project / "mldesk.db.moved-to-team-database").is_file()
    models = json.loads(mldesk("models", project, "--json").stdout)
    assert models["models"][0]["aliases"] == {"production": 1}
    scored = mldesk("predict", project, "hr@production", SAMPLE).stdout  # the model, from the team's objects
    assert len(scored.splitlines()) > 100
    attached = json.loads(mldesk("init", tmp_path / "ben", "--db", pg_url, "--json").stdout)  # the pushed folder
    assert attached["attached"] is True and attached["objects"] == str(objects.resolve())
    runs = json.loads(mldesk("runs", tmp_path / "ben", "--json").stdout)
    assert [r["run"] for r in runs["runs"]] == [run["run"]]
    assert "intact" in mldesk("audit", "verify", project).stdout


def test_the_summary_says_what_moved_and_that_a_shared_folder_no_longer_applies(pg_url, tmp_path):
    project = heart_project(tmp_path / "heart")
    mldesk("sync", project, tmp_path / "shared")
    done = mldesk("push-to-db", project, pg_url)
    assert done.stdout.startswith("Moved 'heart' to the team database ")
    assert "every count and hash verified" in done.stdout and "mldesk.db.moved-to-team-database" in done.stdout
    assert f"note: the shared folder {tmp_path / 'shared'}" in done.stdout and "no longer applies" in done.stdout


def test_a_database_that_holds_a_project_is_one_sentence(pg_url, tmp_path):
    mldesk("init", tmp_path / "other", "--db", pg_url, "--objects", tmp_path / "o")
    project = heart_project(tmp_path / "heart")
    line = _one_sentence(mldesk("push-to-db", project, pg_url, check_code=1))
    assert "already holds a project ('other')" in line
    assert (project / "mldesk.db").is_file() and not (project / "team-database.json").exists()
    assert json.loads(mldesk("datasets", project, "--json").stdout)["datasets"][0]["name"] == "heart"


def test_a_password_in_the_url_is_refused_and_never_echoed(tmp_path):
    project = heart_project(tmp_path / "heart")
    line = _one_sentence(mldesk("push-to-db", project, "postgresql+psycopg://ana:s3cret@127.0.0.1:1/x",
                                check_code=1))
    assert "holds a password" in line and "s3cret" not in line
