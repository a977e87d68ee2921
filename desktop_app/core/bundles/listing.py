"""What an exported bundle on disk holds: its files with their sizes, and its model card.

The Export step shows a bundle after an export and when the user comes back to a version
(its last export, found in the audit trail by `BundleService.last_export`); a bundle is a
folder or a zip holding that folder, and both list the same way: paths inside the bundle,
sorted as SHA256SUMS lists them. Reading only: nothing here writes or verifies.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.audit_entities import AuditEvent

CARD = "MODEL_CARD.md"


@dataclass(frozen=True)
class BundleListing:
    """What is in a bundle on disk: (path inside the bundle, size in bytes) and its model card."""

    path: Path
    zipped: bool
    files: tuple[tuple[str, int], ...]
    card: str = ""

    @property
    def size(self) -> int:
        return sum(size for _name, size in self.files)


@dataclass(frozen=True)
class LastExport:
    """The newest export audit event of a version (or run), and its bundle if it is still there."""

    event: AuditEvent
    listing: BundleListing | None = None


def list_bundle(path: str | Path) -> BundleListing:
    """The files of a bundle folder or zip, sorted as SHA256SUMS lists them, with the model card's text."""
    path = Path(path)
    if path.is_file():
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            files = sorted((i.filename.split("/", 1)[-1], i.file_size) for i in infos)
            card_name = next((i.filename for i in infos if i.filename.split("/", 1)[-1] == CARD), None)
            card = archive.read(card_name).decode("utf-8", "replace") if card_name else ""
        return BundleListing(path, True, tuple(files), card)
    files = sorted((p.relative_to(path).as_posix(), p.stat().st_size) for p in path.rglob("*") if p.is_file())
    card_path = path / CARD
    card = card_path.read_text(encoding="utf-8", errors="replace") if card_path.is_file() else ""
    return BundleListing(path, False, tuple(files), card)
