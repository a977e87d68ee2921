"""Help inside the app (issue 14, item 6): Help → User guide (F1) and each step's "?" open the guide shipped
with MLDesk in a window of its own — offline, screenshots shown, its links followed, searchable — and a
built package carries the guide, found through importlib.resources rather than the checkout's docs/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QMessageBox

from desktop_app.ui.shell.guide_files import CHECKOUT_DIR, STEP_SECTIONS, guide_path, headings

REPO = Path(__file__).resolve().parents[2]


def _guide(window):
    return window.guide_window


def _top_heading(guide) -> str:
    """The text of the heading the guide's view starts at (the first heading at or below the view's top)."""
    browser = guide.browser
    inside = int(browser.document().documentMargin()) + 4
    block = browser.cursorForPosition(QPoint(inside, inside)).block()
    while block.isValid() and not block.blockFormat().headingLevel():
        block = block.next()
    return block.text()


def test_every_step_has_its_section_in_the_guide(window):
    """A renamed heading fails here: every step (and the Team place) names a heading of the guide."""
    slugs = {anchor for _level, _text, anchor in headings(guide_path().read_text(encoding="utf-8"))}
    assert set(window.steps) == set(STEP_SECTIONS)
    missing = {key: anchor for key, anchor in STEP_SECTIONS.items() if anchor not in slugs}
    assert missing == {}


def test_help_menu_offers_the_guide_and_f1_opens_it_at_the_top(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert [a.text() for a in help_menu.actions() if not a.isSeparator()] == ["&User guide", "&About MLDesk"]

    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: _guide(window) is not None and _guide(window).isVisible())
    guide = _guide(window)
    assert guide.browser.source().toLocalFile() == str(guide_path())
    assert guide.browser.verticalScrollBar().value() == 0
    assert _top_heading(guide) == "MLDesk user guide"
    # The contents list names each section shortly (it fits beside the text at 1024 px).
    entries = [guide.contents.item(i).text().strip() for i in range(guide.contents.count())]
    assert entries[:3] == ["MLDesk user guide", "1. Start", "2. Data"]


def test_each_steps_question_mark_opens_its_section(window, qtbot, project):
    window.set_project(project)
    qtbot.waitUntil(lambda: window.project is project)
    expected = {key: next(text for _l, text, anchor in headings(guide_path().read_text(encoding="utf-8"))
                          if anchor == STEP_SECTIONS[key]) for key in STEP_SECTIONS}
    for key, step in window.steps.items():
        window.navigator.select(key)
        qtbot.waitUntil(step.help_button.isVisible)
        qtbot.mouseClick(step.help_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _guide(window) is not None and _guide(window).isVisible())
        qtbot.waitUntil(lambda k=key: _top_heading(_guide(window)) == expected[k])
    assert window.guide_window.isVisible()   # one window, reused: not modal, the main window stays usable
    assert not window.guide_window.isModal()


def test_screenshots_are_shown_whole(window, qtbot):
    window.show_guide()
    guide = _guide(window)
    guide.resize(1024, 700)
    qtbot.waitExposed(guide)
    document = guide.browser.document()
    room = guide.browser.viewport().width()

    def images():
        found = []
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                if fragments.fragment().charFormat().isImageFormat():
                    found.append(fragments.fragment().charFormat().toImageFormat())
                fragments += 1
            block = block.next()
        return found

    referenced = [line for line in guide_path().read_text(encoding="utf-8").splitlines() if "![" in line]
    qtbot.waitUntil(lambda: images() and all(0 < image.width() <= room for image in images()))
    assert len(images()) == len(referenced)
    for image in images():
        url = guide.browser.source().resolved(QUrl(image.name()))
        picture = document.resource(QTextDocument.ResourceType.ImageResource, url)
        assert picture is not None and not picture.isNull(), image.name()


def test_a_link_inside_the_guide_goes_to_its_section(window, qtbot):
    window.show_guide()
    guide = _guide(window)
    qtbot.waitExposed(guide)
    browser = guide.browser
    cursor = browser.document().find("Team")   # "… (see [Team](#9-team-…))" on the welcome page's section
    while not cursor.charFormat().anchorHref().startswith("#"):
        cursor = browser.document().find("Team", cursor)
        assert not cursor.isNull()
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    before = browser.verticalScrollBar().value()
    link = browser.cursorRect(cursor).center() - QPoint(8, 0)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=link)
    qtbot.waitUntil(lambda: _top_heading(guide).startswith("9. Team"))
    qtbot.mouseClick(guide.back_button, Qt.MouseButton.LeftButton)
    assert browser.verticalScrollBar().value() == before

    # A page the guide links to opens in the same window, with its own contents; Contents goes back.
    guide.follow_link(browser.source().resolved(QUrl("quality_checks.md")))
    assert browser.source().fileName() == "quality_checks.md"
    assert guide.contents.count() > 1 and guide.anchors
    qtbot.mouseClick(guide.top_button, Qt.MouseButton.LeftButton)
    assert browser.source().fileName() == "user_guide.md"
    assert _top_heading(guide) == "MLDesk user guide"


def test_a_missing_guide_is_one_sentence(window, qtbot, monkeypatch):
    from desktop_app.ui import main_window
    from desktop_app.ui.shell.guide_files import GuideMissing

    def missing():
        raise GuideMissing("The user guide is missing from this installation; reinstall MLDesk.")

    monkeypatch.setattr(main_window, "guide_path", missing)
    window.guide_action.trigger()
    box = qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None) or window.findChild(QMessageBox)
    assert "reinstall MLDesk" in box.informativeText()
    box.close()
    assert window.guide_window is None


def test_find_in_the_guide(window, qtbot):
    window.show_guide()
    guide = _guide(window)
    qtbot.waitExposed(guide)
    qtbot.keyClicks(guide.find_field, "recall")
    qtbot.keyClick(guide.find_field, Qt.Key.Key_Return)
    assert guide.browser.textCursor().selectedText().lower() == "recall"
    first = guide.browser.textCursor().position()
    qtbot.keyClick(guide.find_field, Qt.Key.Key_Return)
    assert guide.browser.textCursor().position() != first          # the next one
    qtbot.keyClick(guide.find_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert guide.browser.textCursor().position() == first          # and back
    guide.find_field.clear()
    qtbot.keyClicks(guide.find_field, "no such words here")
    qtbot.keyClick(guide.find_field, Qt.Key.Key_Return)
    assert guide.find_status.text() == "Not found"


def test_a_checkout_reads_docs():
    assert guide_path() == CHECKOUT_DIR / "user_guide.md"


PROBE = """
import json, re
from pathlib import Path
import desktop_app
from desktop_app.core.paths import SAMPLE_CSV
from desktop_app.ui.shell.guide_files import guide_path
guide = guide_path()
images = re.findall(r"!\\[[^]]*\\]\\(([^)]+)\\)", guide.read_text(encoding="utf-8"))
print(json.dumps({"package": desktop_app.__file__, "guide": str(guide), "sample": str(SAMPLE_CSV),
                  "missing": [name for name in images if not (guide.parent / name).is_file()], "images": len(images)}))
"""


def test_a_built_package_carries_the_guide_and_the_sample(tmp_path):
    """The build (pyproject's build_py, as a wheel is made) copies the guide, its screenshots and the sample
    table into the package; installed there, the app finds them away from any checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "build_guide.py", "MANIFEST.in", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "docs", source / "docs", ignore=shutil.ignore_patterns("*.py"))
    shutil.copytree(REPO / "resources", source / "resources")
    shutil.copytree(REPO / "desktop_app", source / "desktop_app", ignore=shutil.ignore_patterns("__pycache__"))
    built = tmp_path / "site"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                    "--build-lib", str(built)], cwd=source, check=True, capture_output=True, timeout=120)
    shutil.rmtree(source)   # no checkout left to fall back on

    env = dict(os.environ, PYTHONPATH=str(built))
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(built)
    assert Path(found["guide"]) == built / "desktop_app" / "resources" / "guide" / "user_guide.md"
    assert found["images"] > 10 and found["missing"] == []
    sample = built / "desktop_app" / "resources" / "sample_data" / "heart.csv"
    assert Path(found["sample"]) == sample
    assert sample.read_bytes() == (REPO / "resources" / "sample_data" / "heart.csv").read_bytes()
