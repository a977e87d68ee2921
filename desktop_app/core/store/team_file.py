"""The settings file that takes `mldesk.db`'s place when the project lives in a team database.

    MyProject/
      team-database.json   {"format": 1, "database": "postgresql+psycopg://ana@db.lab:5432/heart",
                            "objects": "/mnt/team/heart-objects", "project": "…", "workstation": "…"}
      exports/             this workstation's bundles

It names the database (never with a password: PostgreSQL's password file or the PGPASSWORD
environment variable hold that, so nothing secret is in the project folder, a backup of it or a
log), the content-addressed objects folder every workstation reaches, the project, and this
folder's workstation: the origin of its audit chain in the shared database, where `is_local`
cannot say which of the team's workstations is this one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.errors import ProjectError

TEAM_FILE = "team-database.json"
# A team with a database server sets this (or passes database_url) to use it instead of SQLite.
DATABASE_URL_ENV = "MLDESK_DATABASE_URL"
FORMAT = 1


def checked_url(url: str) -> str:
    """`url` if it may be kept in the project folder: a server database, and no password in it."""
    from sqlalchemy.engine import make_url  # here: reading the settings file must not import SQLAlchemy
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise ProjectError(f"'{url}' is not a database URL; write it as "
                           "postgresql+psycopg://USER@HOST:PORT/DATABASE.") from None
    if parsed.get_backend_name() != "postgresql":
        raise ProjectError(f"A team database is a PostgreSQL server; '{parsed.get_backend_name()}' is not "
                           "one — write the URL as postgresql+psycopg://USER@HOST:PORT/DATABASE.")
    if parsed.password:
        raise ProjectError("The database URL holds a password, which MLDesk never writes into a project folder; "
                           "remove it from the URL and put it in your PostgreSQL password file (~/.pgpass, "
                           "or the file PGPASSFILE names) or the PGPASSWORD environment variable.")
    if parsed.drivername == "postgresql":  # the driver MLDesk installs (mldesk[team]), named explicitly
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class TeamDatabase:
    """Where a workstation's project lives: the server database and the shared objects folder."""

    url: str
    objects: Path
    project: str
    workstation: str

    def write(self, folder: Path) -> None:
        """Write the file whole or not at all (a temporary file renamed into place)."""
        document = {"format": FORMAT, "database": self.url, "objects": str(self.objects),
                    "project": self.project, "workstation": self.workstation}
        staging = folder / f".{TEAM_FILE}.tmp"
        with open(staging, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, folder / TEAM_FILE)

    @classmethod
    def read(cls, folder: Path) -> TeamDatabase | None:
        """The folder's team-database settings; None when it has none (a project in a local file)."""
        path = folder / TEAM_FILE
        if not path.is_file():
            return None
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") != FORMAT:
                raise ProjectError(f"{path} was written by a newer version of MLDesk (format "
                                   f"{document.get('format')}); update MLDesk to open this project.")
            return cls(url=checked_url(str(document["database"])), objects=Path(document["objects"]),
                       project=str(document["project"]), workstation=str(document["workstation"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProjectError(f"{path} cannot be read ({exc.__class__.__name__}: {exc}); it names the project's "
                               "team database — restore it from a backup, or attach this folder again with "
                               "`mldesk init FOLDER --db URL`.") from None
