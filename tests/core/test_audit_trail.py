"""The audit trail: what is recorded, by whom, in which transaction, and a chain that shows tampering."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys

import pytest
from sqlalchemy import text

from desktop_app.core.project import Project
from desktop_app.core.quality.recipe import step_from_fix
from desktop_app.core.store import audit
from desktop_app.core.tracking.entities import RunSpec, RunStatus


def _verify(project):
    with project.db.read() as session:
        return audit.verify(session)


@pytest.fixture
def worked(project, sample_csv):
    """A project with an import, a check, a fix, a training run, a registration and an alias."""
    project.datasets.import_file(sample_csv, name="heart")
    stored = project.quality.check("heart", target="heart_disease")
    fix = next(f for f in stored.report.findings if f.fix is not None)
    project.quality.apply_fixes("heart@1", [step_from_fix(fix.fix)])
    run = project.runs.train(RunSpec(dataset="heart@2", target="heart_disease", algorithm="logistic_regression"))
    project.registry.register(run.id, "heart-risk", alias="staging")
    return project, run


def test_every_kind_of_change_is_in_the_trail_and_the_chain_is_intact(worked):
    project, run = worked
    actions = [e.action for e in reversed(project.audit_events())]
    for expected in ("project.create", "dataset.import", "quality.report", "dataset.derive", "quality.fix",
                     "run.create", "run.start", "run.finish", "model.register", "model.alias"):
        assert expected in actions, expected
    assert actions.index("run.create") < actions.index("run.start") < actions.index("run.finish")
    report = _verify(project)
    assert report.intact and report.events == len(actions)
    assert report.heads[0].seq == len(actions)


def test_run_events_say_what_happened(project, sample_csv):
    project.datasets.import_file(sample_csv, name="heart")
    run = project.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression"))
    finished = [e for e in project.audit_events(run.id) if e.action == "run.finish"]
    assert finished[0].after["metrics"] == run.metrics and finished[0].before == {"status": "running"}
    again = project.runs.rerun(run.id)
    rerun = [e for e in project.audit_events(again.id) if e.action == "run.rerun"]
    assert rerun[0].before == {"run_id": run.id}
    failed = project.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                        time_column="no such column"))
    assert failed.status == RunStatus.FAILED
    (event,) = [e for e in project.audit_events(failed.id) if e.action == "run.fail"]
    assert event.after["error"] == failed.error.split("\n\n")[0]


def test_an_ended_run_is_never_reopened_by_a_late_writer(project, sample_csv):
    project.datasets.import_file(sample_csv, name="heart")
    run = project.runs.create(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression"))
    project.runs.mark_ended(run.id, RunStatus.CANCELLED, "Cancelled before it started.")
    late = project.runs.execute(run.id)  # a worker that arrives after the cancel
    assert late.status == RunStatus.CANCELLED
    assert [e.action for e in project.audit_events(run.id)] == ["run.cancel", "run.create"]


def test_a_fix_and_its_audit_event_are_one_transaction(project, sample_csv, monkeypatch):
    project.datasets.import_file(sample_csv, name="heart")
    stored = project.quality.check("heart", target="heart_disease")
    fix = next(f for f in stored.report.findings if f.fix is not None)
    original = audit.record

    def failing(session, action, *args, **kwargs):
        if action == "quality.fix":
            raise OSError("disk full while writing the audit event")
        return original(session, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(OSError):
        project.quality.apply_fixes("heart@1", [step_from_fix(fix.fix)])
    monkeypatch.undo()
    assert [v.number for v in project.datasets.list()[0].versions] == [1]
    assert "dataset.derive" not in [e.action for e in project.audit_events()]


def _event_seq(project, action):
    with project.db.read() as session:
        return session.execute(text("SELECT seq, id FROM audit_events WHERE action = :a ORDER BY seq"),
                               {"a": action}).first()


def test_an_edited_event_is_found(worked):
    project, _ = worked
    seq, event_id = _event_seq(project, "model.register")
    with project.db.session() as session:
        session.execute(text("UPDATE audit_events SET reason = 'approved by the board' WHERE id = :i"), {"i": event_id})
    report = _verify(project)
    assert not report.intact
    assert [(b.seq, b.action) for b in report.breaks] == [(seq, "model.register")]
    assert "changed after it was written" in report.summary()


def test_an_edited_event_with_its_hash_recomputed_breaks_the_next_link(worked):
    project, _ = worked
    from desktop_app.core.store.audit_chain import event_hash

    seq, event_id = _event_seq(project, "run.finish")
    with project.db.session() as session:
        row = session.execute(text("SELECT * FROM audit_events WHERE id = :i"), {"i": event_id}).mappings().one()
    events = [e for e in project.audit_events(limit=10_000) if e.id == event_id]
    forged = {**row, "at": events[0].at, "before": row["before"] and __import__("json").loads(row["before"]),
              "after": {"status": "finished", "metrics": {"recall": 0.99}}, "reason": row["reason"]}
    with project.db.session() as session:
        session.execute(text("UPDATE audit_events SET after = :a, hash = :h WHERE id = :i"),
                        {"a": '{"status": "finished", "metrics": {"recall": 0.99}}', "h": event_hash(forged),
                         "i": event_id})
    report = _verify(project)
    assert [b.seq for b in report.breaks] == [seq + 1]
    assert "does not link" in report.breaks[0].problem


def test_a_removed_event_is_found(worked):
    project, _ = worked
    seq, event_id = _event_seq(project, "quality.fix")
    with project.db.session() as session:
        session.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": event_id})
    report = _verify(project)
    assert [b.seq for b in report.breaks] == [seq + 1]
    assert f"event {seq} was removed" in report.breaks[0].problem


def test_the_user_is_the_operating_system_account_not_an_environment_variable(tmp_path):
    script = ("from desktop_app.core.project import Project\n"
              f"Project.create({str(tmp_path / 'p')!r}).close()\n")
    env = {**os.environ, "LOGNAME": "nobody-here", "USER": "nobody-here", "USERNAME": "nobody-here"}
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    with Project.open(tmp_path / "p") as project:
        (event,) = project.audit_events()
    assert event.user == pwd.getpwuid(os.geteuid()).pw_name != "nobody-here"


def test_an_older_trail_is_chained_when_the_schema_is_upgraded(tmp_path):
    """Events written before the chain existed (schema 0004) are chained in the order they were written."""
    from alembic import command
    from sqlalchemy import create_engine

    from desktop_app.core.store.database import _alembic_config

    folder = tmp_path / "old"
    folder.mkdir()
    engine = create_engine(f"sqlite:///{folder / 'mldesk.db'}")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0004")
        connection.execute(text("INSERT INTO project (id, name, created_at, created_by, host) "
                                "VALUES ('p1', 'Old one', '2025-01-01 00:00:00', 'ana', 'pc1')"))
        for i, action in enumerate(["project.create", "dataset.import", "model.register"]):
            connection.execute(text(
                "INSERT INTO audit_events (id, at, user, host, action, entity_type, entity_id, before, after, reason) "
                f"VALUES ('e{i}', '2025-01-0{i + 1} 10:00:00.000123', 'ana', 'pc1', '{action}', 'x', 'y', NULL, "
                "'{\"n\": 1.5}', '')"))
    engine.dispose()
    with Project.open(folder) as project:
        report = _verify(project)
        assert report.intact and report.events == 3
        assert [e.action for e in reversed(project.audit_events())] == ["project.create", "dataset.import",
                                                                         "model.register"]
        with project.db.session() as session:
            audit.record(session, "test.after_upgrade", "project", project.id)
        assert _verify(project).intact and _verify(project).heads[0].seq == 4
