"""Help → About: the versions a support request needs, the same list as `mldesk --version`, and Copy."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtGui import QGuiApplication

from desktop_app import __version__


def test_about_lists_every_library_and_copies_the_list(window, qtbot):
    window.about_action.trigger()
    dialog = window.about_dialog
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.versions.toPlainText()
    cli = subprocess.run([sys.executable, "-m", "desktop_app.cli", "--version"], capture_output=True, text=True,
                         check=True, timeout=60).stdout.splitlines()
    assert cli[0] == f"mldesk {__version__}"
    for line in cli[1:]:   # Python and every library, as the CLI prints them
        assert line in text
    assert "scikit-learn" in text and "not installed" not in text.split("psycopg")[0]
    assert "Qt (running)" in text

    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == text
    assert dialog.copy_button.text() == "Copied"
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
