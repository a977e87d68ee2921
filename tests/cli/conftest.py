from __future__ import annotations

import pytest

from tests.cli.helpers import heart_project


@pytest.fixture
def heart_proj(tmp_path):
    """A new project folder (tmp_path/proj) with the heart sample imported as heart@1."""
    return heart_project(tmp_path / "proj")
