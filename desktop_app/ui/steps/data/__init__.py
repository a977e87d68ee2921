"""The Data step: import files (the import wizard), browse dataset versions, look at every column.

`panel.DataStep` is the step; the dataset tree, the table over a version's rows and the column
summary are its own widgets.
"""

from desktop_app.ui.steps.data.panel import DataStep

__all__ = ["DataStep"]
