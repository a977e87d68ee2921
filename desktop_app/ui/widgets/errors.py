"""Readable error messages: the user's words first, the technical details one click away.

An error a user can act on (`MLDeskError`, a missing file, a refused permission) is its
own sentence. Anything else is a bug or a failure nobody foresaw: the window says so in
one sentence that names a log file holding the traceback (`core.crash_log`, the folder
the CLI uses too), and the traceback itself sits behind "Show Details…". Exceptions
raised inside Qt slots, which no task catches, reach the same dialog through
`install_excepthook`.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.core.errors import MLDeskError
from desktop_app.ui.text.rich_text import escape

# The sentence and log of an unexpected error, kept on the exception so that showing it
# twice (a label and the task log, say) writes one file and names the same one.
_LOGGED = "_mldesk_crash_log"
UNEXPECTED_LEAD = "Something unexpected went wrong"


def user_message(error: BaseException, context: str = "") -> str:
    """The one-sentence text to show for `error`.

    An `MLDeskError` already says what is wrong and what to do. Anything else is a bug:
    say so plainly, write its traceback to a log file and name that file. `context`
    (what the user was doing) goes into the log.
    """
    if isinstance(error, MLDeskError):
        return str(error) or type(error).__name__
    if isinstance(error, MemoryError):
        return "The computer ran out of memory. Close other programs or use a smaller file, then try again."
    if isinstance(error, PermissionError) and error.filename:
        return f"MLDesk is not allowed to use '{error.filename}'. Check the folder's permissions."
    if isinstance(error, FileNotFoundError) and error.filename:
        return f"'{error.filename}' does not exist any more. Check the path and try again."
    return _logged(error, context)[0]


def crash_log_of(error: BaseException) -> Path | None:
    """The log file written for `error` by `user_message`, if one was."""
    logged = getattr(error, _LOGGED, None)
    return logged[1] if logged else None


def _logged(error: BaseException, context: str) -> tuple[str, Path | None]:
    logged = getattr(error, _LOGGED, None)
    if logged is None:
        from desktop_app.core.crash_log import report_unexpected

        logged = report_unexpected(error, context=context or "the window", lead=UNEXPECTED_LEAD)
        try:
            setattr(error, _LOGGED, logged)
        except AttributeError:  # an exception type without a __dict__: it is logged again next time
            pass
    return logged


def technical_details(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()


def show_error(parent: QWidget | None, title: str, error: BaseException) -> QMessageBox:
    """Show `error` in a window-modal message box that does not block the event loop.

    The main text is `user_message(error)`; the traceback sits behind "Show Details…".
    Returns the box (tests look at it and close it). A window may take an error shown inside it
    (`takes_error(error)` returns True: the main window's notice bar says the team database cannot
    be reached, and retries) — the box is then not opened.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(f"<b>{escape(title)}</b>")
    box.setInformativeText(f"<p>{escape(user_message(error, context=title))}</p>")
    box.setDetailedText(technical_details(error))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName("errorBox")
    if _window_takes(parent, error):
        box.deleteLater()
    else:
        box.open()
    return box


def _window_takes(parent: QWidget | None, error: BaseException) -> bool:
    takes = getattr(parent.window(), "takes_error", None) if parent is not None else None
    return bool(takes(error)) if callable(takes) else False


class _SlotErrors:
    """The `sys.excepthook` of the window: an exception a Qt slot raised becomes the error dialog.

    PySide hands such exceptions to `sys.excepthook` and carries on, so the default hook
    would print a traceback to a terminal nobody reads. One dialog at a time: a slot that
    fails on every repaint logs each failure but does not bury the window in boxes.
    """

    def __init__(self, previous) -> None:
        self.previous = previous
        self.box: QMessageBox | None = None

    def __call__(self, kind, error, tb) -> None:
        app = QApplication.instance()
        if app is None or not isinstance(error, Exception):  # Ctrl+C, SystemExit, or no window at all
            self.previous(kind, error, tb)
            return
        try:
            if error.__traceback__ is None:
                error = error.with_traceback(tb)
            message = user_message(error, context="an action in the window")  # logs it
            print(f"mldesk: {message}", file=sys.stderr)
            if self._showing():
                return
            self.box = show_error(app.activeWindow(), "MLDesk could not finish that", error)
            self.box.finished.connect(self._closed)
        except Exception:  # the hook itself must never fail silently
            self.previous(kind, error, tb)

    def _showing(self) -> bool:
        try:
            return self.box is not None and self.box.isVisible()
        except RuntimeError:  # the closed box was already deleted (WA_DeleteOnClose)
            return False

    def _closed(self) -> None:
        self.box = None


def install_excepthook() -> None:
    """Show exceptions raised in Qt slots as the error dialog (and log them); idempotent."""
    if not isinstance(sys.excepthook, _SlotErrors):
        sys.excepthook = _SlotErrors(sys.excepthook)
