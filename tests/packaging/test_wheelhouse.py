"""The offline install, proven: packaging/wheelhouse.py's folder installs MLDesk into a fresh virtual
environment with `pip install --no-index --find-links WH mldesk` (the index unreachable as well, pip's
configuration files ignored), and the installed app then works from a folder away from the checkout:
`--version`, a project through its first training on the sample table the wheel carries, `doctor`, and
the window's modules with Qt's offscreen platform.

Building the wheelhouse downloads from the package index through pip, as CI's install step does (pip's
cache serves a second run where the index allows caching). Without an index the tests are skipped with
the reason, and fail under CI=true: a green CI run must have tried them. One wheelhouse and one
installation serve the module, removed at its end (~1.1 GB). Wall time on 2 shared cores: 50-75 s, cold
pip cache or warm; most of it is pip unpacking ~230 MB of wheels into the new environment (~25 s), then
the wheelhouse (~11 s) and the CLI walk (~8 s).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop_app import __version__

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "packaging" / "wheelhouse.py"
UNREACHABLE_INDEX = "http://127.0.0.1:9/simple"   # the discard port: nothing answers there

pytestmark = pytest.mark.timeout(1200)


def offline_env(**extra: str) -> dict[str, str]:
    """This environment without pip's settings (find-links, extra indexes) or any path into the checkout,
    pip pointed at an index that does not answer and told to read no configuration file."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PIP_") and name not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=UNREACHABLE_INDEX, PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.update(extra)
    return env


