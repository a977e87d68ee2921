"""Errors of pipelines a user can act on (each `str()` is one sentence)."""

from __future__ import annotations

from desktop_app.core.errors import MLDeskError, NotFoundError


class PipelineError(MLDeskError):
    """A pipeline cannot be saved or run as asked."""


class PipelineDefinitionError(PipelineError):
    """A definition holds something that could not run; the sentence names the field."""


class PipelineNotFoundError(PipelineError, NotFoundError):
    """No pipeline of that name; the message lists those there are."""
