"""The dossier of the heart-disease model holds every section a reviewer asks for (read back from the HTML), and
its PDF, printed by Qt without a browser, has its pages and every chart."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from tests.cli.helpers import SAMPLE, mldesk


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """heart-risk@2: audited on gender, behind a gate, moved to production with a reason, checked for drift
    on a batch, exported; the data it learned from was checked and fixed (duplicates dropped)."""
    from desktop_app.core.project import Project
    from desktop_app.core.quality.plan import plan_fixes
    from desktop_app.core.tracking.entities import RunSpec

    folder = tmp_path_factory.mktemp("dossier")
    frame = pd.read_csv(SAMPLE)
    pd.concat([frame, frame.head(40)]).to_csv(folder / "heart.csv", index=False)     # 40 duplicate rows
    with Project.create(folder / "proj") as project:
        v1 = project.datasets.import_file(folder / "heart.csv", name="heart").version
        report = project.quality.check(v1, target="heart_disease")
        duplicates = [f for f in report.report.findings if f.check == "duplicate_rows" and f.fix is not None]
        v2 = project.quality.apply_fixes(v1, plan_fixes(duplicates).steps).version
        project.quality.check(v2, target="heart_disease")
        plain = project.runs.train(RunSpec(dataset=v2.id, target="heart_disease", algorithm="logistic_regression"))
        fair = project.runs.train(RunSpec(dataset=v2.id, target="heart_disease", algorithm="logistic_regression",
                                          class_weight="balanced", sensitive="gender"))
        project.registry.register(plain.id, "heart-risk", alias="production")
        project.registry.register(fair.id, "heart-risk", require=["recall>=0.6"])
        project.registry.describe("heart-risk", description="Who to invite for a heart check-up",
                                  tags={"intended_use": "screening invitations", "owner": "cardiology team",
                                        "limitations": "adults 39-79 only"})
        project.registry.set_alias("heart-risk", "production", 2, reason="finds more of the sick (recall)")
        frame.head(500).to_csv(folder / "batch.csv", index=False)
        project.monitor.add_batch("heart-risk@2", folder / "batch.csv")
        project.bundles.export("heart-risk@2")
    return folder


def test_the_dossier_holds_every_section(reviewed):
    out = reviewed / "dossier.html"
    document = json.loads(mldesk("dossier", reviewed / "proj", "heart-risk@production", out, "--json").stdout)
    assert document["model"] == "heart-risk@2" and document["pdf"] is None
    html = out.read_text(encoding="utf-8")
    for key in ("card", "lineage", "quality", "training", "performance", "explanation", "fairness", "gate", "trail",
                "drift", "bundle"):
        assert f"<h2 id='{key}'>" in html, key
    for text in ("screening invitations", "cardiology team", "adults 39-79 only", "Who to invite",   # card
                 "heart.csv", "heart@1", "heart@2",                                                   # lineage
                 "duplicate", "Fixes applied",                                                        # quality
                 "class_weight=balanced", "<th>Seed</th>", "scikit-learn",                            # training
                 "roc_auc", "ROC curve",                                                              # metrics
                 "Permutation importance", "Partial dependence on age",                               # explanation
                 "Groups of <b>gender</b>", "Female", "Male", "recall gap",                          # fairness
                 "recall&gt;=0.6", "Passes every rule",                                               # gate
                 "model.register", "model.alias", "finds more of the sick", "The audit trail is intact",  # trail
                 "batch.csv",                                                                         # drift
                 "SHA256SUMS SHA-256", "model.skops"):                                                # bundle
        assert text in html, text
    from desktop_app.core.project import Project

    with Project.open(reviewed / "proj") as project:
        version = project.registry.resolve("heart-risk@2")
        assert project.bundles.last_export(version).event.after["sums_sha256"] in html
        assert project.datasets.get_version("heart@1").source_sha256 in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")      # nothing to fetch


def test_its_pdf_has_its_pages_and_every_chart(reviewed):
    out, pdf = reviewed / "d.html", reviewed / "d.pdf"
    document = json.loads(mldesk("dossier", reviewed / "proj", "heart-risk@2", out, "--pdf", pdf, "--json").stdout)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and document["pages"] >= 4
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == document["pages"]
    charts = out.read_text(encoding="utf-8").count("<svg")
    assert charts >= 5 and len(re.findall(rb"/Subtype\s*/Image", data)) >= charts


def test_a_model_that_is_not_there_is_one_sentence(reviewed, tmp_path):
    error = mldesk("dossier", reviewed / "proj", "heart-risky", tmp_path / "x.html", check_code=1).stderr
    assert error.startswith("mldesk: ") and "heart-risky" in error and not (tmp_path / "x.html").exists()
