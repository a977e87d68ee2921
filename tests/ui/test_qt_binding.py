"""Guards against Qt binding bugs that crashed MLDesk before (see pyproject.toml)."""

import sys

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication


def test_process_events_keeps_references_to_none(qapp):
    """PySide6 6.12.0 lost one reference to None per processEvents(): a crash in the long run."""
    QApplication.processEvents()
    before = sys.getrefcount(None)
    for _ in range(500):
        qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)
        qapp.processEvents()
    assert sys.getrefcount(None) >= before - 50
