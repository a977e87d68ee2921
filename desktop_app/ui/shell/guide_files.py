"""Where the user guide is, and which section of it belongs to each step. No Qt: the build test reads it.

An installed MLDesk carries a copy of `docs/` (the guide, the pages it links to, its screenshots) in
`desktop_app/resources/guide/`, put there when the wheel is built (`build_guide.py` at the repository
root); a checkout or an editable install reads `docs/` itself. Sections are named by GitHub's heading
slugs, so an anchor that works here also works in the guide on GitHub.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from desktop_app.core.errors import MLDeskError

GUIDE_FILE = "user_guide.md"
PACKAGED_DIR = ("resources", "guide")   # inside the desktop_app package, in a built wheel
CHECKOUT_DIR = Path(__file__).resolve().parents[3] / "docs"

# Step key → the slug of its section's heading (tests/ui/test_guide.py: each one is a heading of the guide).
STEP_SECTIONS = {
    "data": "2-data-bring-a-table-in",
    "quality": "3-quality-find-problems-before-training",
    "train": "4-train-try-models-without-writing-code",
    "compare": "5-compare-see-which-run-is-best-and-why",
    "registry": "6-registry-name-the-model-you-trust",
    "export": "7-export-hand-the-model-over-or-score-a-file",
    "monitor": "8-monitor-watch-new-data-for-drift",
    "team": "9-team-share-the-project-through-a-folder",
    "automate": "11-automate-run-the-steps-again-on-new-data",
}


class GuideMissing(MLDeskError):
    """Neither the installed copy nor a checkout's docs/ holds the guide (a broken install)."""


def guide_path() -> Path:
    """The user guide's Markdown file: the installed package's copy first, else the checkout's docs/."""
    packaged = resources.files("desktop_app").joinpath(*PACKAGED_DIR, GUIDE_FILE)
    if isinstance(packaged, Path) and packaged.is_file():   # a zipped package would need extracting: unsupported
        return packaged
    checkout = CHECKOUT_DIR / GUIDE_FILE
    if checkout.is_file():
        return checkout
    raise GuideMissing(f"The user guide is missing from this installation ({packaged}); reinstall MLDesk.")


def slug(heading: str, taken: dict[str, int] | None = None) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; a repeated
    heading gets -1, -2… when `taken` (the counts so far) is given."""
    anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    if taken is None:
        return anchor
    count = taken.get(anchor, 0)
    taken[anchor] = count + 1
    return f"{anchor}-{count}" if count else anchor


def headings(markdown: str) -> list[tuple[int, str, str]]:
    """(level, text, slug) of every ATX heading (`## …`) outside fenced code, in order."""
    found: list[tuple[int, str, str]] = []
    taken: dict[str, int] = {}
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = None if fenced else re.match(r"(#{1,6})\s+(.+?)\s*#*\s*$", line)
        if match:
            text = match.group(2)
            found.append((len(match.group(1)), text, slug(text, taken)))
    return found
