"""A project in a team database (issue 13): created, attached, shared at once, never holding a password.

Runs against the test PostgreSQL server (tests/conftest.py, tests/pg_server.py): skipped with a reason
without one, a failure in CI.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from desktop_app.core.errors import ProjectError
from desktop_app.core.project import DB_FILE, Project
from desktop_app.core.store.team_file import TEAM_FILE
from desktop_app.core.sync.folder import SyncError
from tests.conftest import SAMPLE_CSV


def test_an_empty_database_gets_the_project_and_the_folder_only_its_settings(pg_url, tmp_path):
    objects = tmp_path / "team-objects"
    with Project.create(tmp_path / "ana", name="Heart", database_url=pg_url, objects=objects) as ana:
        version = ana.datasets.import_file(SAMPLE_CSV, name="heart").version
        assert ana.team_database and "127.0.0.1" in ana.team_database
        assert ana.objects.root == objects.resolve()
        assert ana.objects.path(version.sha256).is_file()
        assert [e.action for e in reversed(ana.audit_events())] == ["project.create", "dataset.create",
                                                                  "dataset.import"]
    folder = tmp_path / "ana"
    assert not (folder / DB_FILE).exists() and not (folder / "objects").exists()
    settings = json.loads((folder / TEAM_FILE).read_text())
    assert settings["objects"] == str(objects.resolve()) and make_url(settings["database"]).password is None


def test_a_second_workstation_attaches_and_each_sees_the_others_work_at_once(pg_url, tmp_path):
    objects = tmp_path / "team-objects"
    with (Project.create(tmp_path / "ana", name="Heart", database_url=pg_url, objects=objects) as ana,
          Project.create(tmp_path / "ben", database_url=pg_url) as ben):  # the objects folder: the one recorded
        assert (ben.id, ben.name, ben.objects.root) == (ana.id, "Heart", objects.resolve())
        assert ana.workstation_id != ben.workstation_id
        assert ben.audit_events(limit=1)[0].action == "project.attach"
        version = ana.datasets.import_file(SAMPLE_CSV, name="heart").version
        assert [v.id for v in ben.datasets.list()[0].versions] == [version.id]
        frame = ben.datasets.load(version.id)  # its snapshot, through the shared objects folder
        assert len(frame) == version.rows
        report = ben.verify_audit()
        assert report.intact and {h.origin for h in report.heads} == {ana.workstation_id, ben.workstation_id}
    with Project.open(tmp_path / "ben") as ben:  # opened again through its settings file
        assert ben.datasets.list()[0].name == "heart"


def test_attaching_needs_an_objects_folder_this_workstation_reaches(pg_url, tmp_path):
    objects = tmp_path / "team-objects"
    Project.create(tmp_path / "ana", database_url=pg_url, objects=objects).close()
    objects.rename(tmp_path / "elsewhere")
    with pytest.raises(ProjectError, match="cannot be reached from this workstation.*--objects DIR"):
        Project.create(tmp_path / "ben", database_url=pg_url)
    assert not (tmp_path / "ben" / TEAM_FILE).exists()
    with Project.create(tmp_path / "ben", database_url=pg_url, objects=tmp_path / "elsewhere") as ben:
        assert ben.objects.root == (tmp_path / "elsewhere").resolve()


def test_a_password_in_the_url_is_refused_and_nothing_is_written(pg_url, tmp_path):
    with_password = make_url(pg_url).set(password="secret").render_as_string(hide_password=False)
    with pytest.raises(ProjectError, match="holds a password.*pgpass.*PGPASSWORD") as caught:
        Project.create(tmp_path / "p", database_url=with_password)
    assert "secret" not in str(caught.value)
    assert not (tmp_path / "p").exists()


def test_only_a_postgresql_url_names_a_team_database(tmp_path):
    with pytest.raises(ProjectError, match="'mysql' is not one"):
        Project.create(tmp_path / "p", database_url="mysql://ana@db/heart")
    with pytest.raises(ProjectError, match="is not a database URL"):
        Project.create(tmp_path / "p", database_url="db.lab:5432/heart")


def test_a_project_in_a_team_database_is_not_synced_through_a_folder(pg_url, tmp_path):
    with Project.create(tmp_path / "p", database_url=pg_url) as project:
        assert project.sync.status().folder is None
        with pytest.raises(SyncError, match="lives in a team database"):
            project.sync.sync(tmp_path / "shared")
        assert not (tmp_path / "shared").exists()


def test_a_damaged_settings_file_is_one_sentence(pg_url, tmp_path):
    Project.create(tmp_path / "p", database_url=pg_url).close()
    (tmp_path / "p" / TEAM_FILE).write_text("{not json")
    with pytest.raises(ProjectError, match=f"{TEAM_FILE} cannot be read.*mldesk init FOLDER --db URL"):
        Project.open(tmp_path / "p")
