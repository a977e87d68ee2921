"""Errors a user can act on.

Every exception that reaches the CLI or the window as a message derives from
`MLDeskError`; its `str()` is one sentence that says what is wrong and what to do.
Anything else is a bug and is shown with its technical details.
"""


class MLDeskError(Exception):
    """A problem caused by input or state the user controls."""


class Cancelled(MLDeskError):
    """The user cancelled a long task; nothing it started was kept."""

    def __init__(self, message: str = "Cancelled by the user; nothing was saved.") -> None:
        super().__init__(message)


class ProjectError(MLDeskError):
    """The project folder or its database cannot be used."""


class DataImportError(MLDeskError):
    """A file cannot be read as a table."""


class NotFoundError(MLDeskError):
    """A named thing (dataset, version, run, model) does not exist."""


class IntegrityError(MLDeskError):
    """A stored object does not match its hash."""


class SchemaUpgradeNeeded(ProjectError):
    """A team database is at an older schema than this MLDesk's: upgrading it is the team's decision."""

    def __init__(self, where: str, stored: str, needed: str) -> None:
        super().__init__(
            f"The team database at {where} is at schema {stored}, and this MLDesk needs schema {needed}; every "
            "workstation must upgrade together — once all of them have this MLDesk version, run "
            "`mldesk upgrade PROJECT` once (older versions cannot open the database afterwards).")
        self.where, self.stored, self.needed = where, stored, needed
