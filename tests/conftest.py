"""Shared fixtures. Qt tests set QT_QPA_PLATFORM themselves (tests/ui/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "resources" / "sample_data" / "heart.csv"


@pytest.fixture(autouse=True, scope="session")
def crash_logs(tmp_path_factory):
    """The folder unexpected errors log to (core.crash_log): the tests', not the user's (subprocesses inherit it)."""
    from desktop_app.core.crash_log import LOG_DIR_ENV

    folder = tmp_path_factory.mktemp("crash-logs")
    previous = os.environ.get(LOG_DIR_ENV)
    os.environ[LOG_DIR_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(LOG_DIR_ENV, None)
    else:
        os.environ[LOG_DIR_ENV] = previous


@pytest.fixture
def project(tmp_path):
    from desktop_app.core.project import Project

    with Project.create(tmp_path / "proj", name="Test project") as opened:
        yield opened


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV
