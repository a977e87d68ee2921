"""Dataset versions: import, identical content reuse, resolve, load, all-or-nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.errors import Cancelled, DataImportError, NotFoundError
from tests.conftest import SAMPLE_CSV


def _write_csv(path, rows=50, shift=0):
    frame = pd.DataFrame(
        {
            "age": [30 + (i + shift) % 40 for i in range(rows)],
            "city": ["Lyon", "Paris", "Nice", "Lille", "Metz"] * (rows // 5),
            "income": [1000.5 + i for i in range(rows)],
            "churn": ["Yes" if i % 7 == 0 else "No" for i in range(rows)],
        }
    )
    frame.to_csv(path, index=False)
    return frame


def _objects(project):
    return sorted(p for p in (project.path / "objects").rglob("*") if p.is_file() and "tmp" not in p.parts)


def test_import_creates_version_one_with_kinds_and_audit(project, tmp_path):
    frame = _write_csv(tmp_path / "churn.csv")
    result = project.datasets.import_file(tmp_path / "churn.csv")
    version = result.version
    assert result.created
    assert (version.label, version.rows, version.n_columns) == ("churn@1", 50, 4)
    assert version.kinds["age"] == ColumnKind.NUMERIC
    assert version.kinds["city"] == ColumnKind.CATEGORICAL
    assert version.source_name == "churn.csv" and len(version.source_sha256) == 64
    loaded = project.datasets.load(version)
    assert loaded["income"].tolist() == frame["income"].tolist()
    assert loaded["city"].tolist() == frame["city"].tolist()
    assert project.objects.path(version.sha256).exists()
    actions = [e.action for e in project.audit_events()]
    assert "dataset.import" in actions and "dataset.create" in actions


def test_identical_content_is_the_same_version_and_no_copy(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    first = project.datasets.import_file(tmp_path / "churn.csv")
    objects_before = _objects(project)
    again = project.datasets.import_file(tmp_path / "churn.csv")
    assert not again.created
    assert again.version.id == first.version.id
    assert _objects(project) == objects_before


def test_changed_content_is_the_next_version(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    project.datasets.import_file(tmp_path / "churn.csv")
    _write_csv(tmp_path / "churn.csv", shift=3)
    second = project.datasets.import_file(tmp_path / "churn.csv")
    assert second.version.label == "churn@2"
    assert project.datasets.get_version("churn").number == 2
    assert project.datasets.get_version("churn@1").number == 1
    assert project.datasets.get_version(second.version.id[:8]).id == second.version.id
    [dataset] = project.datasets.list()
    assert [v.number for v in dataset.versions] == [1, 2]


def test_kind_override_is_stored(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    result = project.datasets.import_file(tmp_path / "churn.csv", kinds={"age": "categorical"})
    assert result.version.kinds["age"] == ColumnKind.CATEGORICAL
    with pytest.raises(DataImportError, match="no column 'nope'"):
        project.datasets.import_file(tmp_path / "churn.csv", kinds={"nope": "numeric"})


def test_unknown_references_are_clear_errors(project):
    with pytest.raises(NotFoundError, match="no dataset 'ghost'"):
        project.datasets.get_version("ghost")


def test_bad_names_are_refused(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    with pytest.raises(DataImportError, match="contains '@'"):
        project.datasets.import_file(tmp_path / "churn.csv", name="a@b")


def test_cancelled_import_leaves_nothing_behind(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    seen = []

    def cancel_near_the_end(fraction, message):
        seen.append(fraction)
        if fraction >= 0.95:
            raise Cancelled()

    with pytest.raises(Cancelled):
        project.datasets.import_file(tmp_path / "churn.csv", progress=cancel_near_the_end)
    assert project.datasets.list() == []
    assert _objects(project) == []
    assert list((project.path / "objects" / "tmp").iterdir()) == []
    assert [e.action for e in project.audit_events()] == ["project.create"]


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty"), (b"a,b,c\n", "no data rows"), (b"\x00\x01\x02\xff\xfe" * 200, "binary data")],
    ids=["empty", "header-only", "binary"],
)
def test_bad_files_leave_the_project_untouched(project, tmp_path, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(DataImportError, match=message):
        project.datasets.import_file(bad)
    assert project.datasets.list() == []
    assert _objects(project) == []


def test_damaged_snapshot_is_refused_on_load(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    version = project.datasets.import_file(tmp_path / "churn.csv").version
    path = project.objects.path(version.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    from desktop_app.core.errors import IntegrityError

    with pytest.raises(IntegrityError, match="damaged"):
        project.datasets.load(version)


def test_sample_project_opens_with_heart_data(tmp_path):
    from desktop_app.core.sample import create_sample_project

    with create_sample_project(tmp_path / "sample") as project:
        [dataset] = project.datasets.list()
        assert dataset.name == "heart" and dataset.latest.rows == len(pd.read_csv(SAMPLE_CSV))
    with create_sample_project(tmp_path / "sample") as project:  # a second open re-imports nothing
        assert len(project.datasets.list()[0].versions) == 1


def test_load_with_categories_gives_the_same_values(project, tmp_path):
    _write_csv(tmp_path / "churn.csv")
    version = project.datasets.import_file(tmp_path / "churn.csv").version
    plain = project.datasets.load(version)
    compact = project.datasets.load(version, categories=True)
    assert str(compact["city"].dtype) == "category" and str(compact["age"].dtype) == str(plain["age"].dtype)
    assert compact["city"].astype(str).tolist() == plain["city"].astype(str).tolist()


@pytest.mark.parametrize("make", ["world_bank", "r_write_table"])
def test_the_detected_layout_is_stored_and_a_reimport_is_identical(project, tmp_path, make):
    from tests.core import real_shapes

    shape = getattr(real_shapes, make)(tmp_path)
    first = project.datasets.import_file(shape.path, name="stats")
    stored = first.version.read_settings
    assert (stored.skip_rows, stored.row_names) == (first.settings.skip_rows, first.settings.row_names)
    assert (stored.skip_rows, stored.row_names) == (shape.skip_rows, make == "r_write_table")
    again = project.datasets.import_file(shape.path, name="stats", settings=stored)
    assert not again.created and again.version.sha256 == first.version.sha256
    loaded = project.datasets.load(first.version)
    assert len(loaded) == shape.rows and list(loaded.columns[: len(shape.columns)]) == shape.columns
