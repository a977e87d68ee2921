"""Errors of the scoring step that a user can act on (each `str()` is one sentence)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.core.errors import MLDeskError

if TYPE_CHECKING:
    from desktop_app.core.scoring.validation import ValidationReport


class ScoringError(MLDeskError):
    """Rows cannot be scored as asked (fatal validation problems, an unwritable output)."""

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report
