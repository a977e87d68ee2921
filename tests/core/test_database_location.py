"""A project's database is refused on a network drive or in a cloud-synced folder, with a sentence saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.errors import ProjectError
from desktop_app.core.project import Project
from desktop_app.core.store import location

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /mnt/team rw,relatime shared:20 - nfs4 filer:/export/team rw,vers=4.2
41 22 0:36 / /mnt/win\\040share rw,relatime shared:21 - cifs //pc/share rw
42 40 8:2 / /mnt/team/local-cache rw - ext4 /dev/sdb1 rw
"""

MOUNT_OUTPUT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//ana@filer/Projects on /Volumes/Projects (smbfs, nodev, nosuid, mounted by ana)
"""


def test_mount_tables_are_read_with_the_longest_matching_mount_point(monkeypatch):
    mounts = location.parse_mountinfo(MOUNTINFO)
    assert ("/mnt/win share", "cifs") in mounts
    monkeypatch.setattr(location, "_linux_mounts", lambda: mounts)
    monkeypatch.setattr(location.sys, "platform", "linux")
    assert location.network_file_system(Path("/mnt/team/models/heart")) == "nfs4"
    assert location.network_file_system(Path("/mnt/win share/p")) == "cifs"
    assert location.network_file_system(Path("/mnt/team/local-cache/p")) is None   # a local disk mounted below
    assert location.network_file_system(Path("/mnt/teamwork")) is None              # not below /mnt/team
    assert location.parse_mount_output(MOUNT_OUTPUT)[1] == ("/Volumes/Projects", "smbfs")


@pytest.mark.parametrize("marker, client", [(".dropbox", "Dropbox"), (".stfolder", "Syncthing"),
                                            (".owncloudsync.log", "ownCloud/Nextcloud")])
def test_a_folder_a_sync_client_copies_is_refused(tmp_path, marker, client):
    synced = tmp_path / "Synced"
    (synced / marker).mkdir(parents=True)  # a file or a folder: the client's marker only has to be there
    with pytest.raises(ProjectError, match=f"inside a folder that {client} copies") as info:
        Project.create(synced / "deep" / "heart")
    assert "mldesk sync" in str(info.value)
    assert not (synced / "deep").exists()  # nothing was created


def test_opening_a_project_on_a_network_drive_is_refused_and_an_override_exists(tmp_path, monkeypatch):
    Project.create(tmp_path / "p").close()
    monkeypatch.setattr(location, "network_file_system", lambda path: "nfs4")
    with pytest.raises(ProjectError, match=r"on a network drive \(nfs4\).*local disk"):
        Project.open(tmp_path / "p")
    monkeypatch.setenv(location.ALLOW_ENV, "1")
    Project.open(tmp_path / "p").close()


def test_onedrive_is_known_by_its_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("OneDrive", str(tmp_path / "OneDrive - Contoso"))
    assert location.sync_client(tmp_path / "OneDrive - Contoso" / "Projects") == "OneDrive"
    assert location.sync_client(tmp_path / "Elsewhere") is None


def test_a_team_database_url_is_not_a_file_on_a_share(tmp_path, monkeypatch):
    monkeypatch.setattr(location, "network_file_system", lambda path: "cifs")
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    Project.create(tmp_path / "p", database_url=url).close()  # the URL names the database: not this folder's
