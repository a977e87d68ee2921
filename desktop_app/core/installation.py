"""What is installed: MLDesk's version and its libraries' (what a support request needs), and
whether the installation is whole (`mldesk doctor`).

Versions come from the installed distributions' metadata (`importlib.metadata`), which reads
small files and imports nothing, so `mldesk --version` stays instant; a PyInstaller build carries
that metadata for every distribution listed here (packaging/build.py).
"""

from __future__ import annotations

import importlib
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from desktop_app import __version__

# (distribution, module it provides): what the app needs at run time, in the order a reader looks for them.
DISTRIBUTIONS = (
    ("PySide6-Essentials", "PySide6"),
    ("shiboken6", "shiboken6"),
    ("pyqtgraph", "pyqtgraph"),
    ("numpy", "numpy"),
    ("pandas", "pandas"),
    ("pyarrow", "pyarrow"),
    ("scikit-learn", "sklearn"),
    ("scipy", "scipy"),
    ("joblib", "joblib"),
    ("threadpoolctl", "threadpoolctl"),
    ("SQLAlchemy", "sqlalchemy"),
    ("alembic", "alembic"),
    ("skops", "skops"),
    ("psutil", "psutil"),
    ("openpyxl", "openpyxl"),
    ("charset-normalizer", "charset_normalizer"),
)
# Only with `mldesk[team]`: its absence is no fault of a local-file installation.
OPTIONAL_DISTRIBUTIONS = (("psycopg", "psycopg"),)

PACKAGE = Path(__file__).resolve().parents[1]   # desktop_app/
# Files read at run time that are not Python modules: a build that forgot one fails only when it is used.
SHIPPED_FILES = (
    ("database migrations", PACKAGE / "core" / "store" / "migrations" / "env.py"),
    ("database migrations' template", PACKAGE / "core" / "store" / "migrations" / "script.py.mako"),
    ("bundle template predict.py", PACKAGE / "core" / "bundles" / "templates" / "predict.py"),
    ("bundle template serve.py", PACKAGE / "core" / "bundles" / "templates" / "serve.py"),
)


def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution`, or None when it is not installed (or its metadata is lost)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def python_description() -> str:
    """The interpreter and the system: '3.11.7 (CPython, Linux-6.1.0-x86_64-with-glibc2.36)'."""
    frozen = ", standalone build" if getattr(sys, "frozen", False) else ""
    return f"{platform.python_version()} ({platform.python_implementation()}, {platform.platform()}{frozen})"


def versions() -> dict[str, str]:
    """MLDesk, Python and every library, name → version ('not installed' where one is missing)."""
    out = {"MLDesk": __version__, "Python": python_description()}
    for distribution, _ in DISTRIBUTIONS + OPTIONAL_DISTRIBUTIONS:
        out[distribution] = installed_version(distribution) or "not installed"
    return out


def versions_text() -> str:
    """`versions()` as aligned lines, ready to paste into a support request."""
    table = versions()
    width = max(map(len, table))
    return "\n".join(f"{name:<{width}}  {version}" for name, version in table.items())


@dataclass(frozen=True)
class InstallationReport:
    """What was checked and found sound, and what is missing or broken (each with what to do)."""

    checked: tuple[str, ...]
    problems: tuple[str, ...]


def check_installation() -> InstallationReport:
    """Every library importable, the shipped files present. Imports every library: seconds, not instant."""
    from desktop_app.core.paths import SAMPLE_CSV

    checked: list[str] = []
    libraries = [p for p in (_import_problem(d, m) for d, m in DISTRIBUTIONS) if p]
    if not libraries:
        checked.append(f"All {len(DISTRIBUTIONS)} libraries MLDesk needs are installed and load.")
    files = [f"The {what} ({path}) is missing from this installation; reinstall MLDesk."
             for what, path in (*SHIPPED_FILES, ("sample table", SAMPLE_CSV)) if not path.is_file()]
    if not files:
        checked.append("The database migrations, bundle templates and sample table are in place.")
    return InstallationReport(tuple(checked), tuple(libraries + files))


def _import_problem(distribution: str, module: str) -> str | None:
    try:
        importlib.import_module(module)
    except Exception as exc:  # any failure to load is the finding, named in the sentence
        reason = "is not installed" if isinstance(exc, ModuleNotFoundError) else f"does not load ({exc})"
        return (f"The library {distribution} {reason}; reinstall MLDesk (pip install --force-reinstall mldesk, "
                "or the standalone build again).")
    return None
