"""A glance at a project (store.glance): the same answers as opening it, without SQLAlchemy, or none at all."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

from desktop_app.core.data.listing import datasets_at
from desktop_app.core.owners import EXPORT_TEMP_PREFIX, temp_name
from desktop_app.core.project import DB_FILE, Project
from desktop_app.core.store.glance import glance
from desktop_app.core.store.team_file import DATABASE_URL_ENV
from desktop_app.core.tracking.listing import runs_at

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def listed(tmp_path):
    """A project with two datasets, one with an imported second version and a derived third."""
    folder = tmp_path / "p"
    with Project.create(folder, name="Glance") as project:
        pd.DataFrame({"a": [1, 2, None], "b": ["x", "y", "z"]}).to_csv(tmp_path / "zeta.csv", index=False)
        pd.DataFrame({"when": ["2024-01-01", "2024-02-01"], "v": [1.5, 2.5]}).to_csv(tmp_path / "alpha.csv",
                                                                                   index=False)
        project.datasets.import_file(tmp_path / "zeta.csv")
        first = project.datasets.import_file(tmp_path / "alpha.csv").version
        pd.DataFrame({"when": ["2024-03-01"], "v": [3.5]}).to_csv(tmp_path / "alpha.csv", index=False)
        second = project.datasets.import_file(tmp_path / "alpha.csv", name="alpha").version
        frame = project.datasets.load(second).assign(v=lambda f: f["v"] * 2)
        project.datasets.derive(second, frame, dict(second.kinds), [{"step": "double v"}])
        assert first.number == 1
    return folder


def test_the_glance_lists_what_opening_lists(listed):
    name, datasets = datasets_at(listed)
    with Project.open(listed) as project:
        assert (name, datasets) == (project.name, project.datasets.list())
    assert [d.name for d in datasets] == ["alpha", "zeta"]
    assert [v.number for v in datasets[0].versions] == [1, 2, 3]
    derived = datasets[0].versions[2]
    assert derived.recipe == [{"step": "double v"}] and derived.parent_id == datasets[0].versions[1].id
    assert derived.created_at.tzinfo is not None and datasets[0].versions[0].read_settings is not None


def test_the_glance_lists_the_runs_opening_lists(listed, tmp_path):
    """Runs of two experiments, one trained for real (curves, environment, JSON with nested values), two logged."""
    from desktop_app.core.tracking.entities import RunSpec

    x = [v % 10 + 0.5 for v in range(40)]   # repeated values: a number, not an id
    pd.DataFrame({"x": x, "y": [2 * a + v % 3 for v, a in enumerate(x)]}).to_csv(tmp_path / "line.csv", index=False)
    with Project.open(listed) as project:
        project.runs.log("zeta", "b", "notebook_model", params={"depth": 3, "nested": {"a": [1, 2]}},
                         metrics={"accuracy": 0.5, "f1": float("nan")}, experiment="Notebooks")
        project.datasets.import_file(tmp_path / "line.csv")
        project.runs.train(RunSpec("line", "y", "linear_regression", seed=2))
        project.runs.log("alpha@2", "v", "other", metrics={"rmse": 1.25})
        expected = project.runs.experiments(), project.runs.list()
        assert project.runs.list(experiment="Notebooks") == [r for r in expected[1] if r.experiment == "Notebooks"]
        assert project.runs.list(limit=1) == expected[1][:1]
    assert runs_at(listed) == expected
    experiments, runs = expected
    assert experiments == ["Default", "Notebooks"] and len(runs) == 3
    assert [r.dataset_label for r in runs] == ["alpha@2", "line@1", "zeta@1"]   # newest first
    trained = runs[1]
    assert trained.status == "finished" and trained.metrics["r2"] > 0.5
    assert trained.environment["python"] and trained.started_at.tzinfo is not None
    assert runs[2].params == {"depth": 3, "nested": {"a": [1, 2]}} and runs[2].metrics["f1"] is None
    with Project.open(listed) as project:   # the same entities as fetching each run on its own
        assert [project.runs.get(r.id) for r in runs] == runs


def test_a_project_without_datasets_is_listed_empty(tmp_path):
    Project.create(tmp_path / "p", name="Empty").close()
    assert datasets_at(tmp_path / "p") == ("Empty", [])


def _older_schema(folder):
    with sqlite3.connect(folder / DB_FILE) as con:
        con.execute("UPDATE alembic_version SET version_num = '0001'")


def _staging_file(folder):
    (folder / "objects" / "tmp").mkdir(parents=True, exist_ok=True)
    (folder / "objects" / "tmp" / "stage-leftover").write_bytes(b"half")


def _unfinished_export(folder):
    (folder / "exports" / temp_name(EXPORT_TEMP_PREFIX)).mkdir(parents=True)


def _objects_is_a_file(folder):
    import shutil

    shutil.rmtree(folder / "objects")
    (folder / "objects").write_text("not a folder")


def _team_file(folder):
    (folder / "team-database.json").write_text("{}")


def _cut_off(folder):
    data = (folder / DB_FILE).read_bytes()
    (folder / DB_FILE).write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("situation", [_older_schema, _staging_file, _unfinished_export, _objects_is_a_file,
                                       _team_file, _cut_off], ids=lambda f: f.__name__.strip("_"))
def test_no_glance_when_opening_would_do_or_say_more(listed, situation):
    situation(listed)
    assert glance(listed) is None and datasets_at(listed) is None


def test_no_glance_at_a_project_with_a_queued_run(listed):
    """Recovery would look at its process (and mark it interrupted when it is gone)."""
    from desktop_app.core.tracking.entities import RunSpec

    with Project.open(listed) as project:
        project.runs.create(RunSpec(dataset="alpha", target="v", algorithm="logistic_regression"))
    assert glance(listed) is None


def test_no_glance_when_a_team_database_is_named_in_the_environment(listed, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql+psycopg://u@localhost/x")
    assert glance(listed) is None


def test_no_glance_at_a_damaged_table_page(listed):
    """The header and the schema look fine but the datasets' page is not: opening words it (tests/cli)."""
    con = sqlite3.connect(listed / DB_FILE)
    page = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'dataset_versions'").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with open(listed / DB_FILE, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xff" * 64)
    assert datasets_at(listed) is None


def _mldesk_imports(*args) -> tuple[str, set[str]]:
    """What `mldesk ARGS` printed, and every module it imported (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "desktop_app.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout, {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(("command", "shown"), [("datasets", ("alpha@3", "zeta@1")),
                                                ("runs", ("notebook_model", "zeta@1"))])
def test_listing_commands_do_not_import_sqlalchemy(listed, command, shown):
    with Project.open(listed) as project:
        project.runs.log("zeta", "b", "notebook_model", metrics={"accuracy": 0.5})
    out, imported = _mldesk_imports(command, listed)
    assert all(text in out for text in shown)
    assert not {m for m in imported if m.split(".")[0] in ("sqlalchemy", "pandas", "numpy", "alembic")}


def test_opening_a_project_the_full_way_does_not_import_alembic(listed):
    """The schema revision is compared with the migration files' names; Alembic only runs a migration."""
    _, imported = _mldesk_imports("models", listed)
    assert "sqlalchemy.orm" in imported   # opened the full way …
    assert not {m for m in imported if m.split(".")[0] in ("alembic", "pandas", "numpy")}   # … and no further
