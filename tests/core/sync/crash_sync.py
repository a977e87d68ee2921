"""A `sync` that is killed (SIGKILL) part-way, for tests/core/sync/test_sync_crashes.py.

    python -m tests.core.sync.crash_sync PROJECT POINT N

POINT names a write step; the process kills itself right after the N-th time it completes
that step (`write_once`: a file published to the shared folder; `publish_object`: an object
sent; `adopt_copy`: an object received; `apply_batch`: a batch applied but not committed;
`commit`: a local transaction committed). POINT `timer` kills it N milliseconds after the
sync starts.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after_nth(owner, name: str, n: int) -> None:
    original = getattr(owner, name)
    calls = [0]

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        calls[0] += 1
        if calls[0] == n:
            _die()
        return result

    setattr(owner, name, wrapped)


def main(project_path: str, point: str, n: int) -> int:
    from sqlalchemy.orm import Session

    from desktop_app.core.project import Project
    from desktop_app.core.store.objects import ObjectStore
    from desktop_app.core.sync import publish, pull
    from desktop_app.core.sync.folder import SharedFolder

    publish.BATCH_RECORDS = 6   # several batches, so a kill can fall between two of them

    with Project.open(project_path) as project:
        targets = {"write_once": (SharedFolder, "write_once"), "publish_object": (SharedFolder, "publish_object"),
                   "adopt_copy": (ObjectStore, "adopt_copy"), "apply_batch": (pull, "apply_batch"),
                   "commit": (Session, "commit")}
        if point == "timer":
            threading.Timer(n / 1000, _die).start()
        else:
            _after_nth(*targets[point], n)
        project.sync.sync()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
