"""Moving a local project into a team database (`core.team_move`, `mldesk push-to-db`).

One local project with everything a project holds — a dataset, a quality report, two runs, a
registered model with an alias and a KPI gate, a monitoring batch, a link to a shared folder — is
built once and copied for each test. Pushed, the team project shows the same records and audit
trail and loads the model; refused or failed midway, the local project is as it was and the
target holds nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, inspect, select

from desktop_app.core import team_move
from desktop_app.core.errors import Cancelled, ProjectError
from desktop_app.core.project import DB_FILE, Project
from desktop_app.core.store.models import Base
from desktop_app.core.store.objects import sha256_file
from desktop_app.core.store.team_file import TEAM_FILE, TeamDatabase
from desktop_app.core.tracking.entities import RunSpec
from tests.conftest import SAMPLE_CSV
from tests.core.sync.helpers import state

pytestmark = pytest.mark.sqlite_only  # the source is a local SQLite project whatever the backend


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("push-template")
    with Project.create(root / "heart", name="Heart") as project:
        project.datasets.import_file(SAMPLE_CSV, name="heart")
        project.quality.check("heart", target="heart_disease")
        first = project.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", seed=1))
        second = project.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", seed=2))
        project.registry.register(first.id, "heart-risk", alias="production")
        project.registry.register(second.id, "heart-risk", alias="staging")
        project.registry.set_kpi_gate("heart-risk", ["roc_auc>=0.5"], reason="a floor")
        project.monitor.add_batch("heart-risk@production", pd.read_csv(SAMPLE_CSV).head(120), name="week 1")
        project.sync.sync(root / "shared")
    return root / "heart"


@pytest.fixture
def local(template, tmp_path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "heart"))


def _snapshot(folder: Path) -> dict:
    """The project's records as plain values, and the folder's file names (opened and closed again)."""
    with Project.open(folder) as project:
        assert project.team_database is None
        return {**state(project), "files": sorted(p.name for p in folder.iterdir())}


def _target_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return sum(connection.scalar(select(func.count()).select_from(table))
                       for table in Base.metadata.sorted_tables if table.name in present)
    finally:
        engine.dispose()


def test_a_pushed_project_holds_the_same_records_and_objects(local, pg_url, tmp_path):
    with Project.open(local) as before:
        records = state(before)
        workstation = before.workstation_id
        model = before.registry.resolve("heart-risk@production")
        expected_proba = before.registry.load_model(model).predict_proba(before.registry.holdout_rows(model)[0])
        local_objects = {p.parent.name + p.name for p in (local / "objects").glob("??/*")}
    objects = tmp_path / "team-objects"

    report = team_move.push_to_database(local, pg_url, objects=objects)

    assert report.project == "Heart" and report.objects_folder == objects.resolve()
    assert report.objects_copied == len(local_objects) and report.objects_present == 0
    assert report.records["runs"] == 2 and report.records["monitoring_batches"] == 1
    assert report.shared_folder is not None and Path(report.shared_folder).name == "shared"
    assert "intact" in report.audit
    assert not (local / DB_FILE).exists() and (local / team_move.MOVED_FILE).is_file()
    team = TeamDatabase.read(local)
    assert team is not None and team.workstation == workstation and team.objects == objects.resolve()

    with Project.open(local) as after:
        assert after.team_database is not None and after.workstation_id == workstation
        moved = state(after)
        pushed = [e for e in moved["events"] if e not in records["events"]]
        assert len(pushed) == 1 and pushed[0][1] == workstation  # the local chain goes on
        assert {k: v for k, v in moved.items() if k != "events"} == \
               {k: v for k, v in records.items() if k != "events"}
        assert after.audit_events(limit=1)[0].action == "project.push_to_db"
        assert after.verify_audit().intact
        assert after.registry.get_model("heart-risk").aliases == {"production": 1, "staging": 2}
        model = after.registry.resolve("heart-risk@production")
        proba = after.registry.load_model(model).predict_proba(after.registry.holdout_rows(model)[0])
        assert (proba == expected_proba).all()
        assert len(after.monitor.batches("heart-risk@production")) == 1
        assert after.sync.folder is None
    copied = {p.parent.name + p.name: p for p in objects.glob("??/*")}
    assert set(copied) == local_objects and all(sha256_file(p) == sha for sha, p in copied.items())


def test_objects_already_in_the_team_folder_are_skipped(local, pg_url):
    report = team_move.push_to_database(local, pg_url)  # the default: the project's own objects folder
    assert report.objects_copied == 0 and report.objects_present > 0
    assert report.objects_folder == (local / "objects").resolve()


def test_a_target_that_holds_a_project_is_refused_and_nothing_changes(local, pg_url, tmp_path):
    Project.create(tmp_path / "other", name="Other", team_database=pg_url, objects=tmp_path / "o").close()
    before = _snapshot(local)
    with pytest.raises(ProjectError, match="already holds a project"):
        team_move.push_to_database(local, pg_url)
    assert _snapshot(local) == before
    with Project.open(tmp_path / "other") as other:
        assert other.name == "Other" and len(other.audit_events()) == 1


@pytest.mark.parametrize("failure", ["insert", "cancel", "switch"])
def test_a_failure_midway_leaves_the_project_as_it_was_and_the_target_empty(local, pg_url, tmp_path, monkeypatch,
                                                                              failure):
    before = _snapshot(local)
    progress = team_move.no_progress
    if failure == "insert":  # the server refuses a row of the runs, after the tables before it went in
        real = team_move._insert_rows

        def insert(session, table, rows):
            if table.name == "runs":
                raise OSError("the network went away")
            real(session, table, rows)

        monkeypatch.setattr(team_move, "_insert_rows", insert)
    elif failure == "cancel":  # the user cancels while the copy is verified
        def progress(fraction, message):
            if message.startswith("Verifying stored file"):
                raise Cancelled("cancelled")
    else:  # the copy is committed, then the settings file cannot be written
        def refuse(self, folder):
            raise PermissionError("read-only folder")

        monkeypatch.setattr(TeamDatabase, "write", refuse)

    with pytest.raises((OSError, Cancelled)):
        team_move.push_to_database(local, pg_url, objects=tmp_path / "team-objects", progress=progress)

    assert not (local / TEAM_FILE).exists() and not (local / team_move.MOVED_FILE).exists()
    assert _snapshot(local) == before
    assert _target_rows(pg_url) == 0
    monkeypatch.undo()
    assert team_move.push_to_database(local, pg_url, objects=tmp_path / "team-objects").records["runs"] == 2


def test_a_project_open_elsewhere_is_refused(local, pg_url):
    with Project.open(local):  # another window: here in-process, which SQLite's locks see the same way
        with pytest.raises(ProjectError, match="open in another MLDesk window or command"):
            team_move.push_to_database(local, pg_url)
    assert (local / DB_FILE).is_file() and not (local / TEAM_FILE).exists()


def test_a_project_in_a_team_database_already_is_refused(local, pg_url):
    team_move.push_to_database(local, pg_url)
    with pytest.raises(ProjectError, match="already lives in the team database"):
        team_move.push_to_database(local, pg_url)


def test_a_url_with_a_password_is_refused_before_the_server_is_asked(local):
    with pytest.raises(ProjectError, match="holds a password"):
        team_move.push_to_database(local, "postgresql+psycopg://ana:secret@127.0.0.1:1/x")
    assert (local / DB_FILE).is_file()
