"""A hybrid logical clock: an order of changes that every workstation agrees on, and that respects
"this change was made after seeing that one" even when the computers' clocks disagree.

A stamp is (milliseconds, counter, workstation), written `"<ms:015d>-<counter:06d>-<workstation>"` so
that comparing the strings compares the stamps. Each workstation keeps the largest stamp it has
made or received; a new stamp is larger than all of those (Kulkarni et al., 2014). Two changes
with no order between them (made without seeing each other) are concurrent; the stamps still
put them in one order, which decides the winner everywhere the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Stamp:
    millis: int
    counter: int
    workstation: str

    def __str__(self) -> str:
        return f"{self.millis:015d}-{self.counter:06d}-{self.workstation}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        millis, counter, workstation = text.split("-", 2)
        return cls(int(millis), int(counter), workstation)


def next_stamp(last: Stamp | None, workstation: str, now_ms: int | None = None) -> Stamp:
    """A stamp later than `last` (the largest this workstation has seen) and than the clock."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if last is None or now > last.millis:
        return Stamp(now, 0, workstation)
    return Stamp(last.millis, last.counter + 1, workstation)


def seen(last: Stamp | None, received: Stamp) -> Stamp:
    """The largest stamp after receiving `received` (the next local stamp will exceed it)."""
    return received if last is None or received > last else last
