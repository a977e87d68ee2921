"""An import recorded at a glance (data.import_glance): the rows, events and chain the usual way makes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.import_glance import store_at_glance
from desktop_app.core.data.listing import datasets_at
from desktop_app.core.data.reading import read_for_import
from desktop_app.core.project import DB_FILE, Project
from desktop_app.core.store.glance import glance

pytestmark = pytest.mark.sqlite_only

# Differ between two projects by design: ids derive from the project's id, times and stamps from the clock.
_OWN = {"id", "dataset_id", "entity_id", "origin", "created_at", "at", "stamp", "hash", "prev_hash", "clock"}


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(5)
    first = tmp_path / "visits.csv"
    pd.DataFrame({"age": rng.integers(20, 80, 300), "city": rng.choice(["Oslo", "Bergen", "Tromsø"], 300),
                  "when": pd.date_range("2024-01-01", periods=300, freq="D").strftime("%Y-%m-%d"),
                  "score": rng.normal(size=300).round(3)}).to_csv(first, index=False)
    second = tmp_path / "visits_march.csv"
    pd.read_csv(first).head(120).assign(score=lambda f: f["score"] * 2).to_csv(second, index=False)
    odd = tmp_path / "odd.csv"   # read as numbers, its text is lost with a warning
    odd.write_text("n,mixed\n1,2\n2,x\n3,4\n", encoding="utf-8")
    return first, second, odd


def _import_at_glance(folder, path, name=None, kinds=None):
    connection = glance(folder)
    assert connection is not None
    try:
        return store_at_glance(connection, folder, read_for_import(path, name, kinds=kinds))
    finally:
        connection.close()


def _stored(folder) -> dict[str, list[dict]]:
    """Every row of the tables an import writes, with each value's SQLite type, in the order written."""
    con = sqlite3.connect(folder / DB_FILE)
    con.row_factory = sqlite3.Row
    order = {"datasets": "created_at", "dataset_versions": "stamp", "audit_events": "seq", "sync_state": "id"}
    try:
        return {table: [{key: (row[key] if key not in _OWN else None, type(row[key]).__name__) for key in row.keys()}
                        for row in con.execute(f"SELECT * FROM {table} ORDER BY {column}")]
                for table, column in order.items()}
    finally:
        con.close()


def test_the_rows_are_those_the_usual_way_writes(tmp_path, files):
    first, second, odd = files
    numbers = {"mixed": "numeric"}
    # new, the next version, the same again, one with a warning
    steps = [(first, None, None), (second, "visits", None), (first, None, None), (odd, None, numbers)]
    glanced, usual = tmp_path / "glanced", tmp_path / "usual"
    Project.create(glanced, name="P").close()
    results = [_import_at_glance(glanced, *step) for step in steps]
    with Project.create(usual, name="P") as project:
        expected = [project.datasets.import_file(path, name, kinds=kinds) for path, name, kinds in steps]

    assert [(r.version.label, r.created) for r in results] == [("visits@1", True), ("visits@2", True),
                                                               ("visits@1", False), ("odd@1", True)]
    assert results[3].warnings and results[3].warnings == expected[3].warnings
    assert _stored(glanced) == _stored(usual)
    for got, want in zip(results, expected, strict=True):
        assert (got.created, got.settings, got.warnings) == (want.created, want.settings, want.warnings)
        assert got.version.sha256 == want.version.sha256 and got.version.columns == want.version.columns

    with Project.open(glanced) as project:   # the usual way reads them back as its own …
        assert [project.datasets.get_version(r.version.id) for r in results] == [r.version for r in results]
        assert datasets_at(glanced)[1] == project.datasets.list()
        loaded = project.datasets.load(results[1].version)
        assert len(loaded) == 120 and project.datasets.load(results[0].version)["city"].nunique() == 3
        assert project.verify_audit().intact   # … and the chain holds: dataset.create, import, import, create, import
        third = project.datasets.import_file(first.with_name("visits_march.csv"), name="visits")
        assert not third.created   # the usual way finds the glance's version
    assert _import_at_glance(glanced, odd, kinds=numbers).version == results[3].version


