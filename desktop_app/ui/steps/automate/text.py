"""The Automate place's words and colours: step states, run lines, the scheduler's explanation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.ui.text.formatting import relative_time

if TYPE_CHECKING:
    from desktop_app.core.pipelines.entities import PipelineRun

PURPOSE = ("Run the steps you clicked through — import, check, drift, train, promote, export — as one job on next "
           "month's file: by a click here, or by your computer's scheduler. Every run is recorded.")
NO_PIPELINES = "No pipelines yet"
NO_PIPELINES_HINT = ("Save the steps that made a registered model as a pipeline (it replays them on a new file, behind "
                     "the same gates), or start from a template.")
SCHEDULE_HELP = ("Paste one of these into your computer's scheduler to run the pipeline on its own, e.g. on the 1st "
                 "of every month at 06:00. It reads the newest file matching the pipeline's source. Its exit code "
                 "tells the scheduler what happened: 0 it ran to the end (promoted or not), 3 a gate or drift "
                 "stopped it, 1 an error. Each run shows up in the history here.")

# state → (label, border colour, fill colour)
STATE_STYLE = {
    "waiting": ("waiting", "#c3cad3", "#f7f8fa"),
    "running": ("running…", "#1f6feb", "#eaf2ff"),
    "done": ("done", "#2e7d32", "#edf7ee"),
    "reused": ("reused", "#2e7d32", "#f3f9f3"),
    "skipped": ("skipped", "#8a8f98", "#f7f8fa"),
    "stopped": ("stopped", "#c77700", "#fff5e6"),
    "failed": ("failed", "#c62828", "#fdecec"),
    "cancelled": ("cancelled", "#8a8f98", "#f2f2f2"),
}
STATUS_TEXT = {"running": "running", "done": "done", "stopped": "stopped", "failed": "failed",
               "cancelled": "cancelled", "interrupted": "interrupted"}


def took(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds:.1f} s" if seconds < 60 else f"{seconds / 60:.1f} min"


def run_summary(run: PipelineRun) -> str:
    """One line above the chain: which run, when, how it ended."""
    when = relative_time(run.started_at)
    if not run.status.ended:
        return f"Run {run.short_id}, started {when}: running…"
    return f"Run {run.short_id}, {when}, {STATUS_TEXT[run.status.value]} in {took(run.seconds)}: {run.outcome}"
