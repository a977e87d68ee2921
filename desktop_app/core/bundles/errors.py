"""Errors of the export step that a user can act on (each `str()` is one sentence)."""

from desktop_app.core.errors import MLDeskError


class BundleError(MLDeskError):
    """A bundle cannot be exported or verified as asked (target exists, sources missing, checks failed)."""
