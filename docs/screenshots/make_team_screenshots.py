"""Grab the Team place and the conflict dialog offscreen into docs/screenshots/.

    python docs/screenshots/make_team_screenshots.py [--size 1024x700] [--out DIR]

Two workstations of one project, in throw-away folders: Ana's made "Heart study" (the sample data,
three runs registered as heart-risk v1–v3, production on v1, KPI gate recall>=0.6) and shared it
through a folder; Ben joined from that folder. Then, without seeing each other, Ana pointed
production at v2 and Ben at v3 (a conflict); Ana imported a new version of the data whose stored file
the sync client has not delivered yet (a batch that waits); the sync client left a conflict copy in
the folder (a stray); Ben described a model (a change waiting to be sent). The window is Ben's.

  team_step.png           the Team place: folder, last sync, what waits and why, the conflict
  team_conflict.png       the conflict dialog: both moves side by side, v3 picked, the reason typed
  registry_conflict.png   the Registry with the model marked and its Aliases tab
  team_join.png           "Join a team from a shared folder…" filled in, over the welcome page

The window is at 1440×900 (this script's default size); at 1024×700 (--size 1024x700) each picture is
named <name>_small.png (see shots.py).

The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

from shots import (
    MODEL,
    SAMPLE,
    heart_project,
    hide_caret,
    open_window,
    options,
    plain_and_balanced,
    save,
    start,
    train_heart,
    wait_until,
)

DEFAULT_SIZE = (1440, 900)
IDENTIFIED = ("store.audit", "project", "data.service", "quality.service", "tracking.service", "registry.service")


@contextmanager
def working_as(user: str, host: str):
    """Record what is done inside as `user` on `host` (one machine plays two colleagues): the modules that
    stamp who and where on what they write get these names instead of this machine's."""
    import importlib

    modules = [importlib.import_module(f"desktop_app.core.{name}") for name in IDENTIFIED]
    saved = [(m.current_user, m.current_host) for m in modules]
    for module in modules:
        module.current_user, module.current_host = (lambda: user), (lambda: host)
    try:
        yield
    finally:
        for module, (who, where) in zip(modules, saved):
            module.current_user, module.current_host = who, where


def build_team(work):
    """(shared folder, Ben's project) as the module's docstring tells."""
    from desktop_app.core.project import Project

    shared = work / "Team share" / "Heart study"
    shared.mkdir(parents=True)                      # the share is there; the project's folder in it is new
    with working_as("ana", "pc-ana"):
        ana, v1 = heart_project(work / "ana" / "Heart study")
        plain, balanced = plain_and_balanced(ana, v1)
        forest = train_heart(ana, v1, "random_forest", class_weight="balanced",
                             params={"n_estimators": 200, "min_samples_leaf": 20})
        reg = ana.registry
        reg.register(plain.id, MODEL, alias="production", reason="first model for the pilot")
        reg.register(balanced.id, MODEL)
        reg.register(forest.id, MODEL)
        reg.set_kpi_gate(MODEL, ["recall>=0.6"], reason="clinical minimum: find most of the sick")
        ana.sync.sync(shared)
    with working_as("ben", "pc-ben"):
        ben = Project.clone(shared, work / "ben" / "Heart study")
    with working_as("ana", "pc-ana"):
        reg.set_alias(MODEL, "production", 2, reason="v2 finds 74% of the sick; v1 only 8%")
        ana.sync.sync()
    with working_as("ben", "pc-ben"):
        ben.registry.set_alias(MODEL, "production", 3, reason="the forest has the best ROC AUC")
        ben.sync.sync()
    with working_as("ana", "pc-ana"):
        ana.sync.sync()
        before = {p.relative_to(shared) for p in (shared / "objects").rglob("*") if p.is_file()}
        may = work / "heart-may.csv"                 # new rows: a file of its own in the shared folder
        may.write_text("".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:200]), encoding="utf-8")
        ana.datasets.import_file(may, name="heart-may")
        ana.sync.sync()
    # The sync client has not delivered the new data file to Ben yet, and left a conflict copy behind.
    late = [p for p in (shared / "objects").rglob("*") if p.is_file() and p.relative_to(shared) not in before]
    for path in late:
        shutil.move(path, work / path.name)
    journal = next(p for p in (shared / "journal").iterdir() if p.name != ben.db.origin)
    (journal / "000000000002.sync-conflict-20260512-101530-PCBEN.jsonl").write_bytes(
        (journal / "000000000002.jsonl").read_bytes())
    with working_as("ben", "pc-ben"):
        ben.registry.describe(MODEL, description="Flags patients at risk of heart disease for a follow-up call.")
    ana.close()
    return shared, ben


def main() -> int:
    options(__doc__, default=DEFAULT_SIZE)
    app, work = start("mldesk-team-shots-")
    _shared, ben = build_team(work)
    window = open_window(app)
    window.set_project(ben)
    sync = window.team_sync
    wait_until(app, lambda: sync.ended and not sync.busy and not window.runner.tasks, timeout=120)
    window.navigator.select("team")
    step = window.team_step
    step.attention.select_conflict(MODEL, "production")
    wait_until(app, lambda: not window.runner.tasks)
    save(window, "team_step.png")

    dialog = step.resolve(step.attention.current().conflict)
    dialog.choose(3)
    dialog.reason.setText("agreed with Ana: the forest passes the gate and ranks best")
    dialog.reason.setFocus()
    hide_caret(app, dialog)
    save(dialog, "team_conflict.png")
    dialog.reject()

    window.navigator.select("registry")
    registry = window.registry_step
    wait_until(app, lambda: not window.runner.tasks and bool(registry.models))
    registry.tree.select(MODEL, 3)
    registry.details.tabs.setCurrentWidget(registry.details.aliases)
    wait_until(app, lambda: not window.runner.tasks and MODEL in registry.history)
    save(window, "registry_conflict.png")

    window.close_project()
    wait_until(app, lambda: not window.runner.tasks, timeout=30)
    join = window.join_team()
    join.set_shared_folder(str(work / "Team share" / "Heart study"))
    join.location_edit.setText(str(work / "carla"))
    wait_until(app, lambda: True)
    save(join, "team_join.png")
    join.reject()

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
