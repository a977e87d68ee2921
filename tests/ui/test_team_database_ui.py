"""The window and a team database (issue 13): create or join from the New-project dialog, errors in
the dialog as one sentence, ask before upgrading an older schema, the top bar and the Team place of a
project in a team database, and a server that goes away and comes back while the window is open.

Every test runs against a real PostgreSQL server (tests/pg.py: `pg_url`, a fresh database; the last
test starts a server of its own, to stop and start it: tests/ui/team_database_helpers.py).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.core.project import Project
from desktop_app.ui import main_window
from desktop_app.ui.shell.team_database_fields import OBJECTS_HINT, PASSWORD_HINT, URL_PLACEHOLDER
from desktop_app.ui.shell.upgrade_question import UPGRADE
from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import click, wait_idle
from tests.ui.team_database_helpers import (
    older_team_project,
    own_server,
    pause,
    project_names,
    resume,
    schema_revision,
)


def where(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"{parsed.host}:{parsed.port}/{parsed.database}"


def fill_team_dialog(qtbot, window, monkeypatch, location, name, url, objects=None):
    """Open the New-project dialog, choose "Team database" and fill it in as an analyst would."""
    click(qtbot, window.welcome.new_button)
    dialog = window.new_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.team_fields.isVisible()          # "Local file" first
    click(qtbot, dialog.team_choice)
    assert dialog.team_fields.isVisible()
    qtbot.keyClicks(dialog.name_edit, name)
    dialog.location_edit.setText(str(location))
    qtbot.keyClicks(dialog.team_fields.url_edit, url)
    if objects is not None:
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(objects))
        click(qtbot, dialog.team_fields.objects_button)
        assert dialog.team_fields.objects_edit.text() == str(objects)
    return dialog


def test_creating_a_project_in_an_empty_team_database(qtbot, window, monkeypatch, pg_url, tmp_path):
    objects = tmp_path / "team-objects"
    objects.mkdir()
    dialog = fill_team_dialog(qtbot, window, monkeypatch, tmp_path / "here", "Heart", pg_url, objects)
    assert dialog.team_fields.url_edit.placeholderText() == URL_PLACEHOLDER
    assert "~/.pgpass" in PASSWORD_HINT and "never stores it" in PASSWORD_HINT
    assert "leave empty when joining" in OBJECTS_HINT.lower()
    assert "records live in the team database" in dialog.path_label.text()
    assert dialog.create_button.text() == "Create or join"

    click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: window.project is not None, timeout=30_000)

    assert not dialog.isVisible()
    project = window.project
    assert project.team_database == where(pg_url)
    assert project_names(pg_url) == ["Heart"]                                      # in the database …
    assert sorted(p.name for p in (tmp_path / "here" / "Heart").iterdir()) == ["exports", "team-database.json"]
    assert "postgresql" in (tmp_path / "here" / "Heart" / "team-database.json").read_text()
    # … and on the screen: where it lives, in the top bar and the notice.
    assert window.pages.currentWidget() is window.project_page
    assert window.sync_badge.isVisible()
    assert window.sync_badge.text() == f"⛁ Team database {where(pg_url)}"
    assert window.notice.isVisible()
    assert f"Created 'Heart' in the team database {where(pg_url)}" in window.notice.text.text()
    # The next new project remembers the URL (never a password: the core refuses one).
    wait_idle(qtbot, window.runner)
    window.close_project()
    click(qtbot, window.welcome.new_button)
    assert window.new_dialog.team_fields.url() == pg_url


def test_joining_the_project_a_team_database_holds(qtbot, window, monkeypatch, pg_url, tmp_path):
    objects = tmp_path / "team-objects"
    with Project.create(tmp_path / "ana", "Heart", team_database=pg_url, objects=objects) as ana:
        ana.datasets.import_file(SAMPLE_CSV, name="heart")
        team_id = ana.id

    dialog = fill_team_dialog(qtbot, window, monkeypatch, tmp_path / "ben", "My copy", pg_url)   # objects: empty
    click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: window.project is not None, timeout=30_000)

    project = window.project
    assert (project.id, project.name) == (team_id, "Heart")   # the team's project, not a new one
    assert project_names(pg_url) == ["Heart"]
    assert f"Joined 'Heart' in the team database {where(pg_url)}" in window.notice.text.text()
    assert "Heart" in window.top_bar.project_button.text()
    # Ana's work is there at once: no sync.
    qtbot.waitUntil(lambda: window.data_step.tree.topLevelItemCount() == 1, timeout=20_000)


def test_what_the_server_refuses_is_one_sentence_in_the_dialog(qtbot, window, monkeypatch, pg_url, tmp_path):
    with_password = pg_url.replace("mldesk@", "mldesk:secret@")
    dialog = fill_team_dialog(qtbot, window, monkeypatch, tmp_path, "Heart", with_password)
    click(qtbot, dialog.create_button)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=20_000)
    sentence = dialog.error_label.text()
    assert "holds a password" in sentence and "Traceback" not in sentence and "\n" not in sentence
    assert dialog.isVisible() and dialog.create_button.isEnabled() and window.project is None
    assert not (tmp_path / "Heart").exists()

    dialog.team_fields.url_edit.setText(pg_url.rsplit("/", 1)[0] + "/no_such_database")
    assert not dialog.error_label.isVisible()          # editing clears the old sentence
    click(qtbot, dialog.create_button)
    assert dialog.busy and not dialog.create_button.isEnabled()   # connecting: nothing to press twice
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=30_000)
    assert "There is no database 'no_such_database'" in dialog.error_label.text()
    assert window.project is None and not window.findChildren(QMessageBox)   # no error box besides the dialog

    dialog.team_fields.url_edit.setText(pg_url)       # corrected: it works
    click(qtbot, dialog.create_button)
    qtbot.waitUntil(lambda: window.project is not None, timeout=30_000)
    assert project_names(pg_url) == ["Heart"]


def test_an_older_team_database_is_upgraded_only_after_asking(qtbot, window, pg_url, tmp_path):
    folder = tmp_path / "old"
    older_team_project(pg_url, folder, tmp_path / "objects")
    old = schema_revision(pg_url)

    window.open_project(folder)
    qtbot.waitUntil(lambda: window.upgrade_question is not None and window.upgrade_question.isVisible(),
                    timeout=20_000)
    question = window.upgrade_question
    assert "every workstation must upgrade together" in question.informativeText()
    assert [b.text() for b in question.buttons() if b.text() == UPGRADE] == [UPGRADE]
    click(qtbot, question.button(QMessageBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: not question.isVisible())
    wait_idle(qtbot, window.runner)
    assert window.project is None and schema_revision(pg_url) == old      # nothing changed

    window.open_project(folder)
    qtbot.waitUntil(lambda: window.upgrade_question is not question and window.upgrade_question.isVisible(),
                    timeout=20_000)
    upgrade = next(b for b in window.upgrade_question.buttons() if b.text() == UPGRADE)
    click(qtbot, upgrade)
    qtbot.waitUntil(lambda: window.project is not None, timeout=30_000)
    assert window.project.name == "Old heart" and schema_revision(pg_url) != old


def test_the_top_bar_and_the_team_place_say_where_the_project_lives(qtbot, window, pg_url, tmp_path):
    window.set_project(Project.create(tmp_path / "p", "Heart", team_database=pg_url, objects=tmp_path / "objects"))
    wait_idle(qtbot, window.runner)
    assert window.sync_badge.text() == f"⛁ Team database {where(pg_url)}"
    assert "no folder sync is needed" in window.sync_badge.toolTip()
    click(qtbot, window.sync_badge)                           # the badge opens the Team place
    team = window.team_step
    qtbot.waitUntil(lambda: window.current_step() is team)
    assert team.pages.currentWidget() is team.database_page
    text = team.database_page.text()
    assert f"shared through the team database {where(pg_url)}" in text and "no folder sync is needed" in text
    assert str(tmp_path / "objects") in text
    assert not team.primary_button.isVisible() and not team.empty.isVisible()   # no "Link to a shared folder…"
    assert "team database" in team.purpose_label.text()
    wait_idle(qtbot, window.runner)                           # opening a step looks for changes made elsewhere
    team.trigger_primary()                                    # Ctrl+Enter does nothing here
    assert window.runner.tasks == [] and window.team_sync.status.folder is None


def test_a_server_that_goes_away_is_retried_until_it_is_back(qtbot, window, monkeypatch, tmp_path):
    from tests.pg import create_database

    monkeypatch.setattr(main_window, "BACK_NOTICE_MS", 1_500)
    with own_server() as server:
        url = create_database(server.url)
        objects = tmp_path / "objects"
        window.database_watch.delays_ms = (500, 1_000, 2_000)
        window.set_project(Project.create(tmp_path / "ana", "Heart", team_database=url, objects=objects))
        wait_idle(qtbot, window.runner)
        assert window.data_step.tree.topLevelItemCount() == 0
        with Project.create(tmp_path / "ben", team_database=url, objects=objects) as ben:   # a colleague imports
            ben.datasets.import_file(SAMPLE_CSV, name="heart")

        pause(server)
        ticks: list[float] = []                     # the GUI thread keeps turning while the server is away
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(20)
        window.refresh()                            # F5: the Data step's read fails
        qtbot.waitUntil(lambda: not window.database_watch.reachable, timeout=30_000)
        assert window.notice.isVisible()
        assert window.notice.text.text().startswith("Team database unreachable — retrying…")
        assert "cannot be reached" in window.notice.details.text()
        assert window.sync_badge.text() == "⚠ Team database unreachable"
        qtbot.waitUntil(lambda: window.database_watch.tries >= 2, timeout=30_000)   # it keeps trying, backing off
        assert "next try in 2 s" in window.notice.text.text()
        assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]  # the notice only
        click(qtbot, window.notice.close_button)     # dismissed: later tries do not bring it back …
        tries = window.database_watch.tries
        qtbot.waitUntil(lambda: window.database_watch.tries > tries, timeout=30_000)
        assert not window.notice.isVisible()
        assert window.sync_badge.text() == "⚠ Team database unreachable"   # … the top bar still says it

        resume(server)
        qtbot.waitUntil(lambda: window.database_watch.reachable, timeout=30_000)
        timer.stop()
        assert max(b - a for a, b in zip(ticks, ticks[1:])) < 1.0
        assert "reachable again" in window.notice.text.text() and window.notice.isVisible()
        assert window.sync_badge.text() == f"⛁ Team database {where(url)}"
        # The step in view reloads: Ben's dataset, imported before the outage, shows without F5.
        qtbot.waitUntil(lambda: window.data_step.tree.topLevelItemCount() == 1, timeout=20_000)
        qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=10_000)   # then the notice clears
        window.close_project()
        wait_idle(qtbot, window.runner)
