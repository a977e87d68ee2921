"""Ask before upgrading a team database's schema: every workstation of the team upgrades together.

A team database made by an older MLDesk is opened only after the analyst agrees (the core raises
`SchemaUpgradeNeeded`, whose sentence says what upgrading means); a local file upgrades as it opens.
The question is window-modal but does not block the event loop: `then()` runs on "Upgrade".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.ui.text.rich_text import escape

UPGRADE = "Upgrade the team database"


def ask_to_upgrade(parent: QWidget, error: BaseException, then: Callable[[], Any],
                   otherwise: Callable[[], Any] | None = None) -> QMessageBox:
    """Show `error`'s sentence with "Upgrade the team database" / "Cancel": `then()` on the first,
    `otherwise()` (if given) on Cancel or closing the question."""
    box = QMessageBox(parent)
    box.setObjectName("upgradeQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Upgrade the team database?")
    box.setText("<b>The team database was made by an older MLDesk</b>")
    box.setInformativeText(f"<p>{escape(str(error))}</p>")
    upgrade = box.addButton(UPGRADE, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    def answered(_result: int) -> None:
        if box.clickedButton() is upgrade:
            then()
        elif otherwise is not None:
            otherwise()

    box.finished.connect(answered)
    box.open()
    return box
