"""Unexpected errors leave one log file in the platform's per-user log folder, bounded, and one sentence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop_app.core import crash_log


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 — the point is to carry a real traceback
        return caught


@pytest.mark.parametrize(
    "system, environ, expected",
    [
        ("linux", {"HOME": "/home/ann"}, "/home/ann/.local/state/mldesk/logs"),
        ("linux", {"HOME": "/home/ann", "XDG_STATE_HOME": "/var/ann/state"}, "/var/ann/state/mldesk/logs"),
        ("linux", {"HOME": "/home/ann", "XDG_STATE_HOME": "relative/ignored"}, "/home/ann/.local/state/mldesk/logs"),
        ("darwin", {"HOME": "/Users/ann"}, "/Users/ann/Library/Logs/MLDesk"),
        ("win32", {"USERPROFILE": "C:/Users/ann", "LOCALAPPDATA": "C:/Users/ann/AppData/Local"},
         "C:/Users/ann/AppData/Local/MLDesk/Logs"),
        ("linux", {"HOME": "/home/ann", "MLDESK_LOG_DIR": "/tmp/here"}, "/tmp/here"),
    ],
)
def test_the_log_folder_follows_the_platform(system, environ, expected):
    assert crash_log.log_dir(environ, system) == Path(expected)


def test_an_unexpected_error_is_one_sentence_naming_a_log_with_its_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv(crash_log.LOG_DIR_ENV, str(tmp_path / "logs"))
    error = _raised(ValueError("the frame has\nno column 'x'"))
    sentence, path = crash_log.report_unexpected(error, context="mldesk check", argv=["mldesk", "check"])
    assert path is not None and path.parent == tmp_path / "logs" and path.name.startswith("mldesk-")
    assert sentence == (f"unexpected error (ValueError: the frame has); details were written to {path} — "
                        "please include that file when reporting it.")
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "no column 'x'" in text
    assert "what was running: mldesk check" in text and "command line: mldesk check" in text


def test_two_errors_in_the_same_second_get_two_files(tmp_path, monkeypatch):
    monkeypatch.setenv(crash_log.LOG_DIR_ENV, str(tmp_path))
    first = crash_log.write_crash_log(_raised(RuntimeError("one")))
    second = crash_log.write_crash_log(_raised(RuntimeError("two")))
    assert first != second and "one" in first.read_text() and "two" in second.read_text()


def test_only_the_newest_logs_are_kept(tmp_path):
    for i in range(crash_log.KEEP + 5):
        log = tmp_path / f"mldesk-20260101-0000{i:02d}-1.log"
        log.write_text(str(i))
        os.utime(log, (1_000_000 + i, 1_000_000 + i))
    other = tmp_path / "notes.txt"
    other.write_text("not ours")
    crash_log.prune(tmp_path)
    kept = sorted(tmp_path.glob("mldesk-*.log"))
    assert len(kept) == crash_log.KEEP
    assert {p.read_text() for p in kept} == {str(i) for i in range(5, crash_log.KEEP + 5)}
    assert other.exists()


def test_a_log_that_cannot_be_written_still_gives_one_sentence(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(crash_log.LOG_DIR_ENV, str(blocker / "logs"))  # a folder inside a file
    sentence, path = crash_log.report_unexpected(_raised(KeyError("age")))
    assert path is None
    assert sentence.startswith("unexpected error (KeyError: 'age'); its details could not be written")
    assert sentence.endswith(".") and "\n" not in sentence


def test_a_long_message_is_cut_inside_the_sentence():
    summary = crash_log.error_summary(ValueError("x" * 1000))
    assert summary.startswith("ValueError: x") and summary.endswith("…")
    assert len(summary) <= len("ValueError: ") + crash_log.MESSAGE_LIMIT
    assert crash_log.error_summary(ValueError()) == "ValueError"
