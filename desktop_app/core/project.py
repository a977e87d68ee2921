"""A project: a folder with a database and content-addressed objects.

    MyProject/
      mldesk.db     SQLite (WAL) — or team-database.json naming a PostgreSQL team database
                    and the team's objects folder (`store.team_file`)
      objects/      immutable blobs named by SHA-256
      exports/      bundles exported by the user
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from desktop_app.core.errors import ProjectError
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.store import audit
from desktop_app.core.store.database import Database
from desktop_app.core.store.models import AuditEventRow, ProjectRow, SyncStateRow, WorkstationRow, new_id
from desktop_app.core.store.objects import ObjectStore
from desktop_app.core.store.server import where
from desktop_app.core.store.sqlite_file import DB_FILE
from desktop_app.core.store.team_file import DATABASE_URL_ENV, TEAM_FILE, TeamDatabase, checked_url


def _refuse_a_shared_location(folder: Path) -> None:
    """A project's SQLite file may not live on a network drive or in a cloud-synced folder (`store.location`)."""
    from desktop_app.core.store.location import database_risk

    risk = database_risk(folder)
    if risk is not None:
        raise ProjectError(risk)


def _team_objects(session, objects: str | os.PathLike | None, url: str) -> Path:
    """The team's objects folder as this workstation reaches it: `objects`, else where the project's creator
    put it — which must exist here (a folder made here would hide the team's files)."""
    if objects is not None:
        shared = Path(objects).expanduser().resolve()
    else:
        # where the team's objects went: named when the project was created there, or pushed there
        recorded = session.scalars(select(AuditEventRow.after).where(
            AuditEventRow.action.in_(("project.create", "project.push_to_db")),
            AuditEventRow.after.is_not(None)).order_by(AuditEventRow.at.desc())).first() or {}
        if not recorded.get("objects"):
            raise ProjectError(f"The team database at {where(url)} does not say where the team keeps its objects; "
                               "give the folder: --objects DIR.")
        shared = Path(recorded["objects"])
    if not shared.is_dir():
        raise ProjectError(f"The team's objects folder {shared} cannot be reached from this workstation; connect "
                           "the drive, or give the folder as this workstation sees it: --objects DIR.")
    return shared


def _sqlite_url(folder: Path) -> str:
    return f"sqlite:///{(folder / DB_FILE).resolve()}"


