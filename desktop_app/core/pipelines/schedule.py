"""The command line that runs a pipeline, for the operating system's scheduler.

    command_line("/work/heart", "monthly")   # '/opt/mldesk/bin/mldesk pipeline run /work/heart monthly'
    cron_line(…)                             # '0 6 1 * * <that> >> /work/heart/pipeline-monthly.log 2>&1'
    task_scheduler_line(…)                   # 'schtasks /Create /SC MONTHLY /D 1 /ST 06:00 /TN … /TR "…"'

The executable is the one running now (the standalone build's, or the `mldesk` script beside this
Python), so the scheduled job runs the same MLDesk; the project is named by its full path
because a scheduler starts jobs in another folder. Its exit code (0 done, 3 stopped by a gate
or drift, 1 error) is what the scheduler acts on.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path


def mldesk_command() -> list[str]:
    """How to start this MLDesk's CLI from a scheduler."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    folder = Path(sys.executable).parent
    for script in (folder / "mldesk", folder / "mldesk.exe", folder / "Scripts" / "mldesk.exe"):
        if script.is_file():
            return [str(script)]
    return [sys.executable, "-m", "desktop_app"]


def _arguments(project: str | os.PathLike, name: str) -> list[str]:
    return [*mldesk_command(), "pipeline", "run", str(Path(project).expanduser().resolve()), name]


def command_line(project: str | os.PathLike, name: str, windows: bool | None = None) -> str:
    arguments = _arguments(project, name)
    if windows if windows is not None else os.name == "nt":
        return subprocess.list2cmdline(arguments)
    return shlex.join(arguments)


def cron_line(project: str | os.PathLike, name: str) -> str:
    """A crontab line: at 06:00 on the 1st of every month, output appended to a log in the project folder."""
    log = Path(project).expanduser().resolve() / f"pipeline-{name}.log"
    return f"0 6 1 * * {command_line(project, name, windows=False)} >> {shlex.quote(str(log))} 2>&1"


def task_scheduler_line(project: str | os.PathLike, name: str) -> str:
    """A `schtasks` command that creates the same monthly job in Windows Task Scheduler."""
    task = subprocess.list2cmdline(["/TR", command_line(project, name, windows=True)])
    return f'schtasks /Create /SC MONTHLY /D 1 /ST 06:00 /TN "MLDesk {name}" {task}'
