"""`project.bundles.listing` and `last_export`: what a bundle on disk holds, and a version's newest export."""

from __future__ import annotations

import shutil

import pytest

from desktop_app.core.bundles.service import EXPORT_ACTION
from tests.core.bundle_helpers import MODEL, export_heart


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    with export_heart(tmp_path_factory.mktemp("listing")) as (project, result):
        yield project, result


def test_a_folder_and_its_zip_list_the_same_files_and_card(exported, tmp_path):
    project, result = exported
    folder = project.bundles.listing(result.path)
    assert not folder.zipped and folder.path == result.path
    assert [name for name, _ in folder.files] == sorted(result.files)
    assert folder.size == result.size_bytes and "heart-risk — version 1" in folder.card
    zipped = project.bundles.listing(shutil.make_archive(str(tmp_path / "copy"), "zip", result.path.parent,
                                                         result.path.name))
    assert zipped.zipped and zipped.files == folder.files and zipped.card == folder.card


def test_last_export_is_the_newest_export_event_with_its_bundle(exported, tmp_path):
    project, result = exported
    version = project.registry.resolve(MODEL)
    last = project.bundles.last_export(version)
    assert last.event.action == EXPORT_ACTION and last.event.after["path"] == str(result.path)
    assert last.listing == project.bundles.listing(result.path)
    assert project.bundles.last_export(version.id) == last

    again = project.bundles.export(MODEL, tmp_path / "again", zip=True, verify=False)
    newest = project.bundles.last_export(version)
    assert newest.event.after["path"] == str(again.path) and newest.listing.zipped
    again.path.unlink()   # the bundle went away: the event is still shown, without a listing
    assert project.bundles.last_export(version).listing is None


def test_a_version_never_exported_has_no_last_export(exported):
    project, result = exported
    assert project.bundles.last_export("no-such-version-id") is None
