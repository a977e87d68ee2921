"""One batch of change records in the shared folder: `journal/<workstation>/<seq>.jsonl`, whole or not at all.

A sync client (OneDrive, Dropbox, Syncthing, an SMB copy) may deliver a file late, in pieces,
or as a zero-byte placeholder first. A batch therefore carries a header and a trailer:

    {"mldesk_batch": 1, "format": 1, "schema": "0006", "project": …, "workstation": …, "seq": 7,
     "prev": "<SHA-256 of batch 6's bytes>", "created_at": …, "records": 2}
    {record}
    {record}
    {"end": 7, "records": 2, "sha256": "<SHA-256 of every byte above this line>"}

`read_batch` answers with the batch only when the trailer is there and both the count and the
hash agree; anything less is `NotDelivered` (wait for the rest), never a half-read batch.
`prev` chains a workstation's batches, so a batch replaced or forked later is noticed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

BATCH_MARK = "mldesk_batch"
GENESIS = "0" * 64


@dataclass(frozen=True)
class BatchHeader:
    format: int
    schema: str
    project: str
    workstation: str
    seq: int
    prev: str
    created_at: str

    def to_dict(self, records: int) -> dict[str, Any]:
        return {BATCH_MARK: 1, "format": self.format, "schema": self.schema, "project": self.project,
                "workstation": self.workstation, "seq": self.seq, "prev": self.prev,
                "created_at": self.created_at, "records": records}


@dataclass(frozen=True)
class Batch:
    header: BatchHeader
    records: tuple[dict[str, Any], ...]
    sha256: str                                  # of the whole file: the next batch's `prev`


@dataclass(frozen=True)
class NotDelivered:
    """A file that is not a whole batch (yet): still being copied, truncated, or not a batch at all."""

    reason: str
    details: dict[str, Any] = field(default_factory=dict)


def encode_batch(header: BatchHeader, records: list[dict[str, Any]]) -> bytes:
    lines = [_line(header.to_dict(len(records)))] + [_line(r) for r in records]
    body = b"".join(lines)
    trailer = _line({"end": header.seq, "records": len(records), "sha256": hashlib.sha256(body).hexdigest()})
    return body + trailer


def read_batch(data: bytes) -> Batch | NotDelivered:
    """The batch in `data`, or why it is not (yet) a whole one."""
    if not data:
        return NotDelivered("empty (a placeholder, or the copy has not started)")
    if not data.endswith(b"\n"):
        return NotDelivered("cut off (the last line is incomplete)")
    body_end = data.rstrip(b"\n").rfind(b"\n") + 1
    body, last = data[:body_end], data[body_end:]
    try:
        trailer = json.loads(last)
        lines = [json.loads(line) for line in body.splitlines()]
    except (ValueError, UnicodeDecodeError):
        return NotDelivered("not readable as a batch (damaged, or not written by MLDesk)")
    if not isinstance(trailer, dict) or "end" not in trailer:
        return NotDelivered("cut off (no closing line)")
    if not lines or not isinstance(lines[0], dict) or lines[0].get(BATCH_MARK) != 1:
        return NotDelivered("not a batch (no MLDesk header)")
    head, records = lines[0], lines[1:]
    if hashlib.sha256(body).hexdigest() != trailer.get("sha256") or len(records) != trailer.get("records") \
            or head.get("records") != len(records) or trailer.get("end") != head.get("seq"):
        return NotDelivered("incomplete or altered (its checksum does not match)")
    try:
        header = BatchHeader(int(head["format"]), str(head["schema"]), str(head["project"]),
                             str(head["workstation"]), int(head["seq"]), str(head["prev"]), str(head["created_at"]))
    except (KeyError, TypeError, ValueError):
        return NotDelivered("not a batch (its header lacks a field)")
    return Batch(header, tuple(records), hashlib.sha256(data).hexdigest())


def batch_name(seq: int) -> str:
    return f"{seq:012d}.jsonl"


def seq_of(name: str) -> int | None:
    """The sequence number of a batch file name (`000000000007.jsonl` → 7), None for any other name."""
    stem, dot, suffix = name.partition(".")
    return int(stem) if dot and suffix == "jsonl" and len(stem) == 12 and stem.isdigit() else None


def _line(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
