"""The audit trail as a hash chain: an edited, removed or inserted event is found, and where.

Each workstation (origin) numbers its events 1, 2, … and each event's `hash` is the
SHA-256 of its canonical JSON — every field the trail shows plus the `prev_hash` of the
event before it in its origin's chain. Changing any event changes its hash; removing or
inserting one breaks the sequence or the link after it. Chains are per origin so that
trails from several workstations merge (sync) without rewriting either.

What a chain cannot show on its own: the newest events removed together with nothing
after them. `verify` therefore reports each chain's head (sequence and hash): an auditor
who noted it can later check that the trail still reaches it.

The canonical form below is a stored format: changing it would break every existing chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = ("id", "origin", "seq", "at", "user", "host", "action", "entity_type", "entity_id", "before",
                 "after", "reason", "prev_hash")


def plain(value: Any) -> Any:
    """`value` as it comes back from a JSON column (tuples become lists, keys strings)."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: Mapping[str, Any]) -> str:
    """The SHA-256 of an event's canonical JSON (`event` has every name in HASHED_FIELDS)."""
    canonical = {name: event[name] for name in HASHED_FIELDS}
    canonical["at"] = at_text(event["at"])
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    origin: str
    seq: int
    event_id: str
    action: str
    at: datetime | None
    problem: str

    def sentence(self) -> str:
        when = f" ({self.action}, {at_text(self.at)[:19].replace('T', ' ')} UTC)" if self.at else ""
        return f"Event {self.seq} of workstation {self.origin[:8]}{when} {self.problem}."


@dataclass(frozen=True)
class ChainHead:
    origin: str
    seq: int
    hash: str


@dataclass(frozen=True)
class ChainReport:
    events: int
    heads: tuple[ChainHead, ...]
    breaks: tuple[ChainBreak, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks

    def summary(self) -> str:
        if self.intact:
            chains = "one chain" if len(self.heads) == 1 else f"{len(self.heads)} chains"
            return f"The audit trail is intact: {self.events:,} events in {chains}, every link verified."
        return (f"The audit trail has been altered: {len(self.breaks)} problem(s) in {self.events:,} events; "
                f"first: {self.breaks[0].sentence()}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact, "events": self.events,
            "heads": [{"origin": h.origin, "seq": h.seq, "hash": h.hash} for h in self.heads],
            "breaks": [{"origin": b.origin, "seq": b.seq, "event_id": b.event_id, "action": b.action,
                        "at": at_text(b.at) if b.at else None, "problem": b.sentence()} for b in self.breaks],
        }


def verify_events(events: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Check events given in (origin, seq) order; every break is reported, then the walk goes on."""
    breaks: list[ChainBreak] = []
    heads: list[ChainHead] = []
    count = 0
    origin, expected, previous = None, 1, GENESIS
    for event in events:
        count += 1
        if event["origin"] != origin:
            if origin is not None:
                heads.append(ChainHead(origin, expected - 1, previous))
            origin, expected, previous = event["origin"], 1, GENESIS
        problems = []
        if event["seq"] != expected:
            gap = (f"{expected}" if event["seq"] == expected + 1 else f"{expected} to {event['seq'] - 1}")
            problems.append(f"follows a gap: event {gap} was removed" if event["seq"] > expected
                            else f"repeats or goes back in the sequence (expected {expected})")
        elif event["prev_hash"] != previous:
            problems.append("does not link to the event before it (an event was removed, inserted or replaced)")
        if event_hash(event) != event["hash"]:
            problems.append("was changed after it was written (its content no longer matches its hash)")
        breaks.extend(ChainBreak(event["origin"], event["seq"], event["id"], event["action"], event["at"], text)
                      for text in problems)
        expected, previous = event["seq"] + 1, event["hash"]
    if origin is not None:
        heads.append(ChainHead(origin, expected - 1, previous))
    return ChainReport(count, tuple(heads), tuple(breaks))