def run(args, *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def build_wheelhouse(folder: Path, cwd: Path) -> subprocess.CompletedProcess:
    done = run([sys.executable, SCRIPT, folder], cwd=cwd, timeout=900)
    if done.returncode != 0 and ("cannot reach the package index" in done.stderr
                                 or "the package index does not answer" in done.stderr):
        why = f"no package index to build the wheelhouse from: {done.stderr.strip()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    assert done.returncode == 0, f"wheelhouse.py failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheelhouse, and a fresh virtual environment that installed MLDesk from it and nothing else."""
    away = tmp_path_factory.mktemp("away")   # every command runs here, outside the checkout
    assert REPO not in away.parents
    wheelhouse = away / "wheelhouse"
    built = build_wheelhouse(wheelhouse, away)

    venv = away / "venv"
    made = run([sys.executable, "-m", "venv", venv], cwd=away, env=offline_env())
    assert made.returncode == 0, made.stderr
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    python = scripts / ("python.exe" if os.name == "nt" else "python")
    install = run([python, "-m", "pip", "install", "--no-index", "--find-links", wheelhouse, "mldesk"],
                  cwd=away, env=offline_env())
    assert install.returncode == 0, f"the offline install failed:\n{install.stdout[-3000:]}{install.stderr}"
    assert f"mldesk-{__version__}" in install.stdout
    yield SimpleNamespace(wheelhouse=wheelhouse, summary=built.stdout, venv=venv, python=python,
                          mldesk=scripts / "mldesk", away=away)
    shutil.rmtree(away, ignore_errors=True)   # ~1.1 GB; pytest would keep it for three runs


def in_venv(installed, *args, check_code: int = 0, **env: str) -> subprocess.CompletedProcess:
    """A command of the installed environment, from the folder away from the checkout."""
    done = run(args, cwd=installed.away, env=offline_env(**env), timeout=300)
    assert done.returncode == check_code, f"{args[1:]} exit {done.returncode}:\n{done.stdout[-2000:]}{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


def test_the_wheelhouse_is_binary_wheels_with_their_checksums(installed):
    folder = installed.wheelhouse
    files = sorted(p.name for p in folder.iterdir())
    assert "SHA256SUMS" in files and all(name.endswith(".whl") for name in files if name != "SHA256SUMS")
    sums = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == [name for name in files if name != "SHA256SUMS"]
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert f"mldesk-{__version__}-py3-none-any.whl" in sums
    for needed in ("pyside6_essentials", "pyarrow", "scikit_learn", "pandas", "skops", "sqlalchemy", "alembic"):
        assert any(name.lower().startswith(needed + "-") for name in sums), f"no {needed} wheel"
    assert not any(name.lower().startswith(("pytest", "mypy", "ruff", "mlflow", "psycopg")) for name in sums), (
        "a dev or optional dependency got into the run-time wheelhouse")
    counted = re.search(r"^(\d+) wheels, ([\d.]+) MB", installed.summary, re.MULTILINE)
    assert counted and int(counted.group(1)) == len(sums)
    assert float(counted.group(2)) == pytest.approx(sum((folder / n).stat().st_size for n in sums) / 1e6, abs=0.1)
    libc, here = platform.libc_ver()
    if sys.platform == "linux" and libc == "glibc":   # the floor it prints lets this machine install it
        floor = re.search(r"^Needs glibc (\d+)\.(\d+) or newer", installed.summary, re.MULTILINE)
        assert floor and tuple(map(int, floor.groups())) <= tuple(map(int, here.split(".")[:2]))


def test_the_offline_install_runs_a_project_through_its_first_training(installed, tmp_path):
    version = in_venv(installed, installed.mldesk, "--version").stdout
    assert version.splitlines()[0] == f"mldesk {__version__}"

    where = json.loads(in_venv(installed, installed.python, "-c", (
        "import json, sysconfig, desktop_app; from desktop_app.core.paths import SAMPLE_CSV; "
        "print(json.dumps({'sample': str(SAMPLE_CSV), 'package': desktop_app.__file__, "
        "'site': sysconfig.get_paths()['purelib']}))")).stdout)
    site = Path(where["site"]).resolve()
    assert site.is_relative_to(installed.venv.resolve())
    sample = Path(where["sample"]).resolve()
    assert sample.is_relative_to(site) and sample.is_file(), f"the sample table is not the packaged one: {sample}"
    assert Path(where["package"]).resolve().is_relative_to(site), "MLDesk was imported from outside the environment"

    project = tmp_path / "P"
    assert in_venv(installed, installed.mldesk, "init", project).stdout.startswith("Created project 'P'")
    imported = json.loads(in_venv(installed, installed.mldesk, "import", project, sample, "--json").stdout)
    rows = len(sample.read_text(encoding="utf-8").splitlines()) - 1
    assert (imported["dataset"], imported["version"], imported["rows"]) == ("heart", 1, rows)

    report = json.loads(in_venv(installed, installed.mldesk, "check", project, "heart", "--target", "heart_disease",
                                "--json").stdout)
    assert (report["dataset"], report["version"]) == ("heart", 1)
    assert any(f["check"] == "class_imbalance" and f["column"] == "heart_disease" for f in report["findings"])

    run_ = json.loads(in_venv(installed, installed.mldesk, "train", project, "heart", "--target", "heart_disease",
                              "--model", "logistic_regression", "--json").stdout)
    assert run_["status"] == "finished" and run_["model"] == "logistic_regression"
    assert run_["metrics"] and all(isinstance(v, float) for v in run_["metrics"].values())

    assert "sound" in in_venv(installed, installed.mldesk, "doctor", project).stdout


def test_the_offline_install_loads_the_window_modules(installed):
    done = in_venv(installed, installed.python, "-c", (
        "import PySide6.QtWidgets, desktop_app.ui.app; "
        "app = PySide6.QtWidgets.QApplication([]); "
        "print(app.platformName(), PySide6.__file__, desktop_app.ui.app.__file__)"), QT_QPA_PLATFORM="offscreen")
    platform_name, *files = done.stdout.split()
    assert platform_name == "offscreen"
    assert all(Path(f).resolve().is_relative_to(installed.venv.resolve()) for f in files), files


def test_a_wheelhouse_without_an_index_or_a_folder_is_refused_in_one_sentence(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    done = run([sys.executable, SCRIPT, not_a_folder / "wh"], cwd=tmp_path, env=offline_env())
    assert done.returncode == 1 and done.stderr.startswith("wheelhouse: ") and done.stderr.count("\n") == 1
    assert "not a writable folder" in done.stderr

    folder = tmp_path / "wh"
    done = run([sys.executable, SCRIPT, folder], cwd=tmp_path, env=offline_env(PIP_RETRIES="1"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr == "wheelhouse: pip cannot reach the package index; run this on a machine that can\n"
    assert not any(folder.iterdir()), "a failed build left files behind"


# -- another platform's wheelhouse, without the network -----------------------------------------


def wheelhouse_module():
    spec = importlib.util.spec_from_file_location("wheelhouse_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_wheel(folder: Path, name: str, version: str, *requires: str, tag: str = "py3-none-any") -> None:
    with zipfile.ZipFile(folder / f"{name}-{version}-{tag}.whl", "w") as archive:
        lines = [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"]
        lines += [f"Requires-Dist: {r}\n" for r in requires]
        archive.writestr(f"{name}-{version}.dist-info/METADATA", "".join(lines))


def test_a_foreign_wheelhouse_is_checked_with_the_targets_markers(tmp_path):
    """pip evaluates markers for the machine it runs on: what only Windows (or only an extra) needs is found missing."""
    wheelhouse = wheelhouse_module()
    from packaging.requirements import Requirement

    fake_wheel(tmp_path, "mldesk", "0.1.0", "alpha>=1", 'winonly; sys_platform == "win32"',
               'driver; extra == "team"')
    fake_wheel(tmp_path, "alpha", "1.2", "beta[fast]", 'macfix; platform_system == "Darwin"')
    fake_wheel(tmp_path, "beta", "2.0", 'speedup<3; extra == "fast"', 'tzdata; os_name == "nt"')
    fake_wheel(tmp_path, "speedup", "3.1")   # present, but not the version asked for

    def lacking(root: str, tag: str) -> list[str]:
        return wheelhouse.missing(tmp_path, Requirement(root), wheelhouse.marker_environment([tag], "3.11"))

    assert lacking("mldesk", "win_amd64") == ["speedup<3", "tzdata", "winonly"]
    assert lacking("mldesk[team]", "macosx_12_0_arm64") == ["driver", "macfix", "speedup<3"]
    assert lacking("mldesk", "manylinux_2_28_x86_64") == ["speedup<3"]


def test_platform_tags_and_the_oldest_system_they_need():
    wheelhouse = wheelhouse_module()
    tags = wheelhouse.expand_platform("manylinux_2_28_x86_64")
    assert tags[0] == "manylinux_2_28_x86_64" and "manylinux_2_17_x86_64" in tags
    assert "manylinux_2_29_x86_64" not in tags
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert "manylinux_2_12_x86_64" in wheelhouse.expand_platform("manylinux2014_x86_64")
    assert wheelhouse.expand_platform("win_amd64") == ["win_amd64"]

    names = ["psutil-7.2.2-cp36-abi3-manylinux2010_x86_64.manylinux_2_12_x86_64.manylinux_2_28_x86_64.whl",
             "pyside6_essentials-6.11.3-cp310-abi3-manylinux_2_34_x86_64.whl", "mldesk-0.1.0-py3-none-any.whl",
             "numpy-2.4.6-cp311-cp311-macosx_14_0_arm64.whl", "pandas-3.1.1-cp311-cp311-macosx_11_0_arm64.whl"]
    floors = wheelhouse.oldest_system([Path(n) for n in names])
    assert floors == {"glibc": ((2, 34), names[1]), "macOS": ((14, 0), names[3])}
