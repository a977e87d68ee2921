"""Progress reporting and cooperative cancel for long core functions.

A long function takes `progress: ProgressCallback` and calls it with the fraction
done (0..1) and a short message. The caller may raise `Cancelled` from inside the
callback to stop the work; the function must then leave nothing behind. The same
function therefore serves the window, the CLI and the tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from desktop_app.core.errors import Cancelled

ProgressCallback = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """The default callback: report nothing, never cancel."""


class CancelToken:
    """A thread-safe cancel flag that turns into a progress callback."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wrap(self, progress: ProgressCallback = no_progress) -> ProgressCallback:
        """A callback that forwards to `progress` and raises once cancel is requested."""

        def callback(fraction: float, message: str) -> None:
            if self._event.is_set():
                raise Cancelled()
            progress(fraction, message)

        return callback


def scaled(progress: ProgressCallback, start: float, end: float) -> ProgressCallback:
    """A callback for one phase of a longer task: its 0..1 maps onto start..end of `progress`."""
    return lambda fraction, message: progress(start + (end - start) * fraction, message)
