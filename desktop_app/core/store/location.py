"""Never a live database on a share: is this folder on a network file system or in a cloud-synced folder?

SQLite's documentation says WAL does not work over a network file system and that locking
there is unreliable; people report corrupt databases kept in Dropbox or OneDrive folders
(their clients copy the file while it is written and make "conflicted copies"). A project's
`mldesk.db` therefore lives on a local disk; teams share a *shared folder* of write-once files
instead (`core.sync`). `database_risk(folder)` says, in one sentence, why a folder is unsafe,
or None:

- network file systems, by the mount table (Linux `/proc/self/mountinfo`, macOS `mount`),
  by UNC path or drive type (Windows);
- folders that a sync client copies, by the marker it keeps at the root of what it syncs
  (`.dropbox`, `.stfolder`, `.owncloudsync.log`, …) or the place it syncs (OneDrive's
  environment variables, `~/Library/CloudStorage`, iCloud Drive).

A wrong answer is possible (an unusual mount, a folder named like a sync client's), so
`MLDESK_ALLOW_SHARED_DATABASE=1` lets a user who knows better open the project anyway.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ALLOW_ENV = "MLDESK_ALLOW_SHARED_DATABASE"

NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afpfs", "webdav", "davfs", "fuse.davfs2", "9p",
    "afs", "ceph", "fuse.ceph", "glusterfs", "fuse.glusterfs", "lustre", "gpfs", "ncpfs", "sshfs", "fuse.sshfs",
    "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.blobfuse", "fuse.juicefs", "beegfs", "orangefs",
})
# (file or folder a sync client keeps at the root of what it syncs, the client's name)
SYNC_MARKERS = (
    (".dropbox", "Dropbox"), (".dropbox.cache", "Dropbox"), (".stfolder", "Syncthing"),
    (".owncloudsync.log", "ownCloud/Nextcloud"), (".sync_journal.db", "Nextcloud"), (".sync/ID", "Resilio Sync"),
    (".tresorit", "Tresorit"), ("seafile-ignore.txt", "Seafile"),
)


def database_risk(folder: str | os.PathLike) -> str | None:
    """Why a live database in `folder` is unsafe (one sentence), or None when it looks local."""
    if os.environ.get(ALLOW_ENV) == "1":
        return None
    path = _existing(Path(folder).expanduser().absolute())
    fs = network_file_system(path)
    if fs is not None:
        return (f"{folder} is on a network drive ({fs}); SQLite databases get damaged there (its locking is "
                "unreliable over a network), so MLDesk keeps each project's database on a local disk — create "
                "the project in a local folder and share it with the team through a shared folder "
                "(`mldesk sync PROJECT FOLDER`).")
    client = sync_client(path)
    if client is not None:
        return (f"{folder} is inside a folder that {client} copies between computers; a database copied while it "
                "is written gets damaged or split into conflicted copies, so MLDesk keeps each project's database "
                "outside such folders — create the project in a local folder and point `mldesk sync` at a folder "
                f"inside {client} instead (it holds only files written once).")
    return None


def network_file_system(path: Path) -> str | None:
    """The network file system type `path` lies on, or None."""
    if sys.platform == "win32":
        return _windows_network(path)
    mounts = _linux_mounts() if sys.platform.startswith("linux") else _mount_command()
    best, fstype = "", ""
    text = str(path)
    for point, kind in mounts:
        if (text == point or text.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, fstype = point, kind
    return fstype if fstype.lower() in NETWORK_FILE_SYSTEMS else None


def sync_client(path: Path) -> str | None:
    """The sync client that copies `path` (a marker in it or an ancestor, or its known place), or None."""
    for folder in (path, *path.parents):
        for marker, client in SYNC_MARKERS:
            if (folder / marker).exists():
                return client
    home = Path.home()
    places = [(Path(os.environ[v]), "OneDrive") for v in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
              if os.environ.get(v)]
    places += [(home / "Library" / "CloudStorage", "a cloud storage client"),
               (home / "Library" / "Mobile Documents", "iCloud Drive")]
    for place, client in places:
        if path == place or place in path.parents:
            return client
    return None


def parse_mountinfo(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) from Linux's /proc/self/mountinfo."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if sep and len(fields) >= 5 and rest:
            mounts.append((_unescape(fields[4]), rest[0]))
    return mounts


def parse_mount_output(text: str) -> list[tuple[str, str]]:
    """(mount point, file system type) from macOS/BSD `mount`: `dev on /point (type, flags…)`."""
    mounts = []
    for line in text.splitlines():
        if " on " in line and " (" in line:
            point = line.split(" on ", 1)[1].rsplit(" (", 1)[0]
            kind = line.rsplit(" (", 1)[1].split(",")[0].rstrip(")")
            mounts.append((point, kind.strip()))
    return mounts


def _linux_mounts() -> list[tuple[str, str]]:
    try:
        return parse_mountinfo(Path("/proc/self/mountinfo").read_text())
    except OSError:
        return []


def _mount_command() -> list[tuple[str, str]]:
    try:
        return parse_mount_output(subprocess.run(["mount"], capture_output=True, text=True, timeout=5).stdout)
    except (OSError, subprocess.SubprocessError):
        return []


def _windows_network(path: Path) -> str | None:
    text = str(path)
    if text.startswith("\\\\"):
        return "a network share"
    import ctypes

    drive_remote = 4
    root = path.drive + "\\"
    if ctypes.windll.kernel32.GetDriveTypeW(root) == drive_remote:  # type: ignore[attr-defined]
        return "a network drive"
    return None


def _existing(path: Path) -> Path:
    """The nearest existing folder of `path` (a new project's folder may not exist yet), links resolved."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path.resolve()


def _unescape(text: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (\\040 …)."""
    return text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")
