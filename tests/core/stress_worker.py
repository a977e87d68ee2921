"""One process of the stress test (tests/core/test_stress.py): a seeded list of mixed operations on one project.

    python -m tests.core.stress_worker PROJECT DATA_DIR LOG WORKER SEED START COUNT KILL_SHARE

Operations START…COUNT-1 run in order. Before each one the worker may arm a timer that
SIGKILLs this very process at a random moment of the operation (KILL_SHARE of them); the
test then starts the worker again at the next operation. After an operation succeeds, one
JSON line saying what it made is appended to LOG and flushed to disk: that is what "reported
success" means, and everything so reported must survive.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
from pathlib import Path

OPERATIONS = ("import", "check", "train", "register", "alias", "drift")


def plan(seed: int, count: int) -> list[str]:
    """The operation of each step."""
    rng = random.Random(seed)
    return [rng.choice(OPERATIONS) for _ in range(count)]


def kills(seed: int, count: int, share: float) -> list[float | None]:
    """For each step: seconds after its start at which the process kills itself, or None."""
    rng = random.Random(seed * 7919 + 1)
    return [rng.uniform(0.0, 0.6) if rng.random() < share else None for _ in range(count)]


def _write(log: Path, record: dict) -> None:
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _run(project, data: Path, worker: int, step: int, operation: str, rng: random.Random) -> dict:
    from desktop_app.core.errors import MLDeskError
    from desktop_app.core.tracking.entities import RunSpec

    if operation == "import":
        path = data / f"part{rng.randrange(12)}.csv"
        result = project.datasets.import_file(path, name=f"w{worker}-{rng.randrange(3)}")
        return {"version_id": result.version.id}
    if operation == "check":
        stored = project.quality.check("base", target="y")
        return {"report_id": stored.id}
    if operation == "train":
        run = project.runs.train(RunSpec(dataset="base", target="y", algorithm="logistic_regression",
                                         seed=rng.randrange(10_000), experiment=f"stress-{rng.randrange(2)}"))
        return {"run_id": run.id, "status": run.status.value}
    if operation == "register":
        registered = {v.run_id for v in project.registry.get_model("m").versions}
        mine = [r for r in project.runs.list() if r.status.value == "finished" and r.model_sha256
                and r.id not in registered]
        if not mine:
            return {"skipped": "no unregistered run"}
        try:
            version = project.registry.register(rng.choice(mine).id, "m")
        except MLDeskError as exc:  # another worker registered that run first
            return {"skipped": str(exc)}
        return {"model_version_id": version.id}
    if operation == "alias":
        versions = [v for v in project.registry.get_model("m").versions if v.status == "active"]
        target = rng.choice(versions)
        # Each worker moves an alias of its own, so it knows whether its move changed anything:
        # pointing an alias where it points already records nothing.
        alias = f"w{worker}"
        before = next((v.id for v in versions if alias in v.aliases), None)
        moved = project.registry.set_alias("m", alias, target.number, reason=f"stress {worker}/{step}")
        return {"alias_version_id": moved.id, "reason": f"stress {worker}/{step}", "moved": before != moved.id}
    if operation == "drift":
        batch = project.monitor.add_batch("m@1", data / f"batch{rng.randrange(3)}.csv")
        return {"batch_id": batch.id}
    raise ValueError(operation)


def main(argv: list[str]) -> int:
    project_path, data, log = argv[0], Path(argv[1]), Path(argv[2])
    worker, seed, start, count, share = int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]), float(argv[7])
    from desktop_app.core.project import Project

    steps = plan(seed, count)
    deaths = kills(seed, count, share)
    rng = random.Random(seed * 31 + start)
    for step in range(start, count):
        operation = steps[step]
        _write(log, {"worker": worker, "step": step, "op": operation, "state": "start",
                     "kill_after": deaths[step]})
        if deaths[step] is not None:
            timer = threading.Timer(deaths[step], lambda: os.kill(os.getpid(), signal.SIGKILL))
            timer.daemon = True
            timer.start()
        with Project.open(project_path) as project:
            made = _run(project, data, worker, step, operation, rng)
        _write(log, {"worker": worker, "step": step, "op": operation, "state": "done", **made})
        if deaths[step] is not None:
            timer.cancel()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
