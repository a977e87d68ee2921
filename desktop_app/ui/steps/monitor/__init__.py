"""The Monitor step: new production rows checked for drift against a registered model version.

`panel.MonitorStep` is the step; the model picker, the batch list, the detail side (`detail`: the
batch card, heat map, distributions, charts over time, results table), the drift settings dialog and
the words for drift results (`text`) are its own.
"""

from desktop_app.ui.steps.monitor.panel import MonitorStep

__all__ = ["MonitorStep"]
