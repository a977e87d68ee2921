"""A sync with nothing to do is found and recorded at a glance (sync.idle); anything to do goes the full way."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop_app.core.project import Project
from desktop_app.core.sync.idle import idle_sync
from tests.core.sync.helpers import sync_until_quiet, three_workstations, write_table

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def pair(tmp_path):
    """A made the project and B cloned it; both synced until neither has anything to do."""
    shared = tmp_path / "shared"
    with Project.create(tmp_path / "a", name="Team") as a:
        a.datasets.import_file(write_table(tmp_path, "base", 1), name="base")
        a.sync.sync(shared)
        with Project.clone(shared, tmp_path / "b") as b:
            sync_until_quiet([a, b])
    return shared, tmp_path / "a", tmp_path / "b"


def test_nothing_to_do_is_recorded_as_the_full_sync_records_it(pair):
    shared, a, _ = pair
    with Project.open(a) as project:
        full = project.sync.sync()
        before = project.sync.status()
    report = idle_sync(a)
    assert report is not None and report.to_dict() == full.to_dict() == {**full.to_dict(), "folder": str(shared)}
    with Project.open(a) as project:
        after = project.sync.status()
        assert after.last_report == full.to_dict()
        assert after.last_sync_at > before.last_sync_at
        assert project.sync.sync().to_dict() == report.to_dict()   # the full way agrees, and reads what idle wrote
    assert idle_sync(a, shared) is not None                        # the linked folder named again


def test_own_changes_not_sent_yet_go_the_full_way(pair, tmp_path):
    _, a, _ = pair
    with Project.open(a) as project:
        project.datasets.import_file(write_table(tmp_path, "more", 2), name="base")
    assert idle_sync(a) is None
    with Project.open(a) as project:
        assert project.sync.sync().published > 0
    assert idle_sync(a) is not None


def test_a_batch_of_the_team_waiting_goes_the_full_way(pair, tmp_path):
    _, a, b = pair
    with Project.open(b) as project:
        project.datasets.import_file(write_table(tmp_path, "on_b", 3), name="from_b")
        project.sync.sync()
    assert idle_sync(a) is None
    with Project.open(a) as project:
        assert project.sync.sync().applied > 0
    assert idle_sync(a) is not None


def test_a_stray_file_in_the_shared_folder_goes_the_full_way(pair):
    shared, a, _ = pair
    (shared / "journal" / "notes.txt").write_text("someone's file")
    assert idle_sync(a) is None
    with Project.open(a) as project:
        assert project.sync.sync().strays


def test_another_folder_or_none_linked_goes_the_full_way(pair, tmp_path):
    _, a, _ = pair
    assert idle_sync(a, tmp_path / "elsewhere") is None
    Project.create(tmp_path / "alone").close()
    assert idle_sync(tmp_path / "alone") is None


def test_a_conflict_goes_the_full_way(tmp_path):
    shared, projects = three_workstations(tmp_path)
    try:
        sync_until_quiet(projects)
        assert projects[0].sync.conflicts()
    finally:
        for project in projects:
            project.close()
    assert idle_sync(tmp_path / "a") is None


def test_mldesk_sync_with_nothing_to_do_does_not_import_sqlalchemy(pair):
    _, a, _ = pair
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "desktop_app.cli", "sync", str(a)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Synced with ") and "sent 0 change(s)" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in ("sqlalchemy", "pandas", "numpy", "alembic")}
