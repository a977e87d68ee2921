"""Three workstations and one shared folder: concurrent work ends identical everywhere, conflicts shown and settled."""

from __future__ import annotations

import pytest

from desktop_app.core.store import audit
from tests.core.sync.helpers import state, sync_until_quiet, three_workstations, train


@pytest.fixture
def team(tmp_path):
    shared, projects = three_workstations(tmp_path)
    yield shared, projects
    for project in projects:
        project.close()


def test_concurrent_work_converges_to_one_state(team):
    _, (a, b, c) = team
    a_v2, b_v2 = (p.registry.get_version("risk", 2).run_id for p in (a, b))    # registered at once, A first
    a_base2, b_base2 = (p.datasets.get_version("base@2").sha256 for p in (a, b))
    sync_until_quiet([a, b, c])
    states = [state(p) for p in (a, b, c)]
    assert states[0] == states[1] == states[2]
    versions = {p.workstation_id: [(v.number, v.run_id) for v in p.registry.get_model("risk").versions]
                for p in (a, b, c)}
    assert len(set(map(tuple, versions.values()))) == 1
    # The two concurrent v2s become v2 and v3 everywhere, in the order they were made (A's first).
    assert next(iter(versions.values()))[1:] == [(2, a_v2), (3, b_v2)]
    for project in (a, b, c):   # base@2 made on A and on B at once: base@2 and base@3, the same everywhere
        versions = next(d for d in project.datasets.list() if d.name == "base").versions
        assert [(v.number, v.sha256) for v in versions] == [
            (v.number, v.sha256) for v in next(d for d in a.datasets.list() if d.name == "base").versions]
        assert [(v.number, v.sha256) for v in versions][1:] == [(2, a_base2), (3, b_base2)]
    for project in (a, b, c):
        with project.db.read() as session:
            assert audit.verify(session).intact
        assert [str(r) for r in project.registry.get_model("risk").kpi_gate] == ["roc_auc>=0.5"]
    renumbered = [e for e in a.audit_events(limit=10_000) if e.action == "model.renumber"]
    assert len(renumbered) == 1 and "v2 is now v3" in renumbered[0].reason


def test_the_same_alias_moved_on_two_workstations_is_a_conflict_everywhere_until_settled(team):
    _, (a, b, c) = team
    sync_until_quiet([a, b, c])
    shown = [p.sync.conflicts("risk") for p in (a, b, c)]
    assert all(len(found) == 1 for found in shown)
    conflict = shown[0][0]
    assert conflict.kind == "alias" and conflict.alias == "production"
    assert sorted(v.reason for v in conflict.values) == ["A: better recall", "B: newer data"]
    assert all(v.before == 1 for v in conflict.values)                       # both moved it from v1
    winners = {p.registry.resolve("risk@production").id for p in (a, b, c)}
    assert len(winners) == 1                                                 # the same winner everywhere
    assert conflict.winner == a.registry.resolve("risk@production").number
    loser = next(v.value for v in conflict.values if v.value != conflict.winner)
    c.registry.resolve_alias_conflict("risk", "production", loser, reason="C decided: B's data is newer")
    sync_until_quiet([a, b, c])
    for project in (a, b, c):
        assert project.sync.conflicts() == []
        assert project.registry.resolve("risk@production").number == loser
    reasons = {e.reason for e in a.audit_events(limit=10_000) if e.action == "model.alias"}
    assert {"A: better recall", "B: newer data", "C decided: B's data is newer"} <= reasons   # all kept


def test_a_change_concurrent_with_an_archive_wins_over_it(team):
    _, (a, b, c) = team
    sync_until_quiet([a, b, c])
    spare = train(a, "base", 9)
    a.registry.register(spare.id, "risk")
    sync_until_quiet([a, b, c])
    number = a.registry.get_model("risk").latest_version
    a.registry.archive("risk", number, reason="A: not needed")
    b.registry.set_alias("risk", "staging", number, reason="B: try it")
    sync_until_quiet([a, b, c])
    for project in (a, b, c):
        version = project.registry.get_version("risk", number)
        assert version.status == "active" and "staging" in version.aliases


def test_syncing_twice_changes_nothing(team):
    _, (a, b, c) = team
    sync_until_quiet([a, b, c])
    before = [state(p) for p in (a, b, c)]
    for project in (a, b, c):
        report = project.sync.sync()
        assert (report.published, report.applied, report.objects_sent, report.objects_received) == (0, 0, 0, 0)
    assert [state(p) for p in (a, b, c)] == before


def test_a_run_only_moves_forward():
    from desktop_app.core.store.models import RunRow
    from desktop_app.core.sync.apply import _move_run_forward

    run = RunRow(id="r", status="finished", metrics={"recall": 0.7})
    _move_run_forward(run, {"id": "r", "status": "running", "metrics": {}})           # an older snapshot
    assert (run.status, run.metrics) == ("finished", {"recall": 0.7})
    queued = RunRow(id="q", status="queued", metrics={})
    _move_run_forward(queued, {"id": "q", "status": "finished", "metrics": {"recall": 0.5}})
    assert (queued.status, queued.metrics) == ("finished", {"recall": 0.5})


def test_the_same_file_imported_on_two_workstations_at_once_is_one_version(team, tmp_path):
    from tests.core.sync.helpers import write_table

    _, (a, b, c) = team
    sync_until_quiet([a, b, c])
    same = write_table(tmp_path, "same", 42)
    on_b = b.datasets.import_file(same, name="shared").version     # B first: its copy is the one kept
    on_a = a.datasets.import_file(same, name="shared").version
    assert on_a.id == on_b.id and on_a.created_at > on_b.created_at
    sync_until_quiet([a, b, c])
    kept = [p.datasets.get_version("shared") for p in (a, b, c)]
    assert [v.number for v in kept] == [1, 1, 1]
    assert {v.host for v in kept} == {on_b.host} and len({(v.id, v.created_at) for v in kept}) == 1
    assert kept[0].created_at == on_b.created_at
    assert state(a) == state(b) == state(c)


def test_a_copied_project_folder_takes_a_new_identity_and_loses_nothing(tmp_path):
    import shutil

    from desktop_app.core.project import Project
    from tests.core.sync.helpers import write_table

    with Project.create(tmp_path / "a", name="Team") as a:
        a.datasets.import_file(write_table(tmp_path, "base", 1), name="base")
        a.sync.sync(tmp_path / "shared")
    shutil.copytree(tmp_path / "a", tmp_path / "copy")            # a backup restored elsewhere, say
    with Project.open(tmp_path / "a") as a, Project.open(tmp_path / "copy") as copy:
        assert a.workstation_id == copy.workstation_id
        a.datasets.import_file(write_table(tmp_path, "on_a", 2), name="base")
        copy.datasets.import_file(write_table(tmp_path, "on_copy", 3), name="from_copy")
        a.sync.sync()                                             # the original publishes first
        report = copy.sync.sync()
        assert any("was a copy" in note for note in report.notes)
        assert copy.workstation_id != a.workstation_id
        sync_until_quiet([a, copy])
        assert state(a) == state(copy)
        assert a.verify_audit().intact and copy.verify_audit().intact
        assert {d.name for d in a.datasets.list()} == {"base", "from_copy"}
        assert [v.number for v in next(d for d in copy.datasets.list() if d.name == "base").versions] == [1, 2]
