"""Readable error messages: the user's words first, the technical details one click away."""

from __future__ import annotations

import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.core.errors import MLDeskError


def user_message(error: BaseException) -> str:
    """The one-sentence text to show for `error`.

    An `MLDeskError` already says what is wrong and what to do. Anything else is a bug:
    say so plainly and point at the details instead of showing the raw exception.
    """
    if isinstance(error, MLDeskError):
        return str(error) or type(error).__name__
    if isinstance(error, MemoryError):
        return "The computer ran out of memory. Close other programs or use a smaller file, then try again."
    if isinstance(error, PermissionError):
        return f"MLDesk is not allowed to use '{error.filename}'. Check the folder's permissions."
    if isinstance(error, FileNotFoundError) and error.filename:
        return f"'{error.filename}' does not exist any more. Check the path and try again."
    return (
        "Something unexpected went wrong inside MLDesk. Your data was not changed. "
        "Please report this problem with the details below."
    )


def technical_details(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()


def show_error(parent: QWidget | None, title: str, error: BaseException) -> QMessageBox:
    """Show `error` in a window-modal message box that does not block the event loop.

    The main text is `user_message(error)`; the traceback sits behind "Show Details…".
    Returns the box (tests look at it and close it).
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(f"<b>{_escape(title)}</b>")
    box.setInformativeText(f"<p>{_escape(user_message(error))}</p>")
    box.setDetailedText(technical_details(error))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("errorBox")
    box.open()
    return box


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
