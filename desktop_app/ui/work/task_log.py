"""What a background task did: a short, bounded log kept per task (no Qt).

Each `Task` owns a `TaskLog`; the `TaskRunner` keeps the logs of its last visible tasks so the
task bar can show them after the tasks ended. A log never keeps the task's result (which may be
a large table): only times, messages and, for a failure, the error's text.
"""

from __future__ import annotations

import traceback
from collections import deque
from datetime import UTC, datetime
from typing import NamedTuple

from desktop_app.core.errors import MLDeskError

MAX_ENTRIES = 200       # per task; older progress messages are dropped (the first entry is kept)
MAX_MESSAGE = 500       # characters of one message
_QUIET = {"", "Starting", "Starting…"}   # progress messages that only repeat "started"


class LogEntry(NamedTuple):
    time: datetime      # UTC
    message: str


def _now() -> datetime:
    return datetime.now(UTC)


def one_line(error: BaseException) -> str:
    """The error's message on one line: the user's sentence for an MLDeskError, else 'Type: text'."""
    text = str(error).strip()
    if not isinstance(error, MLDeskError):
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    text = text.splitlines()[0] if text else type(error).__name__
    return text[:MAX_MESSAGE]


def error_details(error: BaseException) -> str:
    """The traceback text of `error` (just 'Type: text' if it carries no traceback)."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()


class TaskLog:
    """Times and messages of one task: started, each distinct progress message, how it ended."""

    def __init__(self, title: str, *, visible: bool = True) -> None:
        self.title = title
        self.visible = visible
        self.state = "queued"            # queued, running, done, failed, cancelled
        self.fraction = 0.0
        self.submitted_at = _now()
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.error = ""                  # one line, for a failure
        self.details = ""                # traceback text, for a failure
        self.dropped = 0                 # entries not kept (the log is bounded)
        self._first: LogEntry | None = None
        self._rest: deque[LogEntry] = deque(maxlen=MAX_ENTRIES - 1)
        self._last_message = ""

    # -- reading ----------------------------------------------------------------------------
    @property
    def entries(self) -> list[LogEntry]:
        return ([self._first] if self._first else []) + list(self._rest)

    @property
    def is_running(self) -> bool:
        return self.state in ("queued", "running")

    def duration(self, now: datetime | None = None) -> float:
        """Seconds from start (or submission) to the end, or to now while running."""
        start = self.started_at or self.submitted_at
        end = self.ended_at or now or _now()
        return max(0.0, (end - start).total_seconds())

    # -- writing (GUI thread, by the Task) -------------------------------------------------
    def add(self, message: str, when: datetime | None = None) -> None:
        entry = LogEntry(when or _now(), str(message)[:MAX_MESSAGE])
        if self._first is None:
            self._first = entry
            return
        if len(self._rest) == self._rest.maxlen:
            self.dropped += 1
        self._rest.append(entry)

    def started(self) -> None:
        if self.started_at is None:
            self.started_at = _now()
            self.state = "running"
            self.add("Started", self.started_at)

    def progress(self, fraction: float, message: str) -> None:
        self.started()
        self.fraction = fraction
        message = (message or "").strip()
        if message in _QUIET or message == self._last_message:
            return  # only distinct messages, not every percent
        self._last_message = message
        self.add(message)

    def cancel_requested(self) -> None:
        if self.is_running:
            self.add("Cancel requested")

    def finished(self) -> None:
        self._end("done", "Finished")

    def failed(self, error: BaseException) -> None:
        self.error = one_line(error)
        self.details = error_details(error)
        self._end("failed", f"Failed: {self.error}")

    def cancelled(self) -> None:
        self._end("cancelled", "Cancelled; nothing it started was kept")

    def _end(self, state: str, message: str) -> None:
        self.state = state
        self.ended_at = _now()
        if state == "done":
            self.fraction = 1.0
        self.add(message, self.ended_at)
