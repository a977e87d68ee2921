"""Errors of the quality step that a user can act on."""

from desktop_app.core.errors import MLDeskError


class QualityError(MLDeskError):
    """The checks cannot run as asked (for example, the chosen target is not a column)."""


class RecipeError(QualityError):
    """A recipe step cannot be applied to this table (a column is missing or has the wrong type)."""
