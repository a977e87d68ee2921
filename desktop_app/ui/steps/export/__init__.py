"""The Export step: a bundle of a registered model version that runs without MLDesk, or a file scored here.

`panel.ExportStep` is the step; the version picker, the Bundle and Batch scoring tabs, the export
dialog, the worker functions (`work`, no Qt) and the step's words (`text`) are its own.
"""

from desktop_app.ui.steps.export.panel import ExportStep

__all__ = ["ExportStep"]
