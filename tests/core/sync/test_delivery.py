"""A sync client that delivers the shared folder late, out of order, in pieces, twice, or with its own copies.

A fake client copies the files of a real shared folder (three workstations' work) into the
folder a receiving workstation syncs with, in an order hypothesis chooses; the receiver syncs
at random moments. Whatever the order, cuts and repeats, the receiver ends in the same state
as the workstations themselves, and never applies half a batch or a damaged file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.project import Project
from desktop_app.core.sync.batch import batch_name
from tests.core.sync.helpers import state, sync_until_quiet, three_workstations


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The shared folder of three workstations that synced until quiet, and their common state."""
    root = tmp_path_factory.mktemp("team")
    shared, projects = three_workstations(root)
    sync_until_quiet(projects)
    reference = state(projects[0])
    project_id = projects[0].id
    for project in projects:
        project.close()
    files = sorted(p.relative_to(shared) for p in shared.rglob("*") if p.is_file() and p.name != "FORMAT")
    return shared, files, reference, project_id


def _receiver(folder: Path, shared: Path, project_id: str) -> Project:
    delivered = folder / "delivered"
    delivered.mkdir(parents=True)
    shutil.copy(shared / "FORMAT", delivered / "FORMAT")
    project = Project.create(folder / "receiver", name="Team", project_id=project_id)
    project.sync.link(delivered)
    return project


def _deliver(shared: Path, delivered: Path, name: Path, cut: float | None = None) -> None:
    target = delivered / name
    target.parent.mkdir(parents=True, exist_ok=True)
    data = (shared / name).read_bytes()
    target.write_bytes(data if cut is None else data[: int(len(data) * cut)])


def _finish(project: Project, shared: Path, files: list[Path]) -> None:
    delivered = project.sync.folder
    for name in files:
        _deliver(shared, delivered, name)
    for _ in range(5):
        if project.sync.sync().applied == 0:
            break


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_delivery_order_with_cuts_and_repeats_converges(source, tmp_path_factory, data):
    shared, files, reference, project_id = source
    receiver = _receiver(tmp_path_factory.mktemp("receiver"), shared, project_id)
    try:
        order = data.draw(st.permutations(files))
        for name in order:
            if name.suffix == ".jsonl" and data.draw(st.booleans()):     # first a piece of it, synced on
                _deliver(shared, receiver.sync.folder, name, cut=data.draw(st.floats(0, 0.99)))
                receiver.sync.sync()
            _deliver(shared, receiver.sync.folder, name)
            if data.draw(st.booleans()):                                 # delivered again: the same bytes
                _deliver(shared, receiver.sync.folder, name)
            if data.draw(st.integers(0, 3)) == 0:
                receiver.sync.sync()
        _finish(receiver, shared, files)
        assert state(receiver, exclude_origin=receiver.workstation_id) == reference
        assert receiver.verify_audit().intact
    finally:
        receiver.close()


def _journal(files: list[Path]) -> list[Path]:
    return [f for f in files if f.parts[0] == "journal"]


def _objects(files: list[Path]) -> list[Path]:
    return [f for f in files if f.parts[0] == "objects"]


def test_records_wait_for_their_objects_and_then_apply(source, tmp_path):
    shared, files, reference, project_id = source
    receiver = _receiver(tmp_path, shared, project_id)
    with receiver:
        for name in _journal(files):
            _deliver(shared, receiver.sync.folder, name)
        report = receiver.sync.sync()
        assert report.waiting and all("not delivered yet" in w["reason"] for w in report.waiting)
        assert receiver.sync.status().waiting == report.waiting
        _finish(receiver, shared, files)
        assert state(receiver, exclude_origin=receiver.workstation_id) == reference
        assert receiver.sync.status().waiting == []


def test_a_placeholder_and_a_later_batch_before_an_earlier_one_wait(source, tmp_path):
    shared, files, reference, project_id = source
    receiver = _receiver(tmp_path, shared, project_id)
    with receiver:
        for name in _objects(files):
            _deliver(shared, receiver.sync.folder, name)
        workstation = max({f.parts[1] for f in _journal(files)},
                          key=lambda w: len([f for f in _journal(files) if f.parts[1] == w]))
        first, second = (Path("journal", workstation, batch_name(n)) for n in (1, 2))
        _deliver(shared, receiver.sync.folder, second)
        (receiver.sync.folder / first).write_bytes(b"")                    # a zero-byte placeholder
        waiting = receiver.sync.sync().waiting
        assert any(w["workstation"] == workstation and w["batch"] == 1 and "empty" in w["reason"] for w in waiting)
        _finish(receiver, shared, files)
        assert state(receiver, exclude_origin=receiver.workstation_id) == reference


def test_conflict_copies_and_temporaries_are_reported_never_applied_or_deleted(source, tmp_path):
    shared, files, reference, project_id = source
    receiver = _receiver(tmp_path, shared, project_id)
    with receiver:
        journal = _journal(files)[0]
        folder = receiver.sync.folder / journal.parent
        folder.mkdir(parents=True, exist_ok=True)
        copies = [folder / "000000000001.sync-conflict-20261205-101010-PC7.jsonl",
                  folder / "000000000001 (conflicted copy 2026-12-05).jsonl", folder / "000000000001.jsonl.part"]
        for copy in copies:
            copy.write_bytes((shared / journal).read_bytes())
        _finish(receiver, shared, files)
        report = receiver.sync.sync()
        assert len(report.strays) == 3
        assert all(copy.exists() for copy in copies)
        assert state(receiver, exclude_origin=receiver.workstation_id) == reference


def test_a_tampered_object_is_refused_and_nothing_of_its_batch_applied(source, tmp_path):
    shared, files, reference, project_id = source
    receiver = _receiver(tmp_path, shared, project_id)
    with receiver:
        for name in files:
            _deliver(shared, receiver.sync.folder, name)
        victim = receiver.sync.folder / _objects(files)[0]
        victim.write_bytes(victim.read_bytes() + b"tampered")
        report = receiver.sync.sync()
        assert any("damaged in the shared folder" in w["reason"] for w in report.waiting)
        assert not receiver.objects.exists(victim.parent.name + victim.name)
        _deliver(shared, receiver.sync.folder, _objects(files)[0])        # the good copy comes back
        _finish(receiver, shared, files)
        assert state(receiver, exclude_origin=receiver.workstation_id) == reference


def test_a_batch_from_a_newer_mldesk_stops_that_stream_with_upgrade(source, tmp_path):
    shared, files, _, project_id = source
    receiver = _receiver(tmp_path, shared, project_id)
    with receiver:
        for name in files:
            _deliver(shared, receiver.sync.folder, name)
        first = _journal(files)[0]
        lines = (receiver.sync.folder / first).read_text().splitlines()
        header = json.loads(lines[0])
        header["schema"] = "9999"
        from desktop_app.core.sync.batch import BatchHeader, encode_batch

        records = [json.loads(line) for line in lines[1:-1]]
        (receiver.sync.folder / first).write_bytes(encode_batch(BatchHeader(
            header["format"], header["schema"], header["project"], header["workstation"], header["seq"],
            header["prev"], header["created_at"]), records))
        report = receiver.sync.sync()
        assert any("upgrade MLDesk" in w["reason"] and w["workstation"] == first.parts[1] for w in report.waiting)
