"""The Quality step: check a dataset version, read each finding's evidence, apply the fixes you agree with.

`panel.QualityStep` is the step; the findings list, a finding's detail and evidence, the fix preview,
the thresholds dialog and the words for findings (`text`) are its own.
"""

from desktop_app.ui.steps.quality.panel import QualityStep

__all__ = ["QualityStep"]
