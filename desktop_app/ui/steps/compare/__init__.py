"""The Compare step: every run of the project in one table; two or more selected, side by side.

`panel.CompareStep` is the step; the runs table and its model, the comparison (`comparison`: tables
and charts in tabs) and each chart of it (curves, metrics, confusion, residuals, parallel, scatter)
are its own. The colour each run keeps is the chart toolkit's (`ui.charts.colors`).
"""

from desktop_app.ui.steps.compare.panel import CompareStep

__all__ = ["CompareStep"]
