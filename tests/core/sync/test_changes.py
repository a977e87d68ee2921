"""Mutable settings as stamped changes: later changes win, concurrent ones are a conflict, arrival order is moot."""

from __future__ import annotations

import itertools

from desktop_app.core.store import changes
from desktop_app.core.store.changes import Change
from desktop_app.core.store.hlc import Stamp

KEY = "alias:m:production"


def _change(event_id, millis, workstation, replaces, version):
    return Change(event_id, KEY, str(Stamp(millis, 0, workstation)), tuple(replaces), {"version_id": version})


def test_local_changes_replace_each_other(project):
    with project.db.session() as session:
        first = changes.record(session, "e1", KEY, {"version_id": "v1"})
        second = changes.record(session, "e2", KEY, {"version_id": "v2"})
        assert first.replaces == () and second.replaces == ("e1",)
        assert second.stamp > first.stamp
        assert [c.event_id for c in changes.heads(session, KEY)] == ["e2"]
        assert changes.winner(session, KEY).value == {"version_id": "v2"}
        assert changes.conflicted_keys(session) == []


def test_concurrent_changes_are_a_conflict_with_one_winner_and_a_choice_clears_it(project):
    base = _change("e0", 1000, "a", [], "v1")
    on_a = _change("ea", 2000, "a", ["e0"], "v2")
    on_b = _change("eb", 1500, "b", ["e0"], "v3")     # b's clock is behind: a's change still wins by stamp
    with project.db.session() as session:
        for change in (base, on_a, on_b):
            changes.apply(session, change)
        assert {c.event_id for c in changes.heads(session, KEY)} == {"ea", "eb"}
        assert changes.conflicted_keys(session, "alias:") == [KEY]
        assert changes.winner(session, KEY).event_id == "ea"
        choice = changes.record(session, "ec", KEY, {"version_id": "v3"})
        assert set(choice.replaces) == {"ea", "eb"} and choice.stamp > on_a.stamp   # later than all it saw
        assert changes.conflicted_keys(session) == []
        assert changes.winner(session, KEY).value == {"version_id": "v3"}


def test_any_arrival_order_gives_the_same_heads_and_winner(tmp_path):
    from desktop_app.core.project import Project

    history = [_change("e0", 1000, "a", [], "v1"), _change("ea", 2000, "a", ["e0"], "v2"),
               _change("eb", 1500, "b", ["e0"], "v3"), _change("ec", 2500, "b", ["ea", "eb"], "v4"),
               _change("ed", 2400, "c", ["ea"], "v5")]
    outcomes = set()
    with Project.create(tmp_path / "p") as project:
        for i, order in enumerate(itertools.permutations(history)):
            if i % 7:            # a spread of the 120 orders keeps this quick
                continue
            key = f"{KEY}:{i}"
            with project.db.session() as session:
                for change in order:
                    changes.apply(session, Change(f"{change.event_id}:{i}", key, change.stamp,
                                                  tuple(f"{r}:{i}" for r in change.replaces), change.value))
                heads = sorted(c.event_id.split(":")[0] for c in changes.heads(session, key))
                outcomes.add((tuple(heads), changes.winner(session, key).value["version_id"]))
    assert outcomes == {(("ec", "ed"), "v4")}


def test_applying_a_change_twice_changes_nothing(project):
    change = _change("e9", 3000, "b", [], "v1")
    with project.db.session() as session:
        assert changes.apply(session, change) is True
        assert changes.apply(session, change) is False
        assert len(changes.heads(session, KEY)) == 1
        assert changes.state(session).clock >= change.stamp    # later local stamps will exceed it