def test_the_clock_moves_on_with_each_version(tmp_path, files):
    Project.create(tmp_path / "p").close()
    stamps = []
    for path in files:
        _import_at_glance(tmp_path / "p", path, name="all")
        con = sqlite3.connect(tmp_path / "p" / DB_FILE)
        stamps.append(con.execute("SELECT clock FROM sync_state").fetchone()[0])
        con.close()
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    with Project.open(tmp_path / "p") as project:
        assert [v.number for v in project.datasets.list()[0].versions] == [1, 2, 3]


def test_a_deleted_dataset_of_that_name_is_left_to_the_usual_way(tmp_path, files):
    folder = tmp_path / "p"
    Project.create(folder).close()
    _import_at_glance(folder, files[0])
    con = sqlite3.connect(folder / DB_FILE)
    con.execute("UPDATE datasets SET deleted_at = '2026-01-01 00:00:00.000000'")
    con.commit()
    before = con.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    con.close()
    assert _import_at_glance(folder, files[1], name="visits") is None
    con = sqlite3.connect(folder / DB_FILE)
    assert con.execute("SELECT count(*) FROM audit_events").fetchone()[0] == before   # nothing recorded
    assert con.execute("SELECT count(*) FROM dataset_versions").fetchone()[0] == 1
    con.close()


def test_a_version_imported_at_a_glance_syncs_to_the_team(tmp_path, files):
    Project.create(tmp_path / "a", name="Team").close()
    imported = _import_at_glance(tmp_path / "a", files[0]).version
    with Project.open(tmp_path / "a") as a:
        a.sync.sync(tmp_path / "shared")
    with Project.clone(tmp_path / "shared", tmp_path / "b") as b:
        assert b.datasets.get_version("visits@1") == imported
        assert b.verify_audit().intact
        assert b.datasets.load(imported)["age"].between(20, 80).all()


def _mldesk(*args):
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "desktop_app.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_mldesk_import_records_at_a_glance_without_sqlalchemy(tmp_path, files):
    Project.create(tmp_path / "p").close()
    done = _mldesk("import", tmp_path / "p", files[0], "--json")
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in ("sqlalchemy", "alembic", "pandas")}
    document = json.loads(done.stdout)
    with Project.open(tmp_path / "p") as project:
        version = project.datasets.get_version("visits@1")
    assert (document["id"], document["sha256"], document["rows"], document["created"]) == (
        version.id, version.sha256, 300, True)


def test_mldesk_import_opens_the_project_when_a_glance_is_refused(tmp_path, files):
    """A file in the objects' staging folder: recovery might clear it, so the project is opened."""
    Project.create(tmp_path / "p").close()
    (tmp_path / "p" / "objects" / "tmp").mkdir(parents=True, exist_ok=True)
    (tmp_path / "p" / "objects" / "tmp" / "stage-leftover").write_bytes(b"half")
    done = _mldesk("import", tmp_path / "p", files[0])
    assert done.returncode == 0, done.stderr
    assert "Imported visits@1" in done.stdout and "sqlalchemy.orm" in done.stderr


def test_two_imports_at_once_take_one_number_each(tmp_path, files):
    Project.create(tmp_path / "p").close()
    commands = [subprocess.Popen([sys.executable, "-m", "desktop_app.cli", "import", str(tmp_path / "p"), str(path),
                                  "--name", "both"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for path in files[:2]]
    outputs = [command.communicate(timeout=120) for command in commands]
    assert all(command.returncode == 0 for command in commands), outputs
    with Project.open(tmp_path / "p") as project:
        versions = project.datasets.list()[0].versions
        assert sorted(v.number for v in versions) == [1, 2] and {v.rows for v in versions} == {300, 120}
        assert project.verify_audit().intact
