"""Shared fixtures. Qt tests set QT_QPA_PLATFORM themselves (tests/ui/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "resources" / "sample_data" / "heart.csv"


@pytest.fixture
def project(tmp_path):
    from desktop_app.core.project import Project

    with Project.create(tmp_path / "proj", name="Test project") as opened:
        yield opened


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV
