"""The code's own checks, run by the suite so that a regression fails CI.

- types: mypy on desktop_app/core, configured by `[tool.mypy]` in pyproject.toml (what it checks, the
  libraries without type information). Cold (CI, no .mypy_cache) it takes about ten seconds.
- style: ruff on the whole repository, configured by `[tool.ruff]` (line length, the rule families kept).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m <args>` from the repository root (where pyproject.toml holds the tools' settings)."""
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=280)


# -- types ---------------------------------------------------------------------------------------


def test_core_type_checks_clean():
    done = _run_module("mypy")  # the files and settings come from [tool.mypy]
    assert done.returncode == 0, f"mypy found problems (exit {done.returncode}):\n{done.stdout}{done.stderr}"


# -- style (ruff) --------------------------------------------------------------------------------


def test_style_checks_clean():
    done = _run_module("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, f"ruff found problems (exit {done.returncode}):\n{done.stdout}{done.stderr}"
