"""Recently opened projects, remembered in QSettings (newest first)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recentProjects"
LIMIT = 10


@dataclass(frozen=True)
class RecentProject:
    path: str
    name: str

    @property
    def exists(self) -> bool:
        return Path(self.path).is_dir()


def load_recent() -> list[RecentProject]:
    raw = QSettings().value(KEY, "[]")
    try:
        items = json.loads(raw if isinstance(raw, str) else "[]")
        return [RecentProject(str(i["path"]), str(i.get("name") or Path(i["path"]).name)) for i in items]
    except (ValueError, TypeError, KeyError):
        return []


def _save(items: list[RecentProject]) -> None:
    QSettings().setValue(KEY, json.dumps([{"path": i.path, "name": i.name} for i in items[:LIMIT]]))


def remember(path: str | Path, name: str) -> None:
    """Put a project at the top of the list."""
    path = str(Path(path).resolve())
    items = [i for i in load_recent() if i.path != path]
    _save([RecentProject(path, name), *items])


def forget(path: str | Path) -> None:
    path = str(path)
    _save([i for i in load_recent() if i.path != path])


def forget_missing() -> int:
    """Drop projects whose folder is gone; returns how many were dropped."""
    items = load_recent()
    kept = [i for i in items if i.exists]
    _save(kept)
    return len(items) - len(kept)
