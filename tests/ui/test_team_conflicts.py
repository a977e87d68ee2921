"""An alias moved on two workstations at once: the Registry marks it, the dialog settles it (from the Registry
and from the Team place), the mark clears, the database says so, and the other workstation follows.

A is a colleague's MLDesk driven through the core; B is open in the window.
"""

from __future__ import annotations

import pytest

from tests.ui.helpers import click, wait_idle
from tests.ui.sync_helpers import (
    MODEL,
    alias_conflicts,
    badge,
    close_window,
    ctrl_enter,
    move_production_on_both,
    open_in,
    team_of_two,
)


@pytest.fixture
def conflict(tmp_path):
    shared, a, b = team_of_two(tmp_path)
    move_production_on_both(a, b)
    assert len(alias_conflicts(b)) == 1
    yield a, b
    a.close()
    b.close()


def registry_loaded(qtbot, window):
    step = window.registry_step
    window.navigator.select("registry")
    qtbot.waitUntil(lambda: not step.loading and step.tree.item_for(MODEL) is not None, timeout=10_000)
    return step


def chips(step, number):
    from desktop_app.ui.steps.registry.tree import ALIAS_COL, CHIPS_ROLE

    return [text for text, _kind in step.tree.item_for(MODEL, number).data(ALIAS_COL, CHIPS_ROLE)]


def settle(qtbot, dialog, number, reason):
    card = next(c for c in dialog.cards if c.value.value == number)
    click(qtbot, card)                                     # anywhere on the card picks it
    assert dialog.chosen() is card.value
    qtbot.keyClicks(dialog.reason, reason)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)


def test_the_registry_marks_the_conflict_and_its_dialog_settles_it(qtbot, window, conflict):
    a, b = conflict
    open_in(qtbot, window, b)
    assert badge(window) == "⟳ Synced just now · 1 conflict"
    step = registry_loaded(qtbot, window)
    assert step.tree.item_for(MODEL).text(0).endswith("⚠ conflict")
    assert chips(step, 3) == ["⚠ production"] and chips(step, 2) == ["⚠ production?"] and chips(step, 1) == []
    assert window.navigator.state("registry").value == "needs attention"
    step.tree.select(MODEL, 3)
    details = step.details
    assert details.banner.isVisible() and "risk@production was changed on two workstations at once" in \
        details.banner_text.text()
    details.tabs.setCurrentWidget(details.aliases)
    aliases = details.aliases
    assert aliases.table.item(0, 0).text() == "⚠ production"
    assert aliases.resolve_button.isVisible() and aliases.resolve_button.isEnabled()

    click(qtbot, aliases.resolve_button)
    dialog = step.conflict_dialog
    assert dialog.isVisible()
    cards = {card.value.value: card for card in dialog.cards}
    assert set(cards) == {2, 3}
    assert cards[3].in_use.text() == "in use now" and cards[2].in_use.text() == ""
    assert cards[2].value.reason == "A: better recall" and cards[3].value.reason == "B: trained on newer data"
    assert cards[2].value.before == cards[3].value.before == 1
    assert not dialog.ok_button.isEnabled()               # nothing picked yet
    card = cards[2]
    click(qtbot, card)
    click(qtbot, dialog.ok_button)                        # no reason: refused in the dialog
    assert dialog.isVisible() and dialog.error.isVisible() and "Say why v2" in dialog.error.text()
    qtbot.keyClicks(dialog.reason, "agreed with A: recall matters most")
    assert dialog.ok_button.text() == "Point production at v2"
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    # The mark is gone, the database agrees, and the choice waits to be sent.
    qtbot.waitUntil(lambda: not step.loading and "⚠" not in step.tree.item_for(MODEL).text(0), timeout=10_000)
    assert chips(step, 2) == ["production"] and chips(step, 3) == []
    assert not details.banner.isVisible() and not aliases.resolve_button.isVisible()
    assert alias_conflicts(b) == [] and b.registry.get_model(MODEL).aliases["production"] == 2
    qtbot.waitUntil(lambda: badge(window) == "⟳ Synced just now · 1 to send", timeout=10_000)

    # Sync now: the colleague's workstation follows, its conflict cleared too.
    window.navigator.select("team")
    ctrl_enter(qtbot, window)
    assert window.team_sync.syncing
    qtbot.waitUntil(lambda: not window.team_sync.syncing, timeout=20_000)
    assert badge(window) == "⟳ Synced just now", (badge(window), window.team_sync.error)
    a.sync.sync()
    assert alias_conflicts(a) == [] and a.registry.get_model(MODEL).aliases["production"] == 2
    close_window(qtbot, window)


def test_the_team_places_conflict_list_opens_the_same_dialog(qtbot, window, conflict):
    from desktop_app.ui.widgets.conflict_dialog import ConflictDialog

    _a, b = conflict
    open_in(qtbot, window, b)
    registry = registry_loaded(qtbot, window)
    window.navigator.select("team")
    team = window.team_step
    item = team.attention.current()
    assert item.kind == "conflict" and item.title == "risk@production: v2 or v3"
    assert "• v1 → v2 by" in item.sentence and "“A: better recall”" in item.sentence
    assert team.attention.resolve_button.isVisible()
    click(qtbot, team.attention.resolve_button)
    dialog = team.dialog
    assert isinstance(dialog, ConflictDialog) and dialog.isVisible()
    settle(qtbot, dialog, 3, "keep the newer data")

    # The Team place and the Registry both clear their marks, without F5.
    qtbot.waitUntil(lambda: all(i.kind != "conflict" for i in team.attention.items), timeout=10_000)
    qtbot.waitUntil(lambda: not registry.loading and "⚠" not in registry.tree.item_for(MODEL).text(0),
                    timeout=10_000)
    assert alias_conflicts(b) == [] and b.registry.get_model(MODEL).aliases["production"] == 3
    assert window.navigator.state("registry").value != "needs attention"
    wait_idle(qtbot, window.runner)
    close_window(qtbot, window)
