"""Ask once before a registry change that matters: name what changes, take the reason for the audit trail."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class ConfirmDialog(QDialog):
    """`reason()` after `accepted`; with `reason_required` an empty reason is refused in the dialog."""

    def __init__(self, title: str, heading: str, changes: str, ok_text: str, *, reason_required: bool = False,
                 placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryConfirm")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.reason_required = reason_required
        self.heading = QLabel(f"<b>{heading}</b>")
        self.heading.setWordWrap(True)
        self.changes = QLabel(changes)
        self.changes.setWordWrap(True)
        self.changes.setTextFormat(Qt.TextFormat.RichText)
        caption = QLabel("Reason (kept in the history)" + ("" if reason_required else " — optional"))
        caption.setObjectName("subTitle")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText(placeholder or "Why, in a few words")
        self.reason_edit.textChanged.connect(lambda _t: self.error.setVisible(False))
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.changes)
        layout.addSpacing(6)
        layout.addWidget(caption)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def accept(self) -> None:
        if self.reason_required and not self.reason():
            self.error.setText("Give a reason: it is kept in the history so that others know why.")
            self.error.setVisible(True)
            self.reason_edit.setFocus()
            return
        super().accept()
