"""Errors of the training step that a user can act on (each `str()` is one sentence)."""

from desktop_app.core.errors import MLDeskError, NotFoundError


class TrainingError(MLDeskError):
    """Training cannot run as asked (bad target, too few rows of a class, wrong option for the task)."""


class UnknownAlgorithmError(TrainingError, NotFoundError):
    """The model catalogue has no algorithm of that name for the task."""


class ParamError(TrainingError):
    """A model parameter is unknown, of the wrong type, or out of range."""


class SearchError(TrainingError):
    """A hyper-parameter search is asked for something it cannot do (empty space, unknown scoring)."""


class ModelLoadError(TrainingError):
    """A stored model cannot be read (damaged, not a skops file, not a pipeline)."""


class UntrustedModelError(ModelLoadError):
    """A stored model holds types outside MLDesk's allow-list; it was not loaded."""

    def __init__(self, types: list[str]) -> None:
        self.types = list(types)
        super().__init__(
            "The model file holds types MLDesk does not trust (" + ", ".join(self.types) + "), so it was not "
            "loaded; only load models trained by MLDesk."
        )


class MissingColumnsError(TrainingError):
    """The rows given to a trained model lack columns it was trained with."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = list(columns)
        names = ", ".join(repr(c) for c in self.columns)
        super().__init__(f"The rows lack the column(s) {names} that the model was trained with; "
                         "give rows with the same columns as the training data.")