class Project:
    """An open project. Use `Project.create` or `Project.open`; call `close()` when done."""

    def __init__(self, path: Path, db: Database, *, recover: bool = False, objects: Path | None = None,
                 workstation: str | None = None) -> None:
        """`objects` and `workstation` come from a team database's settings file (`store.team_file`)."""
        self.path = path
        self.db = db
        # True when `create` attached this folder to a project a team database already held.
        self.joined = False
        self.objects = ObjectStore(objects or path / "objects")
        try:
            (path / "exports").mkdir(exist_ok=True)
        except FileExistsError:
            raise ProjectError(f"{path / 'exports'} should be the project's folder of exported bundles but it is "
                               "a file; move that file away and open the project again.") from None
        with db.read() as session:
            row = session.scalars(select(ProjectRow)).first()
            if row is None:
                raise ProjectError(f"The database of {path} holds no project record; it is not an MLDesk project.")
            self.id, self.name, self.created_at = row.id, row.name, row.created_at
            # This folder's workstation: the origin of every event it writes (others are the team's).
            if workstation is None:
                workstation = session.scalars(select(WorkstationRow.id).where(WorkstationRow.is_local)).one()
            db.origin = workstation
            db.project_id = self.id

        # The services, each handed what it uses, in dependency order:
        # data ← quality, runs ← registry ← scoring ← monitor, bundles ← sync, explain ← pipelines.
        from desktop_app.core.bundles.service import BundleService
        from desktop_app.core.data.service import DatasetService
        from desktop_app.core.monitor.service import MonitorService
        from desktop_app.core.quality.service import QualityService
        from desktop_app.core.registry.service import RegistryService
        from desktop_app.core.scoring.service import ScoringService
        from desktop_app.core.sync.service import SyncService
        from desktop_app.core.tracking.service import RunService

        self.datasets = DatasetService(db, self.objects)
        self.quality = QualityService(db, self.datasets)
        self.runs = RunService(db, self.objects, self.datasets)
        self.registry = RegistryService(db, self.objects, self.runs)
        self.scoring = ScoringService(self.datasets, self.runs, self.registry)
        self.monitor = MonitorService(db, self.objects, self.datasets, self.runs, self.registry, self.scoring)
        self.bundles = BundleService(db, self.objects, self.datasets, self.runs, self.registry, self.scoring,
                                     path / "exports")
        self.sync = SyncService(db, self.objects, self.id, self.name, path)
        from desktop_app.core.explain.service import ExplainService

        self.explain = ExplainService(self.runs, self.registry, self.scoring, self.monitor)
        from desktop_app.core.dossier.service import DossierService

        self.dossier = DossierService(self.runs, self.registry, self.quality, self.datasets, self.explain, self.monitor,
                                      self.bundles, self.verify_audit)
        from desktop_app.core.pipelines.service import PipelineService

        self.pipelines = PipelineService(self)   # last: its steps call every service above
        # What was cleared after processes that stopped mid-work (one sentence each; see core.recovery).
        self.recovered: tuple[str, ...] = ()
        if recover:
            from desktop_app.core.recovery import recover as clear_leftovers

            self.recovered = (clear_leftovers(self.runs, self.objects, self.bundles.default_folder)
                              + self.pipelines.interrupt_orphaned())

    @staticmethod
    def holds_project(path: str | os.PathLike) -> bool:
        """Whether the folder at `path` is a project's: its database file, or its team database's settings."""
        folder = Path(path).expanduser()
        return (folder / DB_FILE).is_file() or (folder / TEAM_FILE).is_file()

    @classmethod
    def create(cls, path: str | os.PathLike, name: str | None = None, database_url: str | None = None, *,
               project_id: str | None = None, team_database: str | None = None,
               objects: str | os.PathLike | None = None, upgrade: bool = False) -> Project:
        """A new project folder; with `project_id`, a new workstation of an existing project (`sync.clone`).

        With a PostgreSQL `team_database` (or `database_url`) the records live in that team database and the
        folder holds only its settings file: an empty database gets the schema and the project, one that
        holds a project gets this folder attached to it as a new workstation (`objects`: the team's objects
        folder; `upgrade`: an older schema may be upgraded).
        """
        folder = Path(path).expanduser()
        if cls.holds_project(folder):
            raise ProjectError(f"{folder} already holds an MLDesk project; open it instead.")
        if folder.exists() and not folder.is_dir():
            raise ProjectError(f"{folder} is a file; choose a folder for the new project.")
        url = team_database or database_url or os.environ.get(DATABASE_URL_ENV)
        team = team_database is not None or (url is not None and not url.startswith("sqlite"))
        if url is None:
            _refuse_a_shared_location(folder)
        elif team:
            url = checked_url(url)
        made = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectError(f"Cannot create the project folder {folder}: {exc.strerror}.") from exc
        if team:
            try:
                return cls._create_in_team_database(folder, name, str(url), objects, upgrade)
            except BaseException:
                if made and not any(folder.iterdir()):  # the server said no: leave no empty folder behind
                    folder.rmdir()
                raise
        db = Database(url or _sqlite_url(folder), create=True)
        name = (name or folder.name).strip() or "Untitled project"
        with db.session() as session:
            if session.scalars(select(ProjectRow)).first() is not None:
                db.close()
                raise ProjectError("That database already holds an MLDesk project; open it instead.")
            # This folder's workstation (the origin of its audit chain) and its sync state.
            workstation = session.scalars(select(WorkstationRow).where(WorkstationRow.is_local)).first()
            if workstation is None:
                workstation = WorkstationRow(host=current_host(), is_local=True)
                session.add(workstation)
                session.flush()
            if session.get(SyncStateRow, "local") is None:
                session.add(SyncStateRow(id="local"))
            db.origin = session.info["origin"] = workstation.id
            row = ProjectRow(id=project_id or new_id(), name=name, created_by=current_user(), host=current_host())
            session.add(row)
            session.flush()
            audit.record(session, "project.join" if project_id else "project.create", "project", row.id,
                         after={"name": name})
        return cls._opened(folder, db, recover=False)

    @classmethod
    def _create_in_team_database(cls, folder: Path, name: str | None, url: str, objects: str | os.PathLike | None,
                                 upgrade: bool) -> Project:
        """Create the project in an empty team database, or attach `folder` to the project it holds."""
        db = Database(url, create=True, allow_upgrade=upgrade)
        try:
            with db.session() as session:
                workstation = WorkstationRow(host=current_host(), is_local=False)
                session.add(workstation)
                session.flush()
                db.origin = session.info["origin"] = workstation.id
                existing = session.scalars(select(ProjectRow)).first()
                if existing is None:
                    shared = Path(objects or folder / "objects").expanduser().resolve()
                    label = (name or folder.name).strip() or "Untitled project"
                    row = ProjectRow(id=new_id(), name=label, created_by=current_user(), host=current_host())
                    session.add(row)
                    session.flush()
                    audit.record(session, "project.create", "project", row.id,
                                 after={"name": label, "database": where(url), "objects": str(shared)})
                else:
                    row = existing
                    shared = _team_objects(session, objects, url)
                    audit.record(session, "project.attach", "project", row.id,
                                 after={"workstation": workstation.id, "folder": str(folder.resolve()),
                                        "objects": str(shared)})
                project_id = row.id
            TeamDatabase(url, shared, project_id, workstation.id).write(folder)
        except BaseException:
            db.close()
            raise
        project = cls._opened(folder, db, recover=False, objects=shared, workstation=workstation.id)
        project.joined = existing is not None
        return project

    @classmethod
    def clone(cls, folder: str | os.PathLike, path: str | os.PathLike,
              progress: ProgressCallback = no_progress) -> Project:
        """A new local project folder at `path`, joined to the team's shared `folder`, with all it holds."""
        from desktop_app.core.sync.folder import SharedFolder, SyncError

        shared = SharedFolder(folder)
        document = shared.read_format()
        if document is None:
            raise SyncError(f"{shared.root} is not an MLDesk shared folder (it has no FORMAT file); give the "
                            "team's shared folder.")
        target = Path(path).expanduser()
        if (target / DB_FILE).exists():
            raise SyncError(f"{target} already holds a project; choose a new folder for the clone.")
        project = cls.create(target, name=str(document.get("name") or target.name), project_id=document["project"])
        try:
            project.sync.sync(shared.root, progress)
        except BaseException:
            project.close()
            raise
        return project

    @classmethod
    def open(cls, path: str | os.PathLike, database_url: str | None = None, *, recover: bool = True,
             upgrade: bool = False) -> Project:
        """Open an existing project; with `recover`, first clear what stopped processes left (`recovered`).

        A project in a team database is opened through its folder's settings file; its schema is
        upgraded only with `upgrade` (every workstation of the team upgrades together). A local file
        is upgraded as it opens.
        """
        folder = Path(path).expanduser()
        if folder.is_file():  # e.g. the data file given where the project belongs
            raise ProjectError(f"{folder} is a file, not a project folder; choose the folder that holds {DB_FILE}.")
        if not folder.is_dir():
            raise ProjectError(f"There is no folder {folder}; choose an existing project folder.")
        team = TeamDatabase.read(folder)
        if team is not None:
            project = cls._opened(folder, Database(team.url, create=False, allow_upgrade=upgrade),
                                  recover=recover, objects=team.objects, workstation=team.workstation)
            if project.id != team.project:
                project.close()
                raise ProjectError(f"The team database at {where(team.url)} holds another project than the one "
                                   f"{folder} was attached to; check the URL in {folder / TEAM_FILE}.")
            return project
        url = database_url or os.environ.get(DATABASE_URL_ENV)
        if url is None:
            if not (folder / DB_FILE).exists():
                raise ProjectError(
                    f"{folder} is not an MLDesk project (it has no {DB_FILE}); "
                    "choose a project folder or create a new one."
                )
            _refuse_a_shared_location(folder)
            url = _sqlite_url(folder)
        return cls._opened(folder, Database(url, create=False), recover=recover)

    @property
    def team_database(self) -> str | None:
        """host:port/database when the project lives in a team database; None for a local file."""
        return None if self.db.is_sqlite else self.db.where

    @classmethod
    def _opened(cls, folder: Path, db: Database, *, recover: bool, objects: Path | None = None,
                workstation: str | None = None) -> Project:
        try:
            return cls(folder, db, recover=recover, objects=objects, workstation=workstation)
        except BaseException:
            db.close()
            raise

    def audit_events(self, entity_id: str | None = None, limit: int = 1000) -> list[audit.AuditEvent]:
        with self.db.read() as session:
            return audit.list_events(session, entity_id, limit)

    @property
    def workstation_id(self) -> str:
        """This project folder's workstation (it changes when a copied folder takes a new one, sync)."""
        return self.db.origin

    def verify_audit(self) -> audit.ChainReport:
        """Whether the audit trail is as it was written, and where it breaks if not."""
        with self.db.read() as session:
            return audit.verify(session)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({self.name!r} at {self.path})"
