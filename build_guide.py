"""Build step: a wheel carries the user guide and the sample table, so Help → User guide and
"Open the sample project" work offline once installed.

`[tool.setuptools.cmdclass]` in pyproject.toml runs this `build_py`: after the Python files it copies
docs/*.md and docs/screenshots/*.png into `desktop_app/resources/guide/` of the build (the guide stays
in docs/, where it is written and where GitHub shows it). `desktop_app/ui/shell/guide_files.py` finds it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

DOCS = Path(__file__).resolve().parent / "docs"
SAMPLE_DATA = Path(__file__).resolve().parent / "resources" / "sample_data"
SAMPLE_FILES = ("heart.csv", "README.md")
PATTERNS = ("*.md", "screenshots/*.png")


def copy_guide(docs: Path, target: Path) -> list[Path]:
    """Copy the guide's files from `docs` into `target`; refuse to build without the guide."""
    if not (docs / "user_guide.md").is_file():
        raise FileNotFoundError(f"{docs / 'user_guide.md'} is missing: a build without the user guide is refused")
    copied = []
    for pattern in PATTERNS:
        for source in sorted(docs.glob(pattern)):
            destination = target / source.relative_to(docs)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            copied.append(destination)
    return copied


def copy_sample(source: Path, target: Path) -> list[Path]:
    """Copy the sample table (and its README) into `target`; refuse to build without it."""
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in SAMPLE_FILES:
        if not (source / name).is_file():
            raise FileNotFoundError(f"{source / name} is missing: a build without the sample data is refused")
        shutil.copyfile(source / name, target / name)
        copied.append(target / name)
    return copied


class BuildPy(build_py):
    """setuptools' build_py, plus the guide (an editable install reads docs/ in place instead)."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            package = Path(self.build_lib) / "desktop_app" / "resources"
            copy_guide(DOCS, package / "guide")
            copy_sample(SAMPLE_DATA, package / "sample_data")
