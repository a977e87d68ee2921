"""The standalone build's recipe (packaging/build.py), checked without building: every file the app reads
at run time is in the build's data files, and the frozen entry point (desktop_app/__main__.py) is the CLI
with arguments. The build itself and its smoke test (packaging/smoke.py) take minutes: not run here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _build_module():
    spec = importlib.util.spec_from_file_location("mldesk_build_recipe", REPO / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return _build_module()


def _destinations(build) -> set[str]:
    """Every file's path inside the build as the app will see it (desktop_app/…), the sources' included."""
    return {f"{dest}/{Path(source).name}" for source, dest in build.source_files()}


def test_files_the_app_reads_are_data_files_of_the_build(build):
    from desktop_app.core import installation

    shipped = _destinations(build)
    package = REPO / "desktop_app"
    for _what, path in installation.SHIPPED_FILES:
        assert path.relative_to(REPO).as_posix() in shipped
    # Alembic runs every revision from its file; an export copies MLDesk's modules from their files.
    for revision in (package / "core" / "store" / "migrations" / "versions").glob("*.py"):
        assert revision.relative_to(REPO).as_posix() in shipped
    assert "desktop_app/core/training/transformers.py" in shipped


def test_guide_and_sample_are_staged_where_the_app_looks(build, tmp_path):
    from desktop_app.core import paths
    from desktop_app.ui.shell import guide_files

    resources = build.stage_resources(tmp_path)
    assert resources == tmp_path / "desktop_app" / "resources"
    # paths.PACKAGED and guide_files.PACKAGED_DIR: desktop_app/resources/{sample_data,guide} in a build
    assert paths.PACKAGED.relative_to(REPO / "desktop_app").as_posix() == "resources"
    assert (resources / "sample_data" / paths.SAMPLE_CSV.name).is_file()
    assert (resources / guide_files.PACKAGED_DIR[1] / guide_files.GUIDE_FILE).is_file()
    assert any((resources / "guide" / "screenshots").glob("*.png"))


def test_metadata_of_every_library_the_version_names(build):
    from desktop_app.core.installation import DISTRIBUTIONS

    names = build.distributions()
    assert names[0] == "mldesk"
    assert {d for d, _ in DISTRIBUTIONS} <= set(names)


def test_nothing_the_app_loads_is_dropped(build):
    recipe = build.Recipe(entry=build.ENTRY)
    for kept in ("PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                 "PySide6/Qt/plugins/platforms/libqwayland.so", "PySide6/Qt/plugins/imageformats/libqsvg.so",
                 "pyarrow/libarrow_python.so.2600", "pyarrow/libparquet.so.2600",
                 "desktop_app/core/store/migrations/script.py.mako", "desktop_app/core/bundles/templates/predict.py",
                 "PySide6/plugins/platforms/qwindows.dll", "PySide6/Qt/plugins/platforms/libqcocoa.dylib"):
        assert recipe.keeps(kept), kept
    for dropped in ("PySide6/Qt/translations/qt_de.qm", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
                    "pyarrow/libarrow_flight.so.2600", "pyarrow/include/arrow/api.h", "sklearn/tree/_tree.pxd",
                    "PySide6/translations/qt_de.qm", "PySide6/plugins/platformthemes/qgtk3.dll",
                    "PySide6\\plugins\\imageformats\\qjpeg.dll"):
        assert not recipe.keeps(dropped), dropped
    assert not {f"PySide6.{m}" for m in build.QT_MODULES_USED} & set(build.qt_excludes())


def test_python_m_desktop_app_with_arguments_is_the_cli():
    done = subprocess.run([sys.executable, "-m", "desktop_app", "--version"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("mldesk ")
