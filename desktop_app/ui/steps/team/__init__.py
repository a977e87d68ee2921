"""The Team place: the project shared with colleagues through a folder (link, sync, what waits, conflicts).

`panel.TeamStep` is the place (after Monitor in the navigator; not a workflow step, but it lives like
one); the list of what needs attention with its detail (`attention`) and its words (`text`) are its own.
The syncs themselves run in the window's `ui.work.team_sync.TeamSync`; the conflict dialog is shared
with the Registry step (`ui.widgets.conflict_dialog`).
"""

from desktop_app.ui.steps.team.panel import TeamStep

__all__ = ["TeamStep"]
