"""Words for registered models that the Registry, Export and Monitor steps share (no Qt): which
aliases come first, and which reference a model picker starts on.

A model picker lists `name@alias` before `name@N`; the well-known aliases lead, in one order
everywhere, so the same model reads the same way in every step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The well-known aliases, in the order model pickers list them and pick a default by.
ALIAS_ORDER = ("production", "champion", "staging", "challenger")


def ordered_aliases(aliases: Mapping[str, int]) -> list[tuple[str, int]]:
    """A model's (alias, version number) pairs: the well-known aliases first (in `ALIAS_ORDER`), then by name."""
    rank = {alias: i for i, alias in enumerate(ALIAS_ORDER)}
    return sorted(aliases.items(), key=lambda a: (rank.get(a[0], len(ALIAS_ORDER)), a[0]))


def first_well_known(refs: Iterable[str]) -> str | None:
    """The first of `refs` ('heart-risk@production', 'heart-risk@2', …) naming a well-known alias,
    taking the aliases in `ALIAS_ORDER`; None when none does."""
    refs = list(refs)
    for alias in ALIAS_ORDER:
        found = next((r for r in refs if r.endswith(f"@{alias}")), None)
        if found is not None:
            return found
    return None
