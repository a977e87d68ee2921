"""A finding's evidence reads only its columns and rows, and reads the same as from the whole table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.quality.findings import Finding, Severity
from desktop_app.ui.steps.quality.evidence import build_evidence
from desktop_app.ui.steps.quality.evidence_loader import EvidenceLoader
from desktop_app.ui.steps.quality.evidence_source import load_evidence


@pytest.fixture
def version(project, tmp_path):
    """400 rows: an integer and a yes/no column with missing values, a correlated pair, labels, dates, text."""
    rng = np.random.default_rng(3)
    n = 400
    weight = rng.normal(80, 12, n).round(1)
    frame = pd.DataFrame({
        "age": pd.array(rng.integers(20, 90, n), dtype="Int64"),
        "smoker": pd.array(rng.random(n) < 0.3, dtype="boolean"),
        "weight": weight,
        "weight_lb": (weight * 2.2046).round(2),
        "city": rng.choice(["Oslo", "Lyon", "Porto"], n),
        "seen": pd.date_range("2024-01-01", periods=n, freq="D"),
        "notes": [f"note {i}" for i in range(n)],
        "target": rng.choice(["Yes", "No"], n),
    })
    frame.loc[[5, 17, 300], "age"] = pd.NA
    frame.loc[[8, 250], "smoker"] = pd.NA
    path = tmp_path / "planted.csv"
    frame.to_csv(path, index=False)
    return project.datasets.import_file(path, name="planted").version


def _findings(project, version) -> list[Finding]:
    found = list(project.quality.check(version, target="target").report.findings)
    rows = (0, 1, 2, 399)   # none of them missing: the whole column's dtype must still be used
    return found + [
        Finding("planted", Severity.INFO, "age", "Example rows without a missing age", {}, evidence_rows=rows),
        Finding("planted", Severity.INFO, "smoker", "Example rows without a missing yes/no", {},
                evidence_rows=(*rows, 10_000)),   # a row past the end is left out, as before
        Finding("correlated_features", Severity.WARNING, None, "weight and weight_lb move together",
                {"column_a": "weight", "column_b": "weight_lb"}, evidence_rows=(3, 4)),
        Finding("planted", Severity.INFO, "city", "A column alone", {}),
    ]


def test_evidence_is_the_same_as_from_the_whole_table(project, version):
    whole = project.datasets.load(version)
    kinds = dict(version.kinds)
    findings = _findings(project, version)
    assert any(f.evidence_rows for f in findings) and any(f.column for f in findings)
    for finding in findings:
        expected = build_evidence(whole, kinds, finding)
        got = load_evidence(project.datasets, version, finding, lambda *_: None)
        assert repr(got) == repr(expected), finding


def test_the_loader_reads_only_the_column_of_a_one_column_finding(qtbot, project, version, runner, monkeypatch):
    asked: list[list[str] | None] = []
    load_table = project.datasets.load_table

    def spy(*args, columns=None, **kwargs):
        asked.append(columns)
        return load_table(*args, columns=columns, **kwargs)

    monkeypatch.setattr(project.datasets, "load_table", spy)
    loader = EvidenceLoader(runner)
    loader.set_version(project.datasets, version)
    finding = Finding("planted", Severity.INFO, "city", "A column alone", {})
    with qtbot.waitSignal(loader.ready, timeout=20_000) as ready:
        loader.request(finding)
    finding_back, evidence = ready.args
    assert finding_back is finding and evidence.column == "city" and evidence.summary is not None
    assert asked == [["city"]]

    pair = Finding("correlated_features", Severity.WARNING, None, "a pair",
                   {"column_a": "weight", "column_b": "weight_lb"})
    with qtbot.waitSignal(loader.ready, timeout=20_000) as ready:
        loader.request(pair)
    assert ready.args[1].pair is not None and ready.args[1].pair[:2] == ("weight", "weight_lb")
    assert asked[-1] == ["weight", "weight_lb"]



def test_load_table_gives_rows_from_their_row_groups_only(project, version, monkeypatch):
    import pyarrow.parquet as pq

    """Four groups of 100 rows stand in for the real file's one group (read_row_groups answers from it)."""
    whole = project.datasets.load_table(version)
    read: list[list[int]] = []

    def read_row_groups(self, groups, columns=None):
        read.append(list(groups))
        return _concat(whole, groups)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", read_row_groups)
    monkeypatch.setattr(pq.ParquetFile, "num_row_groups", property(lambda self: 4))
    monkeypatch.setattr(pq.ParquetFile, "metadata", property(lambda self: _Groups([100, 100, 100, 100])))
    taken = project.datasets.load_table(version, rows=[310, 5, 399, 7])
    assert read[-1] == [0, 3]
    assert taken.to_pylist() == whole.take([310, 5, 399, 7]).to_pylist()
    assert project.datasets.load_table(version, rows=[]).schema == whole.schema
    with pytest.raises(IndexError):
        project.datasets.load_table(version, rows=[400])


class _Groups:
    def __init__(self, sizes):
        self.sizes = sizes

    def row_group(self, i):
        return type("G", (), {"num_rows": self.sizes[i]})()


def _concat(whole, groups):
    import pyarrow as pa

    return pa.concat_tables([whole.slice(100 * g, 100) for g in groups])
