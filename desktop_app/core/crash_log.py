"""Where an unexpected error leaves its details: one log file per error, in the user's log folder.

A user is never shown a traceback (DESIGN.md: the CLI contract; UI.md: errors). When
something fails that MLDesk did not foresee — a bug, a library's own failure — the CLI
and the window show one sentence naming the error and a log file, and the traceback goes
into that file so that a report can include it. Both front ends call this module, so
their logs land in one folder; it imports no Qt.

The folder is the platform's per-user place for logs (overridden by MLDESK_LOG_DIR):

    Linux and other Unix   $XDG_STATE_HOME/mldesk/logs, else ~/.local/state/mldesk/logs
    macOS                  ~/Library/Logs/MLDesk
    Windows                %LOCALAPPDATA%\\MLDesk\\Logs

Only the newest `KEEP` logs are kept, so a recurring failure cannot fill the disk.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

LOG_DIR_ENV = "MLDESK_LOG_DIR"
KEEP = 50
PREFIX = "mldesk-"
# The exception's own text is shown inside a sentence: its first line, at most this long.
MESSAGE_LIMIT = 160


def log_dir(environ: Mapping[str, str] | None = None, system: str | None = None) -> Path:
    """The folder for MLDesk's log files on this platform (not created here)."""
    environ = os.environ if environ is None else environ
    system = sys.platform if system is None else system
    if environ.get(LOG_DIR_ENV):
        return Path(environ[LOG_DIR_ENV]).expanduser()
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if system == "win32":
        local = environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "MLDesk" / "Logs"
    if system == "darwin":
        return home / "Library" / "Logs" / "MLDesk"
    state = environ.get("XDG_STATE_HOME", "")
    # The XDG spec says to ignore a relative path here.
    base = Path(state) if state and Path(state).is_absolute() else home / ".local" / "state"
    return base / "mldesk" / "logs"


def write_crash_log(error: BaseException | str, context: str = "", argv: Sequence[str] | None = None) -> Path:
    """Write `error`'s traceback (and what was running) to a new log file; return its path.

    `error` may also be the text of a traceback recorded elsewhere (a failed run keeps its own).

    Raises OSError when the folder or the file cannot be written; callers then say so in
    their sentence instead of naming a file.
    """
    from desktop_app import __version__
    from desktop_app.core.installation import versions_text

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    header = [
        f"MLDesk {__version__} — unexpected error at {now.isoformat(timespec='seconds')}",
        f"what was running: {context or 'not recorded'}",
        f"command line: {' '.join(sys.argv if argv is None else argv)}",
        f"python {platform.python_version()} on {platform.platform()}",
        "",
        versions_text(),   # what a support request needs, and what `mldesk --version` prints
        "",
    ]
    details = error if isinstance(error, str) else "".join(
        traceback.format_exception(type(error), error, error.__traceback__))
    text = "\n".join(header) + details
    stem = f"{PREFIX}{now:%Y%m%d-%H%M%S}-{os.getpid()}"
    for attempt in range(100):  # two errors in one second from one process get two files
        path = folder / (f"{stem}.log" if attempt == 0 else f"{stem}-{attempt}.log")
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free log file name in {folder}")
    prune(folder)
    return path


def prune(folder: Path, keep: int = KEEP) -> None:
    """Delete all but the newest `keep` MLDesk logs in `folder` (other files are left alone)."""
    try:
        logs = sorted(folder.glob(f"{PREFIX}*.log"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
        for old in logs[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a log that another process removed first, or a read-only folder: nothing to do


def error_summary(error: BaseException) -> str:
    """`ValueError: the message`, on one line and short enough to sit inside a sentence."""
    text = str(error).strip().splitlines()[0].strip() if str(error).strip() else ""
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1].rstrip() + "…"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def report_unexpected(error: BaseException, context: str = "", argv: Sequence[str] | None = None,
                      lead: str = "unexpected error") -> tuple[str, Path | None]:
    """Log `error` and return (one sentence for the user, the log file or None).

    The sentence starts with `lead`: the CLI keeps the lower-case default after its
    "mldesk: " prefix, the window says "Something unexpected went wrong".
    """
    summary = error_summary(error)
    try:
        path = write_crash_log(error, context, argv)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        return (f"{lead} ({summary}); its details could not be written to a log file in "
                f"{log_dir()} ({reason}) — please report what you did and this message."), None
    return (f"{lead} ({summary}); details were written to {path} — "
            "please include that file when reporting it."), path
