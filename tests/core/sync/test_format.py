"""The shared folder's files: a batch is read whole or not at all; write-once names; strays reported."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.errors import IntegrityError
from desktop_app.core.store.hlc import Stamp, next_stamp, seen
from desktop_app.core.sync.batch import (
    GENESIS,
    Batch,
    BatchHeader,
    NotDelivered,
    batch_name,
    encode_batch,
    read_batch,
    seq_of,
)
from desktop_app.core.sync.folder import FORMAT, SharedFolder, SyncError

HEADER = BatchHeader(format=1, schema="0006", project="p", workstation="w1", seq=3, prev=GENESIS,
                     created_at="2026-12-04T10:00:00Z")
RECORDS = [{"kind": "dataset_version", "id": "a", "rows": 5}, {"kind": "audit", "id": "b", "reason": "ünïcode"}]


def test_a_whole_batch_reads_back_with_its_hash():
    data = encode_batch(HEADER, RECORDS)
    batch = read_batch(data)
    assert isinstance(batch, Batch)
    assert batch.header == HEADER and list(batch.records) == RECORDS
    assert len(batch.sha256) == 64


def test_every_cut_of_a_batch_is_not_delivered_never_half_read():
    data = encode_batch(HEADER, RECORDS)
    for cut in range(len(data)):
        assert isinstance(read_batch(data[:cut]), NotDelivered), cut


def test_a_zero_byte_placeholder_and_a_changed_byte_are_not_batches():
    data = encode_batch(HEADER, RECORDS)
    assert "empty" in read_batch(b"").reason
    changed = bytearray(data)
    changed[data.index(b"rows") + 7] ^= 1
    assert isinstance(read_batch(bytes(changed)), NotDelivered)
    assert isinstance(read_batch(b"hello\nworld\n"), NotDelivered)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(min_size=1, max_size=5), st.one_of(st.integers(), st.text(max_size=20),
                                                                           st.none(), st.booleans())), max_size=5),
       st.binary(max_size=40))
def test_any_records_round_trip_and_any_garbage_is_refused(records, garbage):
    assert list(read_batch(encode_batch(HEADER, records)).records) == records
    outcome = read_batch(garbage)
    assert isinstance(outcome, NotDelivered)


def test_batch_names_sort_by_number_and_nothing_else_is_a_batch():
    assert batch_name(7) == "000000000007.jsonl" and seq_of(batch_name(7)) == 7
    for other in ("000000000007-DESKTOP-1.jsonl", "000000000007 (1).jsonl", "7.jsonl", ".000000000007.jsonl.part",
                  "000000000007.jsonl.tmp", "000000000007.sync-conflict-20261204-1.jsonl"):
        assert seq_of(other) is None, other


def test_link_writes_format_once_and_refuses_other_projects_and_newer_formats(tmp_path):
    shared = SharedFolder(tmp_path / "Shared")
    document = shared.link("project-1", "Heart study")
    assert document["format"] == FORMAT and document["project"] == "project-1"
    assert shared.link("project-1", "Heart study") == document          # again: fine, nothing rewritten
    with pytest.raises(SyncError, match="belongs to another project"):
        shared.link("project-2", "Other")
    (tmp_path / "Shared" / "FORMAT").write_text(json.dumps({"format": FORMAT + 1, "project": "project-1"}))
    with pytest.raises(SyncError, match="upgrade MLDesk"):
        shared.link("project-1", "Heart study")


def test_link_refuses_a_folder_holding_other_files_or_a_file(tmp_path):
    (tmp_path / "Busy").mkdir()
    (tmp_path / "Busy" / "notes.txt").write_text("mine")
    with pytest.raises(SyncError, match="already holds other files"):
        SharedFolder(tmp_path / "Busy").link("p", "P")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SyncError, match="is a file"):
        SharedFolder(tmp_path / "a-file").link("p", "P")


def test_write_once_never_rewrites_a_name(tmp_path):
    shared = SharedFolder(tmp_path)
    target = tmp_path / "journal" / "w1" / batch_name(1)
    assert shared.write_once(target, b"abc") is True
    assert shared.write_once(target, b"abc") is False
    with pytest.raises(IntegrityError, match="written once"):
        shared.write_once(target, b"abd")
    assert target.read_bytes() == b"abc"
    assert [p.name for p in target.parent.iterdir()] == [batch_name(1)]   # no temporary left


def test_objects_are_verified_both_ways(tmp_path):
    import hashlib

    source = tmp_path / "blob"
    source.write_bytes(b"model bytes")
    sha = hashlib.sha256(b"model bytes").hexdigest()
    shared = SharedFolder(tmp_path / "Shared")
    assert shared.object_state(sha) == "missing"
    assert shared.publish_object(source, sha) is True and shared.object_state(sha) == "ok"
    assert shared.publish_object(source, sha) is False
    shared.object_path(sha).write_bytes(b"tampered")
    assert shared.object_state(sha) == "damaged"
    with pytest.raises(IntegrityError, match="damaged"):
        shared.publish_object(source, sha)


def test_strays_are_reported_by_kind_and_left_alone(tmp_path):
    shared = SharedFolder(tmp_path)
    folder = tmp_path / "journal" / "w1"
    folder.mkdir(parents=True)
    names = {batch_name(1): None, batch_name(2) + ".part": "in transit", ".mldesk-tmp-x.1.2.ab": "in transit",
             "000000000002.sync-conflict-20261204-120000-ABC.jsonl": "conflict copy",
             "000000000003-DESKTOP-PC7.jsonl": "conflict copy", "000000000004 (1).jsonl": "conflict copy",
             "000000000001.JSONL": "case variant", "readme.txt": "unknown"}
    for name in names:
        (folder / name).write_bytes(b"x")
    found = {s.path.name: s.kind for s in shared.strays()}
    assert found == {n: k for n, k in names.items() if k is not None}
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)        # nothing deleted
    assert shared.batches("w1") == {1: folder / batch_name(1)}


def test_the_clock_orders_changes_even_when_the_wall_clock_goes_back():
    a1 = next_stamp(None, "a", now_ms=1_000)
    a2 = next_stamp(a1, "a", now_ms=900)         # the wall clock went back: still later
    assert a2 > a1 and a2.millis == 1_000 and a2.counter == 1
    b1 = next_stamp(seen(None, a2), "b", now_ms=500)   # b saw a2: its next change is later, whatever its clock
    assert b1 > a2
    assert Stamp.parse(str(b1)) == b1
    assert sorted([str(b1), str(a2), str(a1)]) == [str(a1), str(a2), str(b1)]
