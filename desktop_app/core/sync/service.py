"""Sync with a shared folder: link, publish then pull, status and conflicts; reached as `project.sync`.

    report = project.sync.sync("/mnt/team/heart")    # links the first time; publishes, then applies
    project.sync.status()                            # folder, what waits to be sent, what waits to arrive
    project.sync.conflicts("heart-risk")             # settings two workstations changed at once
    Project.clone("/mnt/team/heart", "~/heart")      # a new workstation of the team's project

The rules are in docs/sync.md. Nothing here holds a lock on the shared folder: every file in
it is written once, and this workstation writes only into its own journal folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from desktop_app.core.progress import ProgressCallback, no_progress, scaled
from desktop_app.core.store import changes
from desktop_app.core.store.database import Database
from desktop_app.core.store.models import (
    AuditEventRow,
    ModelVersionRow,
    RegisteredModelRow,
    RunRow,
    SyncCursorRow,
    SyncStateRow,
    utcnow,
)
from desktop_app.core.store.objects import ObjectStore
from desktop_app.core.store.sqlite_file import head_revision
from desktop_app.core.sync.folder import SharedFolder, SyncError
from desktop_app.core.sync.publish import publish
from desktop_app.core.sync.pull import pull
from desktop_app.core.sync.report import SyncReport

_KINDS = {"alias": "alias", "status": "status", "gate": "KPI gate", "describe": "description",
          "drift": "drift settings"}


@dataclass(frozen=True)
class ConflictValue:
    value: Any                 # the version number an alias points at, a status, rules, …
    event_id: str
    user: str
    host: str
    at: datetime | None
    reason: str
    stamp: str
    before: Any                # what it replaced, as its workstation saw it
    gate_passed: bool | None   # alias conflicts: does that version pass the model's KPI gate

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "event_id": self.event_id, "user": self.user, "host": self.host,
                "at": self.at.isoformat() if self.at else None, "reason": self.reason, "stamp": self.stamp,
                "from": self.before, "gate_passed": self.gate_passed}


@dataclass(frozen=True)
class Conflict:
    """A setting two workstations changed without seeing each other; `winner` is shown everywhere until resolved."""

    kind: str
    model: str
    alias: str | None
    key: str
    values: tuple[ConflictValue, ...]
    winner: Any

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.model, "alias": self.alias,
                "values": [v.to_dict() for v in self.values], "winner": self.winner}

    def sentence(self) -> str:
        what = f"alias '{self.alias}'" if self.alias else self.kind
        choices = " and ".join(f"{v.value} ({v.user}@{v.host})" for v in self.values)
        return (f"{self.model}: the {what} was changed on two workstations at once ({choices}); {self.winner} is "
                f"used until someone chooses (mldesk models PROJECT {self.model} --resolve "
                f"{self.alias or 'ALIAS'}=N).")


@dataclass(frozen=True)
class SyncStatus:
    folder: str | None
    linked_at: datetime | None
    last_sync_at: datetime | None
    pending: int                                # own changes not published yet
    waiting: list[dict[str, Any]]               # from the last sync
    conflicts: list[Conflict]
    workstation: str
    last_report: dict[str, Any] | None = None   # the last sync's SyncReport.to_dict() (the window shows it)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "linked_at": self.linked_at.isoformat() if self.linked_at else None,
                "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
                "pending": self.pending, "waiting": self.waiting,
                "conflicts": [c.to_dict() for c in self.conflicts], "workstation": self.workstation}


class SyncService:
    def __init__(self, db: Database, objects: ObjectStore, project_id: str, project_name: str,
                 project_folder: Path) -> None:
        self._db = db
        self._objects = objects
        self._project_id = project_id
        self._project_name = project_name
        self._project_folder = project_folder

    # -- linking ------------------------------------------------------------------------------

    @property
    def in_team_database(self) -> bool:
        """A project in a team database is shared already: it is never linked to a shared folder too."""
        return not self._db.is_sqlite

    @property
    def folder(self) -> Path | None:
        if self.in_team_database:
            return None
        with self._db.read() as session:
            folder = session.get_one(SyncStateRow, "local").folder
        return Path(folder) if folder else None

    def link(self, folder: str | os.PathLike) -> SharedFolder:
        """Make `folder` this project's shared folder (checked: reachable, writable, this project's)."""
        self._refuse_in_team_database()
        path = Path(folder).expanduser().absolute()
        project = self._project_folder.absolute()
        if path == project or project in path.parents or path in project.parents:
            raise SyncError(f"{path} is the project folder or holds it; choose a folder of its own to share "
                            "the project through.")
        shared = SharedFolder(path)
        shared.link(self._project_id, self._project_name)
        with self._db.session() as session:
            state = session.get_one(SyncStateRow, "local")
            if state.folder != str(path):
                if state.folder is not None:
                    # Another folder (the share moved): publish everything of ours there, read theirs anew.
                    state.published_seq, state.published_batch, state.published_hash = 0, 0, "0" * 64
                    session.execute(delete(SyncCursorRow))
                state.folder, state.linked_at = str(path), utcnow()
        return shared

    def _refuse_in_team_database(self) -> None:
        if self.in_team_database:
            raise SyncError("This project lives in a team database, where every workstation sees the team's work "
                            "as it is saved; a shared folder is for projects kept in a local file — there is "
                            "nothing to sync.")

    def _shared(self, folder: str | os.PathLike | None) -> SharedFolder:
        self._refuse_in_team_database()
        if folder is not None:
            return self.link(folder)
        linked = self.folder
        if linked is None:
            raise SyncError("This project is not linked to a shared folder yet; give the folder once "
                            "(mldesk sync PROJECT FOLDER).")
        if not linked.is_dir():
            raise SyncError(f"The shared folder {linked} cannot be reached; connect the drive (or wait for the "
                            "sync client), then sync again — nothing was changed.")
        return self.link(linked)

    # -- syncing ------------------------------------------------------------------------------

    def sync(self, folder: str | os.PathLike | None = None, progress: ProgressCallback = no_progress) -> SyncReport:
        """Link (when `folder` is given), publish this workstation's changes, then apply the team's."""
        shared = self._shared(folder)
        progress(0.0, "Publishing this workstation's changes")
        sent = publish(self._db, self._objects, shared, self._project_id, head_revision(), scaled(progress, 0, 0.4))
        progress(0.4, "Receiving the team's changes")
        received = pull(self._db, self._objects, shared, self._project_id, scaled(progress, 0.4, 0.95))
        report = SyncReport(
            folder=str(shared.root), published=sent.records, applied=received.records,
            objects_sent=sent.objects_sent, objects_received=received.objects_received,
            waiting=[w.to_dict() for w in received.waiting],
            conflicts=[c.to_dict() for c in self.conflicts()],
            strays=[s.sentence() for s in shared.strays()], notes=list(received.notes))
        if sent.new_identity:
            report.notes.insert(0, "This project folder was a copy of another workstation's (the shared folder held "
                                   f"changes it did not make under its name); it is now workstation "
                                   f"{sent.new_identity[:8]}, and nothing was lost.")
        with self._db.session() as session:
            state = session.get_one(SyncStateRow, "local")
            state.last_sync_at, state.last_report = utcnow(), report.to_dict()
        progress(1.0, f"Synced: {report.published} sent, {report.applied} received")
        return report

    def status(self) -> SyncStatus:
        if self.in_team_database:
            return SyncStatus(None, None, None, 0, [], [], self._db.origin)
        with self._db.read() as session:
            state = session.get_one(SyncStateRow, "local")
            pending = session.scalar(select(func.count()).select_from(AuditEventRow).where(
                AuditEventRow.origin == self._db.origin, AuditEventRow.seq > state.published_seq)) or 0
            waiting = list((state.last_report or {}).get("waiting", []))
            return SyncStatus(state.folder, state.linked_at, state.last_sync_at, int(pending), waiting,
                              self.conflicts(), self._db.origin, state.last_report)

    # -- conflicts ----------------------------------------------------------------------------

    def conflicts(self, model: str | None = None) -> list[Conflict]:
        """Settings changed on two workstations at once (of one model, or all), with every value."""
        from desktop_app.core.registry.gate import check_gate, rules_from_json

        found = []
        with self._db.read() as session:
            for key in changes.conflicted_keys(session):
                kind, _, rest = key.partition(":")
                model_id, _, alias = rest.partition(":") if kind == "alias" else (rest, "", "")
                model_row = session.get(RegisteredModelRow, model_id)
                if model_row is None and kind in ("status", "describe"):
                    version = session.get(ModelVersionRow, model_id)
                    model_row = session.get(RegisteredModelRow, version.model_id) if version else None
                if model_row is None or (model is not None and model_row.name != model):
                    continue
                rules = rules_from_json(model_row.kpi_gate)
                values = []
                for head in changes.heads(session, key):
                    event = session.get(AuditEventRow, head.event_id)
                    value, before, passed = self._describe_value(session, kind, head.value, event, rules,
                                                                 check_gate)
                    values.append(ConflictValue(value, head.event_id, event.user if event else "?",
                                                event.host if event else "?", event.at if event else None,
                                                event.reason if event else "", head.stamp, before, passed))
                winner = values[-1].value                    # heads come oldest stamp first: the last wins
                found.append(Conflict(_KINDS[kind], model_row.name, alias or None, key, tuple(values), winner))
        return found

    @staticmethod
    def _describe_value(session, kind: str, value: dict[str, Any], event: Any, rules, check_gate
                        ) -> tuple[Any, Any, bool | None]:
        if kind != "alias":
            shown = value.get("status") or value.get("kpi_gate") or value.get("description") or value
            return shown, (event.before if event else None), None
        version = session.get(ModelVersionRow, value["version_id"]) if value.get("version_id") else None
        if version is None:
            return None, (event.before or {}).get("version") if event else None, None
        run = session.get(RunRow, version.run_id)
        passed = not check_gate(rules, run.metrics or {}) if rules and run is not None else None
        return version.number, (event.before or {}).get("version") if event else None, passed
