"""A dismissible line under the top bar for news the user should read once, e.g. what was
cleared after a session that stopped mid-work (a crash, a kill, a power cut).

It does not block (UI.md: dialogs only for short, focused input); the details stay one click away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


class NoticeBar(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setStyleSheet("#noticeBar { background: #fff8e1; border-bottom: 1px solid #f0d58c; }")
        self.text = QLabel()
        self.text.setObjectName("noticeText")
        self.text.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("noticeDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        self.toggle = QPushButton("Details")
        self.toggle.setObjectName("noticeToggle")
        self.toggle.setFlat(True)
        self.toggle.clicked.connect(self._toggle_details)
        self.close_button = QPushButton("Dismiss")
        self.close_button.setObjectName("noticeDismiss")
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.toggle)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.hide()

    def show_notice(self, text: str, details: list[str]) -> None:
        self.text.setText(text)
        self.details.setText("\n".join(f"• {line}" for line in details))
        self.details.hide()
        self.toggle.setText("Details")
        self.toggle.setVisible(bool(details))
        self.show()

    def _toggle_details(self) -> None:
        shown = not self.details.isVisible()
        self.details.setVisible(shown)
        self.toggle.setText("Hide details" if shown else "Details")
