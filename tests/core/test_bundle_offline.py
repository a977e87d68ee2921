"""The bundle runs without MLDesk: proven offline, in an interpreter that has only its requirements.

A fresh virtual environment (`venv --without-pip`) gets one extra path: a folder of symlinks
to exactly the installed distributions that the bundle's requirements.txt names, plus their
dependency closure, resolved with importlib.metadata from this environment (each
distribution's recorded files give its top-level packages). MLDesk is not among them, so
`import desktop_app` fails there, and the bundle's predict.py must still predict what the app
predicts on the input example and the held-out rows. No package index is needed, so the
proof never skips. (It does not show that the pins install from a package index; the pins are
the versions installed here, which an index published.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from desktop_app.core.bundles.verify import verify_bundle
from tests.core.bundle_helpers import MODEL, clean_env, export_heart, run_predict


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    with export_heart(tmp_path_factory.mktemp("bundles")) as (project, result):
        yield project, result


def _requirements(bundle: Path) -> list[Requirement]:
    return [Requirement(line) for line in (bundle / "requirements.txt").read_text().split() if line.strip()]


def dependency_closure(requirements: list[Requirement]) -> dict[str, metadata.Distribution]:
    """The installed distributions `requirements` name and everything they require (markers evaluated here)."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(requirements)
    for _ in range(10_000):
        if not todo:
            return found
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        distribution = metadata.distribution(requirement.name)   # PackageNotFoundError: not installed here
        assert distribution.version in requirement.specifier or not requirement.specifier, (
            f"{requirement} is pinned, but {distribution.version} is installed")
        found[name] = distribution
        for text in distribution.requires or ():
            needed = Requirement(text)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                todo.append(needed)
    raise AssertionError("the dependency closure did not converge")


def link_distributions(distributions: dict[str, metadata.Distribution], folder: Path) -> list[str]:
    """Symlink each distribution's top-level entries (packages, modules, .libs, .dist-info) into `folder`."""
    folder.mkdir()
    linked = []
    for distribution in distributions.values():
        assert distribution.files is not None, f"{distribution.name} records no files"
        for top in sorted({f.parts[0] for f in distribution.files}):
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue  # scripts in bin/, caches, and start-up hooks of the full environment
            target = Path(distribution.locate_file(top))
            if target.exists() and not (folder / top).exists():
                (folder / top).symlink_to(target)
                linked.append(top)
    return linked


def bare_python(root: Path, extra_path: Path) -> str:
    """A new virtual environment without pip whose only extra import path is `extra_path`."""
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, env=clean_env()).stdout.strip()
    Path(site, "bundle_requirements.pth").write_text(f"{extra_path}\n")
    return str(python)


def test_the_bundle_predicts_as_the_app_in_an_environment_with_only_its_requirements(exported, tmp_path):
    project, result = exported
    requirements = _requirements(result.path)
    distributions = dependency_closure(requirements)
    assert {canonicalize_name(r.name) for r in requirements} <= set(distributions)
    assert "mldesk" not in distributions
    linked = link_distributions(distributions, tmp_path / "site")
    assert {"sklearn", "skops", "numpy", "pandas", "scipy", "pyarrow", "joblib"} <= set(linked)
    python = bare_python(tmp_path, tmp_path / "site")

    probe = subprocess.run([python, "-c", "import sys, sklearn, skops, pandas; print(sys.prefix)\nimport desktop_app"],
                           cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert probe.stdout.strip() == str(tmp_path / "venv")
    assert probe.returncode == 1 and "No module named 'desktop_app'" in probe.stderr, probe.stderr

    holdout, _ = project.registry.holdout_rows(MODEL)
    verification = verify_bundle(result.path, project.scoring.pipeline(MODEL), holdout, python=python)
    assert verification.ok, verification.reason
    assert {c["name"] for c in verification.checks} == {"input example", "held-out rows"}
    assert verification.rows_checked == 5 + len(holdout) and len(holdout) > 100

    refused = run_predict(python, result.path, "nowhere.csv", cwd=tmp_path)   # and its refusals hold there too
    assert refused.returncode == 1 and refused.stderr == "error: There is no file nowhere.csv.\n"
