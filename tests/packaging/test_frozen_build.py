"""The standalone build, proven on every CI run: packaging/build.py makes the one-folder PyInstaller build
(and its archive and AppDir) into a temporary folder, and packaging/smoke.py runs it with no Python on
PATH through the whole story (CLI steps, the exported bundle's predict.py, a training worker spawned by
the frozen executable, the window offscreen). About 2.5 minutes and 1 GB of disk on 2 cores, removed at
the end; issue 16 asks for it in CI while the whole run stays under 45 minutes (it is ~20)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from desktop_app import __version__

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.timeout(1800),
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None and not os.environ.get("CI"),
                       reason="PyInstaller is not installed (pip install -e '.[build]'); CI installs it"),
]


def test_the_standalone_build_passes_its_smoke_test(tmp_path):
    dist, work = tmp_path / "dist", tmp_path / "work"
    try:
        built = subprocess.run([sys.executable, str(REPO / "packaging" / "build.py"), "--dist", str(dist),
                                "--work", str(work)], capture_output=True, text=True, timeout=1500)
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        folder = dist / "mldesk"
        executable = folder / ("mldesk.exe" if sys.platform == "win32" else "mldesk")
        assert executable.is_file()
        assert [p for p in folder.rglob("*") if p.is_symlink() and not p.exists()] == []   # no dangling links
        size = re.search(r"([\d.]+) MB unpacked", built.stdout)
        assert size is not None and float(size.group(1)) < 450, built.stdout[-2000:]   # issue 16: about 400 MB
        if sys.platform.startswith("linux"):
            (archive,) = dist.glob(f"mldesk-{__version__}-*.tar.gz")
            with tarfile.open(archive) as packed:
                assert "mldesk/mldesk" in packed.getnames()
            assert (dist / "MLDesk.AppDir" / "AppRun").exists()

        smoke = subprocess.run([sys.executable, str(REPO / "packaging" / "smoke.py"), str(folder),
                                "--window-runs", "1"], capture_output=True, text=True, timeout=900)
        assert smoke.returncode == 0, smoke.stdout[-4000:] + smoke.stderr[-2000:]
        assert "FAIL" not in smoke.stdout
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)   # ~1 GB: pytest keeps three runs' folders otherwise
