"""Errors of the model registry a user can act on (each `str()` is one sentence)."""

from __future__ import annotations

from desktop_app.core.errors import MLDeskError, NotFoundError


class RegistryError(MLDeskError):
    """A registry change cannot be made as asked."""


class ModelNotFoundError(RegistryError, NotFoundError):
    """No model, version or alias of that name; the message lists what exists."""


class InvalidNameError(RegistryError):
    """A model or alias name is empty, too long or holds characters MLDesk does not allow."""


class RunNotRegistrableError(RegistryError):
    """The run is not finished, has no stored model, or is already registered in that model."""


class KpiRuleError(RegistryError):
    """A KPI rule cannot be read, or names a metric the model's versions do not have."""


class GateFailedError(RegistryError):
    """A version does not meet its model's KPI gate; `failures` holds one sentence per failed rule."""

    def __init__(self, message: str, failures: list[str]) -> None:
        super().__init__(message)
        self.failures = list(failures)


class ReasonRequiredError(RegistryError):
    """Moving or removing an alias needs the reason the user gives for it."""


class AliasInUseError(RegistryError):
    """A version an alias points at cannot be archived."""


class ArchivedVersionError(RegistryError):
    """An archived version cannot take an alias."""


class HoldoutError(RegistryError):
    """The held-out rows of a version cannot be re-created or scored."""
