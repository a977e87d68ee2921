"""The standalone build, one command: `python packaging/build.py` (from any folder, with the
virtual environment MLDesk is installed in, plus PyInstaller: `pip install "pyinstaller>=6.10"`).

It makes
  dist/mldesk/                 a one-folder PyInstaller build: the executable `mldesk` (`mldesk.exe`)
                               opens the window with no arguments and is the CLI with them; on Linux
                               also mldesk.desktop, mldesk.png and install-desktop-entry.sh (the
                               applications menu entry for this user);
  dist/mldesk-<version>-<platform>.tar.gz (.zip on Windows)   that folder, to copy to the workstation;
  dist/MLDesk.AppDir/          Linux only: an AppImage-style folder (AppRun, the desktop entry and the
                               icon; `appimagetool dist/MLDesk.AppDir` turns it into one file);
and prints the build's size and its ten largest parts. `--no-archive` skips the archive and the AppDir.
PyInstaller's work files go to build/pyinstaller/. The same script works on Windows and macOS.

What the build carries besides the code PyInstaller finds by itself (`recipe()`; packaging/mldesk.spec
reads it, and tests/packaging/test_build_recipe.py checks it against what the app reads):
- the sources of desktop_app as files: Alembic runs the migrations from files (env.py, versions/,
  script.py.mako), an exported bundle copies MLDesk's own modules (core/bundles/vendor.py) and its
  templates (core/bundles/templates/*.py) from files;
- the sample table and the user guide in desktop_app/resources/ (as a built wheel has them, build_guide.py);
- the metadata of MLDesk and of every library `mldesk --version` names (core/installation.py);
- every module of scikit-learn (the model catalogue imports estimators by name, skops loads them by name),
  of desktop_app (lazy imports by name) and the PostgreSQL driver when installed (team databases).
Left out: the Qt modules the app never imports (only QtCore, QtGui, QtWidgets, QtOpenGL(Widgets), QtSvg(Widgets)
and QtTest are used: pyqtgraph's, the explanation charts' and the dossier's), Qt's translations (the app is in
English), Qt plugins for what it never does (QML, SQL, network, printing, multimedia), the libraries' test suites,
and the development tools installed beside the app (pytest, hypothesis, mlflow, …).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "mldesk.spec"
DIST = REPO / "dist"
WORK = REPO / "build" / "pyinstaller"
NAME = "mldesk"
ICON_PNG = PACKAGING / "mldesk.png"
ICON_ICO = PACKAGING / "mldesk.ico"
DESKTOP_ENTRY = PACKAGING / "mldesk.desktop"
ENTRY = REPO / "desktop_app" / "__main__.py"
# Linux: symbol tables off the shared libraries (libpython alone: 23 → 6 MB; 65 MB in all), except those of
# the wheels' `<name>.libs/` folders: auditwheel rewrote them with patchelf, and a stripped copy no longer
# loads ("ELF load command address/offset not page-aligned", numpy's OpenBLAS). PyInstaller's own `strip`
# option strips everything, so `stripped()` does it. Windows DLLs are never stripped, and on macOS
# stripping breaks the libraries' signatures.
STRIP = sys.platform.startswith("linux") and shutil.which("strip") is not None

# The PySide6 modules the app and pyqtgraph import (desktop_app/ui/work/chart_warmup.py lists pyqtgraph's).
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtOpenGL", "QtOpenGLWidgets", "QtSvg", "QtSvgWidgets", "QtTest")
# Libraries installed beside the app (development, benchmarks, MLflow's loader in the tests) that
# optional imports of the app's libraries would otherwise drag in.
EXCLUDED_MODULES = (
    "tkinter", "_tkinter", "matplotlib", "IPython", "jupyter_client", "ipykernel", "notebook", "pytest", "_pytest",
    "pytestqt", "hypothesis", "mlflow", "databricks", "mutmut", "importlinter", "grimp", "ruff", "mypy", "mypyc",
    "libcst", "coverage", "PyQt5", "PyQt6", "PySide2", "shiboken2", "fastapi", "pydantic", "starlette", "uvicorn",
    "opentelemetry", "git", "cryptography", "sphinx", "docutils", "pyqtgraph.examples", "pyqtgraph.opengl",
    "OpenGL", "cupy", "torch", "dask", "distributed", "numba", "sympy", "setuptools", "pip", "pkg_resources",
    "distutils", "lib2to3", "pydoc_data", "sklearn.externals.array_api_compat.torch",
    "sklearn.externals.array_api_compat.cupy", "sklearn.externals.array_api_compat.dask", "pyarrow.tests",
    "pandas.tests", "numpy.tests", "scipy.conftest",
    # optional imports of the libraries, for features the app does not use: YAML output of numpy's and scipy's
    # build configuration, scipy's dataset downloads, pyarrow's and rich's extras, cffi callbacks
    "yaml", "requests", "urllib3", "idna", "rich", "pygments", "markdown_it", "platformdirs", "textual", "cffi",
    "pycparser", "readline", "pyarrow.flight", "pyarrow._flight", "pyarrow._s3fs", "pyarrow._gcsfs", "pyarrow._azurefs",
    "pyarrow._hdfs", "pyarrow.cuda", "pyarrow._cuda",
    # SQLAlchemy's dialects other than SQLite and PostgreSQL (its hook collects them all)
    "sqlalchemy.dialects.mysql", "sqlalchemy.dialects.mssql", "sqlalchemy.dialects.oracle",
    "sqlalchemy.connectors.pyodbc", "sqlalchemy.connectors.aioodbc",
)
# Prefixes (destination paths, '/'-separated) of collected files that the app never reads or loads.
# Qt's files are under PySide6/Qt/ in the Linux and macOS wheels, under PySide6/ in the Windows one; its
# plugins are libq<name>.so / libq<name>.dylib / q<name>.dll.
QT_ROOTS = ("PySide6/Qt/", "PySide6/")


def _qt_plugins(folder: str, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{root}plugins/{folder}/{prefix}q{name}." for root in QT_ROOTS for prefix in ("lib", "")
                 for name in names)


DROPPED = (
    *(f"{root}translations/" for root in QT_ROOTS),
    *(f"{root}plugins/{p}/" for root in QT_ROOTS for p in (
        "designer", "qmllint", "qmltooling", "sqldrivers", "printsupport", "networkinformation", "tls",
        "multimedia", "position", "sensors", "webview", "scenegraph", "renderers", "geometryloaders",
        "sceneparsers", "texttospeech", "canbus", "generic", "egldeviceintegrations", "vectorimageformats",
    )),
    # Platforms kept: xcb (X11), wayland, offscreen and minimal (windows, cocoa elsewhere). The GTK theme would
    # load the system's GTK (the app draws its own Fusion style); the desktop portal theme stays. Image formats:
    # the app reads none and writes PNG (built in) and SVG (QtSvg).
    *_qt_plugins("platforms", ("eglfs", "linuxfb", "minimalegl", "vkkhrdisplay", "vnc", "direct2d")),
    *_qt_plugins("platformthemes", ("gtk3",)),
    *_qt_plugins("imageformats", ("gif", "icns", "jpeg", "tga", "tiff", "wbmp", "webp", "pdf")),
    # pyarrow's RPC and cloud file systems (Flight, S3); the extra names of libarrow_python (.so.2600 is loaded)
    "pyarrow/libarrow_flight.", "pyarrow/_flight.", "pyarrow/libarrow_s3.", "pyarrow/_s3fs.",
    "pyarrow/libarrow_python.so.2600.", "pyarrow/include/", "pyarrow/src/", "pyarrow/tests/",
    # scikit-learn's example data sets (the app loads none) and pyqtgraph's logo
    "sklearn/datasets/data/", "sklearn/datasets/images/", "sklearn/datasets/descr/", "pyqtgraph/icons/peegee/",
)
DROPPED_SUFFIXES = (".h", ".hpp", ".pxd", ".pxi", ".pyx", ".pyi", ".cpp", ".c", ".cmake")
# The team-database driver: imported by SQLAlchemy by name when a project's URL is postgresql+psycopg.
POSTGRES_MODULES = ("psycopg", "psycopg_binary", "sqlalchemy.dialects.postgresql.psycopg")


@dataclass
class Recipe:
    """What packaging/mldesk.spec gives PyInstaller."""

    entry: Path
    datas: list[tuple[str, str]] = field(default_factory=list)        # (source file or folder, destination folder)
    hiddenimports: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    distributions: list[str] = field(default_factory=list)            # whose metadata travels with the build
    dropped: tuple[str, ...] = DROPPED
    icon: str | None = None

    def keeps(self, destination: str) -> bool:
        """Whether a collected file (its destination path inside the build) stays in the build."""
        destination = destination.replace("\\", "/")
        if destination in ("pyarrow/libarrow_python.so",):
            return False
        if destination.endswith(DROPPED_SUFFIXES) and not destination.startswith("desktop_app/"):
            return False   # headers, Cython sources and type stubs of the libraries
        if destination.endswith(".dist-info/RECORD"):
            return False   # the installed files' list: pip's, not needed to read a version
        return not destination.startswith(self.dropped)


# Where libraries (not Python modules) sit that only other binaries load: at the top of the build (the
# system's), Qt's own and pyarrow's. `unneeded_libraries` looks there.
PRUNABLE = ("PySide6/Qt/lib/", "pyarrow/")
PYTHON_EXTENSION = re.compile(r"\.(cpython-[^.]+|abi3)\.(so|pyd)$")


def unneeded_libraries(binaries: list) -> set[str]:
    """Linux: the libraries (at the top of the build, in Qt's lib/ and pyarrow's folder) that no kept binary
    loads any more: what only dropped parts needed (the GTK theme's cairo, pango, gdk-pixbuf…, QtNetwork for
    the VNC platform, pyarrow's Flight bindings). `ldd` lists every library a binary loads, directly or not,
    so one pass over the others finds them. Python extension modules and Qt plugins are never candidates:
    imports and Qt load those by name."""
    if not sys.platform.startswith("linux"):
        return set()
    from PyInstaller.depend.bindepend import get_imports

    def candidate(dest: str) -> bool:
        dest = dest.replace("\\", "/")
        if ".so" not in dest or dest.startswith("libpython") or PYTHON_EXTENSION.search(dest):
            return False
        return "/" not in dest or dest.startswith(PRUNABLE)

    candidates = {dest for dest, _source, _kind in binaries if candidate(dest)}
    needed: set[str] = set()
    for dest, source, _kind in binaries:
        if dest not in candidates:
            needed.update(Path(name).name for name, _path in get_imports(source))
    return {dest for dest in candidates if Path(dest).name not in needed}


def stripped(binaries: list, folder: Path) -> list:
    """`binaries` with each strippable library replaced by a stripped copy in `folder` (kept between builds)."""
    if not STRIP:
        return binaries
    out = []
    for dest, source, kind in binaries:
        first = dest.replace("\\", "/").split("/")[0]
        if kind in ("BINARY", "EXTENSION") and not first.endswith(".libs"):
            copy = folder / dest
            if not copy.is_file() or copy.stat().st_mtime < Path(source).stat().st_mtime:
                copy.parent.mkdir(parents=True, exist_ok=True)
                if subprocess.run(["strip", "-o", str(copy), source], capture_output=True).returncode != 0:
                    copy.unlink(missing_ok=True)
                    out.append((dest, source, kind))
                    continue
            source = str(copy)
        out.append((dest, source, kind))
    return out


def dangling_links(folder: Path) -> list[Path]:
    """Symbolic links in `folder` whose target is not there."""
    return [path for path in folder.rglob("*") if path.is_symlink() and not path.exists()]


def distributions() -> list[str]:
    """MLDesk and the libraries whose versions `mldesk --version` and Help → About show."""
    sys.path.insert(0, str(REPO))
    try:
        from desktop_app.core.installation import DISTRIBUTIONS, OPTIONAL_DISTRIBUTIONS
    finally:
        sys.path.remove(str(REPO))
    names = ["mldesk", *(d for d, _ in DISTRIBUTIONS)]
    return names + [d for d, module in OPTIONAL_DISTRIBUTIONS if _installed(module)]


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def source_files() -> list[tuple[str, str]]:
    """Every source and data file of the desktop_app package, at its own place in the build."""
    package = REPO / "desktop_app"
    found = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".mako", ".ini") and "__pycache__" not in path.parts:
            found.append((str(path), str(path.parent.relative_to(REPO)).replace(os.sep, "/")))
    return found


def stage_resources(stage: Path) -> Path:
    """The user guide and the sample table, copied as a wheel has them (build_guide.py); returns the folder."""
    sys.path.insert(0, str(REPO))
    try:
        from build_guide import DOCS, SAMPLE_DATA, copy_guide, copy_sample
    finally:
        sys.path.remove(str(REPO))
    resources = stage / "desktop_app" / "resources"
    if resources.exists():
        shutil.rmtree(resources)
    copy_guide(DOCS, resources / "guide")
    copy_sample(SAMPLE_DATA, resources / "sample_data")
    return resources


def qt_excludes() -> list[str]:
    """The PySide6 modules of the installed wheel the app never imports."""
    import PySide6

    folder = Path(PySide6.__file__).parent
    modules = {p.name.split(".")[0] for p in folder.iterdir()
               if p.suffix in (".so", ".pyd") and p.name.startswith("Qt")}
    return sorted(f"PySide6.{m}" for m in modules - set(QT_MODULES_USED))


def modules_in_files(package: str) -> list[str]:
    """Every module of `package` by its files, namespace folders (no __init__.py) included, tests left out:
    skops loads the readers of older model files (skops/io/old/, a namespace folder that PyInstaller's
    `collect_submodules` does not enter) by name."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "tests" in parts or "__pycache__" in parts:
            continue
        names.append(".".join([package, *(parts[:-1] if parts[-1] == "__init__" else parts)]))
    return names


def recipe(stage: Path = WORK / "stage") -> Recipe:
    from PyInstaller.utils.hooks import collect_submodules

    resources = stage_resources(stage)
    hidden = [
        *collect_submodules("desktop_app"),
        *collect_submodules("sklearn", filter=lambda name: ".tests" not in name and "array_api_compat" not in name),
        *modules_in_files("skops"),
        "sklearn.externals.array_api_compat.numpy",
    ]
    if _installed("psycopg"):
        hidden += [m for m in POSTGRES_MODULES if _installed(m.split(".")[0])]
    return Recipe(
        entry=ENTRY,
        datas=[*source_files(), (str(resources), "desktop_app/resources")],
        hiddenimports=hidden,
        excludes=[*EXCLUDED_MODULES, *qt_excludes()],
        distributions=distributions(),
        icon=str(ICON_ICO) if sys.platform == "win32" else None,   # Linux executables have none; macOS: the .app's
    )


# After the build ---------------------------------------------------------------------------------

def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def largest_parts(folder: Path, count: int = 10) -> list[tuple[int, str]]:
    """The biggest parts of the build: the executable, each library's folder (Qt's lib, plugins… apart)."""
    sizes: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            parts = path.relative_to(folder).parts
            if parts[0] == "_internal" and len(parts) > 1:
                parts = parts[1:]
            key = "/".join(parts[:3]) if parts[0] == "PySide6" and len(parts) > 3 else parts[0]
            sizes[key] = sizes.get(key, 0) + path.stat().st_size
    return sorted(((size, name) for name, size in sizes.items()), reverse=True)[:count]


def archive(folder: Path, version: str) -> Path:
    """dist/mldesk-<version>-<system>-<machine>.tar.gz (.zip on Windows) of the build folder."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    base = folder.parent / f"{NAME}-{version}-{system}-{platform.machine().lower()}"
    fmt = "zip" if sys.platform == "win32" else "gztar"
    return Path(shutil.make_archive(str(base), fmt, root_dir=folder.parent, base_dir=folder.name))


APPRUN = """#!/bin/sh
# AppImage entry: the MLDesk build in usr/lib/mldesk; no arguments open the window, arguments are the CLI.
HERE="$(dirname "$(readlink -f "$0")")"
exec "$HERE/usr/lib/mldesk/mldesk" "$@"
"""


INSTALL_DESKTOP_ENTRY = r"""#!/bin/sh
# Puts MLDesk in this user's applications menu (no administrator rights needed): the desktop entry,
# pointing at the executable of this folder, and the icon. Run it again after moving the folder.
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$DATA/applications" "$DATA/icons/hicolor/256x256/apps"
cp "$HERE/mldesk.png" "$DATA/icons/hicolor/256x256/apps/mldesk.png"
EXE="$HERE/mldesk"
sed -e "s|^Exec=mldesk |Exec=\"$EXE\" |" "$HERE/mldesk.desktop" > "$DATA/applications/mldesk.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$DATA/applications" || true; fi
echo "MLDesk is in the applications menu: $DATA/applications/mldesk.desktop"
"""


def desktop_files(folder: Path) -> list[Path]:
    """Linux: the desktop entry, the icon and install-desktop-entry.sh beside the executable."""
    shutil.copyfile(DESKTOP_ENTRY, folder / "mldesk.desktop")
    shutil.copyfile(ICON_PNG, folder / "mldesk.png")
    script = folder / "install-desktop-entry.sh"
    script.write_text(INSTALL_DESKTOP_ENTRY, encoding="utf-8")
    script.chmod(0o755)
    return [folder / "mldesk.desktop", folder / "mldesk.png", script]


def appdir(folder: Path) -> Path:
    """dist/MLDesk.AppDir: AppRun, the desktop entry and icon at its top and in usr/share (hard links to the build)."""
    target = folder.parent / "MLDesk.AppDir"
    if target.exists():
        shutil.rmtree(target)

    def link(source: str, destination: str) -> None:
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)

    shutil.copytree(folder, target / "usr" / "lib" / NAME, symlinks=True, copy_function=link)
    (target / "AppRun").write_text(APPRUN, encoding="utf-8")
    (target / "AppRun").chmod(0o755)
    for place in (target, target / "usr" / "share" / "applications"):
        place.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DESKTOP_ENTRY, place / "mldesk.desktop")
    icons = target / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps"
    icons.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICON_PNG, icons / "mldesk.png")
    shutil.copyfile(ICON_PNG, target / "mldesk.png")
    (target / ".DirIcon").symlink_to("mldesk.png")
    return target


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=DIST, help=f"output folder (default {DIST})")
    parser.add_argument("--work", type=Path, default=WORK, help=f"PyInstaller's work folder (default {WORK})")
    parser.add_argument("--no-archive", action="store_true", help="only the folder: no archive, no AppDir")
    args = parser.parse_args(argv)
    try:
        import PyInstaller.__main__ as pyinstaller
    except ImportError:
        print('build.py: PyInstaller is not installed here: pip install "pyinstaller>=6.10"', file=sys.stderr)
        return 1
    sys.path.insert(0, str(REPO))
    from desktop_app import __version__

    started = time.perf_counter()
    pyinstaller.run([str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
                     "--distpath", str(args.dist), "--workpath", str(args.work)])
    folder = args.dist / NAME
    executable = folder / (NAME + ".exe" if sys.platform == "win32" else NAME)
    if not executable.is_file():
        print(f"build.py: PyInstaller made no {executable}", file=sys.stderr)
        return 1
    built = time.perf_counter() - started
    for link in dangling_links(folder):
        link.unlink()   # PyInstaller's top-level links to libraries the recipe dropped (QtNetwork, Flight, …)
    if sys.platform.startswith("linux"):
        desktop_files(folder)
    print(f"\nBuilt {folder} in {built:.0f} s: {megabytes(folder_size(folder))} unpacked")
    print("Largest parts:")
    for size, name in largest_parts(folder):
        print(f"  {megabytes(size):>10}  {name}")
    if not args.no_archive:
        packed = archive(folder, __version__)
        print(f"Archive: {packed} ({megabytes(packed.stat().st_size)})")
        if sys.platform.startswith("linux"):
            print(f"AppImage folder: {appdir(folder)} (appimagetool turns it into an AppImage)")
    print(f"Done in {time.perf_counter() - started:.0f} s. Smoke test: python packaging/smoke.py {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
