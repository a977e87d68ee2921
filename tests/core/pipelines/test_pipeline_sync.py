"""Pipelines travel through the shared folder: a definition as a versioned setting (two saves unseen are a
conflict, the newest used), a run once it ended, with its steps."""

from __future__ import annotations

import pytest

from desktop_app.core.pipelines.entities import PipelineStatus
from desktop_app.core.project import Project
from desktop_app.core.tracking.entities import RunSpec
from tests.conftest import SAMPLE_CSV
from tests.core.sync.helpers import sync_until_quiet

pytestmark = pytest.mark.sqlite_only


def test_a_definition_and_its_runs_reach_the_other_workstation(tmp_path):
    shared = tmp_path / "shared"
    with Project.create(tmp_path / "a", name="Team") as a:
        a.datasets.import_file(SAMPLE_CSV, name="heart")
        run = a.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression"))
        a.registry.register(run.id, "heart-risk", alias="production")
        a.pipelines.save_from_version("heart-risk@1", "monthly", input_path=str(SAMPLE_CSV))
        ran = a.pipelines.run("monthly")
        assert ran.status == PipelineStatus.DONE
        a.sync.sync(shared)
        with Project.clone(shared, tmp_path / "b") as b:
            sync_until_quiet([a, b])
            assert b.pipelines.names() == ["monthly"]
            assert b.pipelines.get("monthly").definition == a.pipelines.get("monthly").definition
            received = b.pipelines.get_run(ran.id)
            assert received.status == PipelineStatus.DONE and received.steps == ran.steps
            assert received.made == ran.made and received.outcome == ran.outcome

            # both change the pipeline before syncing: a conflict on both sides, the same definition used
            one = a.pipelines.get("monthly").definition
            a.pipelines.save(one.with_changes(description="A's"))
            b.pipelines.save(one.with_changes(description="B's"))
            sync_until_quiet([a, b])
            seen_a, seen_b = a.pipelines.get("monthly"), b.pipelines.get("monthly")
            assert seen_a.conflict and seen_b.conflict
            assert seen_a.definition == seen_b.definition and seen_a.definition.description in ("A's", "B's")
            settled = b.pipelines.save(seen_b.definition.with_changes(description="settled"))
            assert not settled.conflict
            sync_until_quiet([a, b])
            assert not a.pipelines.get("monthly").conflict
            assert a.pipelines.get("monthly").definition.description == "settled"
