"""The installation check of `mldesk doctor` and the versions of `mldesk --version` / Help → About."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core import installation


def test_a_sound_installation_has_no_problem():
    report = installation.check_installation()
    assert report.problems == ()
    assert len(report.checked) == 2


def test_a_missing_library_and_a_missing_file_are_each_one_sentence(monkeypatch, tmp_path):
    monkeypatch.setattr(installation, "DISTRIBUTIONS", (*installation.DISTRIBUTIONS, ("nowhere-lib", "nowhere_lib")))
    gone = tmp_path / "serve.py"
    monkeypatch.setattr(installation, "SHIPPED_FILES", (("bundle template serve.py", gone),))
    problems = installation.check_installation().problems
    assert problems == (
        "The library nowhere-lib is not installed; reinstall MLDesk (pip install --force-reinstall mldesk, "
        "or the standalone build again).",
        f"The bundle template serve.py ({gone}) is missing from this installation; reinstall MLDesk.",
    )


def test_a_library_that_fails_to_load_says_why(monkeypatch, tmp_path):
    (tmp_path / "broken_lib.py").write_text("raise ImportError('libfoo.so.1: cannot open shared object file')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(installation, "DISTRIBUTIONS", (("broken-lib", "broken_lib"),))
    (problem,) = installation.check_installation().problems
    assert problem.startswith("The library broken-lib does not load (libfoo.so.1: cannot open shared object file)")


def test_versions_come_from_metadata_and_name_a_missing_one():
    table = installation.versions()
    assert list(table)[:2] == ["MLDesk", "Python"]
    assert table["scikit-learn"][0].isdigit()
    assert installation.installed_version("no-such-distribution-here") is None
    width = max(map(len, table))
    qt = "PySide6-Essentials"
    assert installation.versions_text().splitlines()[2] == f"{qt:<{width}}  {table[qt]}"


def test_shipped_files_are_inside_the_package():
    package = Path(installation.__file__).resolve().parents[1]
    assert all(path.is_relative_to(package) and path.is_file() for _, path in installation.SHIPPED_FILES)
