"""The shared folder: write-once files only, no lock files, no live database.

    Shared/MyProject/
      FORMAT                                  format version and project, written once
      objects/ab/<sha256>                     content-addressed blobs, verified both ways
      journal/<workstation-id>/<seq>.jsonl    one batch of change records per file (sync.batch)

Every file is written under a hidden temporary name in its own folder, flushed to disk, and
renamed when complete, so a reader (or a sync client copying the folder) never takes a
half-written file for a finished one; a name that exists is never written again. Readers
report what is not theirs to touch — temporaries of writers or sync clients, conflict copies
(`.sync-conflict-`, "conflicted copy", `-HOSTNAME` suffixes), names that differ only in case —
and never apply or delete them. Nothing here depends on file times.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import IntegrityError, MLDeskError
from desktop_app.core.owners import temp_name
from desktop_app.core.store.objects import sha256_file as _sha256_file
from desktop_app.core.sync.batch import seq_of

FORMAT = 1
FORMAT_FILE = "FORMAT"
TEMP_PREFIX = ".mldesk-tmp-"

# Names that sync clients give the copies they could not merge, or files they are still receiving.
_CONFLICT = re.compile(r"\.sync-conflict-|conflicted copy|\(conflict|\bconflict\b|-[A-Za-z][A-Za-z0-9-]*\.jsonl$|"
                       r"\(\d+\)\.jsonl$| \d+\.jsonl$", re.IGNORECASE)
_IN_TRANSIT = re.compile(r"^\.|^~|\.part$|\.partial$|\.tmp$|\.download$|\.crdownload$|\.!sync$", re.IGNORECASE)


class SyncError(MLDeskError):
    """The shared folder cannot be used as it is (missing, unwritable, another project's, newer)."""


@dataclass(frozen=True)
class Stray:
    """A file in the shared folder that is not (yet) a batch or an object: reported, never touched."""

    path: Path
    kind: str        # "in transit", "conflict copy", "case variant", "unknown"

    def sentence(self) -> str:
        hints = {"in transit": "a file still being written or copied; it is left for its writer",
                 "conflict copy": "a copy a sync client made when two versions met; MLDesk does not apply it — "
                                  "delete it once the original is complete",
                 "case variant": "its name differs from another's only in upper/lower case; rename or remove one",
                 "unknown": "not a file MLDesk writes; it is left alone"}
        return f"{self.path.name}: {hints[self.kind]}."


class SharedFolder:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).expanduser()
        self.objects = self.root / "objects"
        self.journal = self.root / "journal"

    # -- the FORMAT file ---------------------------------------------------------------------

    def read_format(self) -> dict[str, Any] | None:
        """The folder's FORMAT (None for a folder not yet linked); refuses a newer format."""
        path = self.root / FORMAT_FILE
        if not path.exists():
            return None
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise SyncError(f"{path} is not readable as an MLDesk shared folder's FORMAT file ({exc}); point the "
                            "project at the team's shared folder, or an empty folder.") from None
        if not isinstance(document, dict) or not isinstance(document.get("format"), int):
            raise SyncError(f"{path} is not an MLDesk FORMAT file; point the project at the team's shared folder, "
                            "or an empty folder.")
        if document["format"] > FORMAT:
            raise SyncError(f"The shared folder {self.root} was written by a newer MLDesk (format "
                            f"{document['format']}, this one knows {FORMAT}); upgrade MLDesk to sync with it.")
        return document

    def link(self, project_id: str, project_name: str) -> dict[str, Any]:
        """Make this folder the project's shared folder (FORMAT written once), or check that it is."""
        if self.root.exists() and not self.root.is_dir():
            raise SyncError(f"{self.root} is a file; choose a folder to share the project through.")
        if not self.root.exists() and not self.root.parent.is_dir():
            # Not made here: a drive that is not connected must not turn into a local folder.
            raise SyncError(f"There is no folder {self.root.parent}; connect the drive (or create the folder), then "
                            "sync again.")
        document = self.read_format()
        if document is None:
            if self.root.is_dir() and any(p for p in self.root.iterdir() if not p.name.startswith(".")):
                raise SyncError(f"{self.root} already holds other files; choose an empty folder (or the team's "
                                "existing shared folder) so MLDesk's files are not mixed with others.")
            document = {"format": FORMAT, "project": project_id, "name": project_name}
            self.write_once(self.root / FORMAT_FILE, json.dumps(document, indent=2).encode("utf-8") + b"\n")
            document = self.read_format() or document
        if document.get("project") != project_id:
            raise SyncError(f"The shared folder {self.root} belongs to another project ('{document.get('name')}'); "
                            "choose this project's shared folder, or clone that project with `mldesk clone`.")
        return document

    # -- writing -----------------------------------------------------------------------------

    def write_once(self, target: Path, data: bytes) -> bool:
        """Publish `data` as `target`: temporary name, flushed, renamed. False when it was there already.

        An existing target with other content is an error: a write-once name is never reused.
        """
        if target.exists():
            if _sha256_file(target) != hashlib.sha256(data).hexdigest():
                raise IntegrityError(f"{target} already exists with other content; a shared file is written once — "
                                     "leave it as it is and run `mldesk sync` again.")
            return False
        self._ensure_folder(target.parent)
        temporary = target.parent / temp_name(TEMP_PREFIX)
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise SyncError(f"Cannot write {target.name} into the shared folder {self.root}: "
                            f"{exc.strerror or exc}; check that the folder is reachable and writable.") from None
        return True

    def publish_object(self, source: Path, sha256: str) -> bool:
        """Copy a local object into the shared objects/ and check the copy against its hash; False if present."""
        target = self.object_path(sha256)
        if target.exists():
            if _sha256_file(target) == sha256:
                return False
            raise IntegrityError(f"The shared folder's copy of {sha256[:12]}… ({target}) is damaged; remove it and "
                                 "sync again so a good copy is published.")
        self._ensure_folder(target.parent)
        temporary = target.parent / temp_name(TEMP_PREFIX)
        try:
            shutil.copyfile(source, temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            if _sha256_file(temporary) != sha256:
                raise IntegrityError(f"The copy of {sha256[:12]}… into the shared folder came out different; "
                                     "check the drive and sync again.")
            os.replace(temporary, target)
        except OSError as exc:
            raise SyncError(f"Cannot copy a file into the shared folder {self.root}: {exc.strerror or exc}; check "
                            "that it is reachable, writable and has room.") from None
        finally:
            temporary.unlink(missing_ok=True)
        return True

    def object_path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256[2:]

    def object_state(self, sha256: str) -> str:
        """"ok", "missing" (not delivered yet) or "damaged" (its bytes do not match its name)."""
        path = self.object_path(sha256)
        if not path.is_file():
            return "missing"
        return "ok" if _sha256_file(path) == sha256 else "damaged"

    # -- reading the journal -----------------------------------------------------------------

    def workstations(self) -> list[str]:
        if not self.journal.is_dir():
            return []
        return sorted(p.name for p in self.journal.iterdir() if p.is_dir() and not _IN_TRANSIT.search(p.name))

    def batches(self, workstation: str) -> dict[int, Path]:
        """Sequence number → file, for the finished names in a workstation's journal folder."""
        folder = self.journal / workstation
        found: dict[int, Path] = {}
        for path in _entries(folder):
            seq = seq_of(path.name)
            if seq is not None:
                found[seq] = path
        return found

    def strays(self) -> list[Stray]:
        """Everything in the journal and objects folders that is not a finished batch or object."""
        strays: list[Stray] = []
        for folder in [self.journal / w for w in self.workstations()] + [self.journal]:
            names = _entries(folder)
            lowered = [p.name.lower() for p in names]
            for path in names:
                if folder == self.journal and path.is_dir():
                    if _IN_TRANSIT.search(path.name):
                        strays.append(Stray(path, "in transit"))
                    continue
                kind = _stray_kind(path.name)
                if kind == "unknown" and lowered.count(path.name.lower()) > 1:
                    kind = "case variant"
                if kind is not None:
                    strays.append(Stray(path, kind))
        for path in self._object_files():
            if _IN_TRANSIT.search(path.name):
                strays.append(Stray(path, "in transit"))
            elif _CONFLICT.search(path.name) or len(path.parent.name + path.name) != 64:
                strays.append(Stray(path, "conflict copy" if _CONFLICT.search(path.name) else "unknown"))
        return strays

    def _object_files(self) -> Iterator[Path]:
        for prefix in _entries(self.objects):
            if prefix.is_dir():
                yield from _entries(prefix)

    def _ensure_folder(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SyncError(f"Cannot create {folder} in the shared folder: {exc.strerror or exc}; check that the "
                            "folder is reachable and writable.") from None


def _stray_kind(name: str) -> str | None:
    if _IN_TRANSIT.search(name):
        return "in transit"
    if seq_of(name) is not None:
        return None
    if _CONFLICT.search(name):
        return "conflict copy"
    return "unknown"


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise SyncError(f"Cannot read {folder}: {exc.strerror or exc}; check that the shared folder is "
                        "reachable.") from None

