"""The sample project: the heart-disease sample data, ready to explore."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop_app.core.paths import SAMPLE_CSV
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.project import Project

SAMPLE_DATASET = "heart"


def user_data_dir() -> Path:
    """The platform's folder for an application's own data."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "MLDesk"


def default_sample_location() -> Path:
    return user_data_dir() / "Sample project"


def create_sample_project(path: str | os.PathLike | None = None, progress: ProgressCallback = no_progress) -> Project:
    """Open the sample project at `path`, creating it with the sample data imported if needed."""
    folder = Path(path) if path is not None else default_sample_location()
    if Project.holds_project(folder):
        project = Project.open(folder)
    else:
        project = Project.create(folder, name="Sample: heart disease")
    try:
        if not any(d.name == SAMPLE_DATASET for d in project.datasets.list()):
            project.datasets.import_file(SAMPLE_CSV, name=SAMPLE_DATASET, progress=progress)
    except BaseException:
        project.close()
        raise
    return project
