"""The software a run was made with, recorded with every run (DESIGN.md: Run.environment)."""

from __future__ import annotations

import platform
import sys

from desktop_app.core.installation import installed_version

LIBRARIES = {
    "numpy": "numpy",
    "pandas": "pandas",
    "scikit-learn": "scikit-learn",
    "scipy": "scipy",
    "skops": "skops",
    "pyarrow": "pyarrow",
    "joblib": "joblib",
}


def environment() -> dict:
    """{"python": "3.11.7", "implementation": "CPython", "platform": "Linux-…", "machine": "x86_64",
    "libraries": {"numpy": "2.4.6", …}} (a library that is not installed has None)."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "system": platform.system(),
        "machine": platform.machine(),
        "executable_bits": 64 if sys.maxsize > 2**32 else 32,
        "libraries": {name: installed_version(dist) for name, dist in LIBRARIES.items()},
    }
