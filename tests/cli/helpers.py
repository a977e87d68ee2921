"""What the CLI tests share: `mldesk` run as a user's script runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLE_CSV as SAMPLE


def mldesk(*args, check_code=0):
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app.cli", *map(str, args)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == check_code, done.stderr
    return done


def heart_project(project: Path) -> Path:
    """`mldesk init PROJECT` then `mldesk import PROJECT heart.csv` (the sample as heart@1)."""
    mldesk("init", project)
    mldesk("import", project, SAMPLE)
    return project
