"""The Data step's import wizard: one page per decision (file, read settings, column kinds, import).

`wizard.ImportWizard` owns the pages and an `ImportDraft` they share; `files` says which files it
takes. Dependencies point one way: wizard → pages → draft, files.
"""

from desktop_app.ui.steps.data.import_wizard.files import dropped_file
from desktop_app.ui.steps.data.import_wizard.wizard import ImportWizard

__all__ = ["ImportWizard", "dropped_file"]
