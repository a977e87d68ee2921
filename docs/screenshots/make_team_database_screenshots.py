"""Grab the window with a project in a team database offscreen into docs/screenshots/.

    python docs/screenshots/make_team_database_screenshots.py [--size 1024x700] [--out DIR]

Needs PostgreSQL's programs (Debian's `postgresql` package): the script starts a throw-away server of
its own (tests/pg_server.py) with a database "heart", where Ana made "Heart study" (the sample data,
its stored files in a team objects folder). Ben joins it from the New-project dialog; the window is
his. Then the server is stopped for a moment, and started again.

  team_database_new.png          the New-project dialog with "Team database" chosen and filled in
  team_database_window.png       Ben's window once joined: the top bar names the team database
  team_database_team.png         the Team place: shared through the team database, nothing to link
  team_database_unreachable.png  the server stopped: "Team database unreachable — retrying…"

At 1024×700 (--size 1024x700) each is named <name>_small.png (see shots.py).

The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

import os

from shots import SAMPLE, hide_caret, open_window, options, save, start, wait_until


def team_database(server) -> str:
    """The URL of a new database "heart" on `server` (no password: it is in the server's password file)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text('CREATE DATABASE "heart"'))
    finally:
        engine.dispose()
    return make_url(server.url).set(database="heart").render_as_string(hide_password=False)


def main() -> int:
    from desktop_app.core.project import Project
    from tests import pg_server
    from tests.ui.team_database_helpers import pause, resume

    options(__doc__)
    app, work = start("mldesk-team-database-shots-")
    server = pg_server.start()
    os.environ["PGPASSFILE"] = str(server.passfile)
    try:
        url = team_database(server)
        with Project.create(work / "ana" / "Heart study", "Heart study", team_database=url,
                            objects=work / "Team drive" / "heart-objects") as ana:
            ana.datasets.import_file(SAMPLE, name="heart")

        window = open_window(app)
        window.new_project()
        dialog = window.new_dialog
        wait_until(app, dialog.isVisible)
        dialog.team_choice.setChecked(True)
        dialog.name_edit.setText("Heart study")
        dialog.location_edit.setText(str(work / "ben"))
        dialog.team_fields.url_edit.setText(url)
        dialog.team_fields.objects_edit.clear()
        dialog.team_fields.url_edit.setFocus()
        hide_caret(app, dialog)
        save(dialog, "team_database_new.png")

        dialog.create_button.click()
        wait_until(app, lambda: window.project is not None and not window.runner.tasks, timeout=60)
        window.data_step.tree.select_version(window.project.datasets.get_version("heart@1").id)
        wait_until(app, lambda: not window.runner.tasks)
        save(window, "team_database_window.png")

        window.navigator.select("team")
        wait_until(app, lambda: not window.runner.tasks)
        save(window, "team_database_team.png")

        window.notice.hide()
        window.navigator.select("data")
        pause(server)
        window.refresh()
        wait_until(app, lambda: not window.database_watch.reachable, timeout=60)
        save(window, "team_database_unreachable.png")
        resume(server)
        wait_until(app, lambda: window.database_watch.reachable, timeout=120)
        window.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
