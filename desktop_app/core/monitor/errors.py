"""Errors of drift monitoring, each one plain sentence: what is wrong, what to do."""

from desktop_app.core.errors import MLDeskError


class MonitorError(MLDeskError):
    """Drift cannot be computed as asked (bad settings, a batch that does not fit the model)."""


class BatchValidationError(MonitorError):
    """The batch does not match the model's signature; nothing was stored."""
