"""Content-addressed blobs: `objects/ab/cdef…` named by the SHA-256 of their bytes.

Objects are immutable. A new object is written under `objects/tmp/` and renamed into
place only when complete, so a crash never leaves a half-written object under a
real name. Every read is checked against the name; a mismatch raises. A staging file
is named after the process writing it (`owners.temp_name`), so the one a crash left
behind can be told from one another process is still writing (`stale_staging_files`).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.core.errors import IntegrityError, NotFoundError, ProjectError
from desktop_app.core.owners import owner_of_temp, temp_name

CHUNK = 1 << 20
STAGING_PREFIX = "stage-"
# A staging file without an owner in its name was made by an earlier MLDesk (mkstemp's
# "tmp…"); one that old is a crash's leftover, whoever made it.
UNOWNED_STALE_SECONDS = 3600


def sha256_bytes(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _unusable(root: Path, exc: OSError) -> ProjectError:
    why = "it is a file, not a folder" if root.is_file() else (exc.strerror or str(exc)).lower()
    return ProjectError(
        f"The project's objects folder {root} cannot be used ({why}); restore it from a backup "
        "or sync with the shared folder."
    )


class ObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # `objects` is a file, or the folder is read-only: say so, not a traceback
            raise _unusable(root, exc) from exc

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    @contextmanager
    def staging_file(self, suffix: str = "") -> Iterator[Path]:
        """A temporary path inside the store (same disk, so adopting it is a rename).

        The file is removed on exit unless `adopt` took it.
        """
        path = self.tmp / (temp_name(STAGING_PREFIX) + suffix)
        try:
            path.touch(exist_ok=False)
        except OSError as exc:  # the folder went away or became a file since the project was opened
            raise _unusable(self.root, exc) from exc
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def adopt(self, staged: Path, sha256: str | None = None) -> str:
        """Move a finished staging file into the store under its hash."""
        sha256 = sha256 or sha256_file(staged)
        target = self.path(sha256)
        if target.exists():
            staged.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            os.replace(staged, target)
            os.chmod(target, 0o444)
        return sha256

    def put_bytes(self, data: bytes) -> str:
        with self.staging_file() as staged:
            staged.write_bytes(data)
            return self.adopt(staged, sha256_bytes(data))

    def adopt_copy(self, source: Path, sha256: str, *, durable: bool = False) -> None:
        """Copy a file from elsewhere (a shared folder) into the store, refusing it unless it matches `sha256`.

        The copy is hashed as it is written (one read of the source, as a plain copy makes); `durable`
        flushes it to disk before it takes its name (a move that commits records referring to it next).
        """
        if self.exists(sha256):
            return
        with self.staging_file() as staged:
            digest = hashlib.sha256()
            with open(source, "rb") as reader, open(staged, "wb") as writer:
                while block := reader.read(CHUNK):
                    digest.update(block)
                    writer.write(block)
                if durable:
                    writer.flush()
                    os.fsync(writer.fileno())
            if digest.hexdigest() != sha256:
                raise IntegrityError(f"The copy of {source} does not match its name (it is damaged or still being "
                                     "written); it was not stored.")
            self.adopt(staged, sha256)

    def stale_staging_files(self) -> list[Path]:
        """Staging files whose writer is gone: a dead process of this host, or an old unowned name."""
        stale = []
        for path in self.tmp.iterdir() if self.tmp.is_dir() else ():
            owner = owner_of_temp(path.name, STAGING_PREFIX)
            if owner is not None:
                if owner.alive() is False:
                    stale.append(path)
            elif path.name.startswith("tmp"):
                try:
                    if time.time() - path.stat().st_mtime > UNOWNED_STALE_SECONDS:
                        stale.append(path)
                except FileNotFoundError:  # its writer finished meanwhile
                    pass
        return sorted(stale)

    def read_bytes(self, sha256: str) -> bytes:
        """The object's bytes, verified against its name."""
        data = self._read(sha256)
        self._verify(sha256, sha256_bytes(data))
        return data

    def read_bytes_checked_in_background(self, sha256: str) -> tuple[bytes, threading.Thread, list[str]]:
        """Read once and start hashing in a thread (hashlib releases the GIL), so the
        caller can parse while the hash runs; call `finish_check` before using the result."""
        data = self._read(sha256)
        result: list[str] = []
        thread = threading.Thread(target=lambda: result.append(sha256_bytes(data)), daemon=True)
        thread.start()
        return data, thread, result

    def finish_check(self, sha256: str, thread: threading.Thread, result: list[str]) -> None:
        thread.join()
        self._verify(sha256, result[0])

    def verify(self, sha256: str) -> None:
        self._verify(sha256, sha256_file(self._existing(sha256)))

    def _existing(self, sha256: str) -> Path:
        path = self.path(sha256)
        if not path.exists():
            raise NotFoundError(
                f"The stored file {path} is missing; restore the project's objects folder "
                "from a backup or sync with the shared folder."
            )
        return path

    def _read(self, sha256: str) -> bytes:
        return self._existing(sha256).read_bytes()

    def _verify(self, sha256: str, actual: str) -> None:
        if actual != sha256:
            raise IntegrityError(
                f"The stored file {self.path(sha256)} is damaged (its content no longer matches "
                "its hash); restore it from a backup or sync with the shared folder."
            )
