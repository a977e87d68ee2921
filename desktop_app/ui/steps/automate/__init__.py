"""The Automate place: saved pipelines run again on new data, by a click or by the computer's scheduler.

`panel.AutomateStep` is the place (after Monitor in the navigator, with Team); the chain of steps with
their states (`chain`), the definition's form (`form`), "New pipeline…" (`new_dialog`) and its words
(`text`) are its own. Runs execute in a worker process (`core.pipelines.worker`).
"""

from desktop_app.ui.steps.automate.panel import AutomateStep

__all__ = ["AutomateStep"]
