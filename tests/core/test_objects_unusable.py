"""An objects folder that stops being a folder is one sentence, whether found on opening or on the next write."""

from __future__ import annotations

import shutil

import pytest

from desktop_app.core.errors import ProjectError
from desktop_app.core.project import Project


def _replace_objects_with_a_file(folder):
    shutil.rmtree(folder / "objects")
    (folder / "objects").write_text("not a folder")


def test_objects_replaced_by_a_file_is_named_on_opening(tmp_path):
    Project.create(tmp_path / "proj", "P").close()
    _replace_objects_with_a_file(tmp_path / "proj")
    with pytest.raises(ProjectError, match=r"objects folder .* cannot be used \(it is a file, not a folder\)"):
        Project.open(tmp_path / "proj")


def test_objects_replaced_by_a_file_is_named_on_the_first_write(tmp_path):
    with Project.create(tmp_path / "proj", "P") as project:  # open in the window while the folder changes
        _replace_objects_with_a_file(tmp_path / "proj")
        with pytest.raises(ProjectError, match=r"objects folder .* cannot be used \(it is a file, not a folder\)"):
            project.objects.put_bytes(b"a report")
