"""`mldesk init PROJECT --db URL`: a team database driven as a team's scripts would (issue 13).

Two workstation folders on one PostgreSQL database see each other's work at once; the mistakes a
newcomer makes with the URL are one sentence each, exit 1, and never echo a password.
"""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.cli.helpers import SAMPLE, mldesk


def _one_sentence(done) -> str:
    assert "Traceback" not in done.stderr and done.stdout == "", done.stderr
    line = done.stderr.strip()
    assert line.count("\n") == 0 and line.startswith("mldesk") and line.endswith("."), line
    return line


def test_two_workstations_on_one_team_database(pg_url, tmp_path):
    objects = tmp_path / "team-objects"
    created = json.loads(mldesk("init", tmp_path / "ana", "--db", pg_url, "--objects", objects, "--name", "Heart",
                                "--json").stdout)
    assert created["attached"] is False and created["objects"] == str(objects.resolve())
    attached = json.loads(mldesk("init", tmp_path / "ben", "--db", pg_url, "--json").stdout)
    assert attached["attached"] is True and attached["id"] == created["id"] and attached["project"] == "Heart"

    mldesk("import", tmp_path / "ana", SAMPLE, "--name", "heart")
    listed = json.loads(mldesk("datasets", tmp_path / "ben", "--json").stdout)
    assert [d["name"] for d in listed["datasets"]] == ["heart"]
    run = json.loads(mldesk("train", tmp_path / "ben", "heart", "--target", "heart_disease", "--model",
                            "logistic_regression", "--json").stdout)
    runs = json.loads(mldesk("runs", tmp_path / "ana", "--json").stdout)
    assert [r["run"] for r in runs["runs"]] == [run["run"]]
    verified = mldesk("audit", "verify", tmp_path / "ana")
    assert "intact" in verified.stdout


def test_sync_says_a_team_database_needs_none(pg_url, tmp_path):
    mldesk("init", tmp_path / "p", "--db", pg_url)
    line = _one_sentence(mldesk("sync", tmp_path / "p", tmp_path / "shared", check_code=1))
    assert "lives in a team database" in line


def test_mistakes_with_the_url_are_one_sentence(pg_server, tmp_path):
    server = make_url(pg_server)
    nobody_listens = server.set(port=1).render_as_string(hide_password=False)
    line = _one_sentence(mldesk("init", tmp_path / "a", "--db", nobody_listens, check_code=1))
    assert "127.0.0.1:1/" in line and "cannot be reached" in line

    with_password = server.set(password="hunter2").render_as_string(hide_password=False)
    line = _one_sentence(mldesk("init", tmp_path / "b", "--db", with_password, check_code=1))
    assert "holds a password" in line and "hunter2" not in line

    line = _one_sentence(mldesk("init", tmp_path / "c", "--db", "sqlite:///x.db", check_code=1))
    assert "is not one" in line

    done = mldesk("init", tmp_path / "d", "--objects", tmp_path / "o", check_code=2)
    assert "give --db URL with it" in done.stderr
    assert not any((tmp_path / name).exists() for name in "abcd")  # no folder left behind


def test_a_wrong_password_is_one_sentence(pg_server, tmp_path, monkeypatch):
    wrong = tmp_path / "pgpass"
    server = make_url(pg_server)
    wrong.write_text(f"{server.host}:{server.port}:*:{server.username}:not-the-password\n")
    wrong.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(wrong))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    line = _one_sentence(mldesk("init", tmp_path / "p", "--db", pg_server, check_code=1))
    assert "not-the-password" not in line and ("password" in line.lower() or "refused" in line.lower()), line


def test_a_team_database_of_a_newer_schema_is_refused(pg_url, tmp_path):
    mldesk("init", tmp_path / "p", "--db", pg_url)
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    line = _one_sentence(mldesk("datasets", tmp_path / "p", check_code=1))
    assert "newer version of MLDesk" in line and "9999" in line
