"""One dossier per model version: everything a reviewer asks before it goes live, in one document.

    html = project.dossier.html("heart-risk@production")        # self-contained: styles and charts inside
    project.dossier.write("heart-risk@2", "heart-risk-v2.html")

It gathers what MLDesk already keeps, nothing new is computed but the explanation's curves: the model card
(the version's description; intended use, owner and limitations from the model's or the version's tags of
those names), the data lineage back to the imported file with hashes, the quality report of the data it
was trained on and the fixes that made it, the training setup (algorithm, parameters, seed, environment),
the metrics on held-out rows with the ROC curve, the explanation (permutation importance with its spread,
partial dependence and ICE curves of the top columns), fairness (per group, when the run was audited
with a sensitive column), the KPI gate and its result, the approval trail (every registration, alias move
and gate change: who, when, why) with whether the audit chain verifies, the drift checks of this version
since it was registered, and the checksums of the last exported bundle.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.progress import ProgressCallback, no_progress

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion

DEPENDENCE_COLUMNS = 3   # columns whose partial dependence the dossier draws
CARD_TAGS = ("intended_use", "owner", "limitations")


@dataclass
class Dossier:
    """The gathered sections as plain data (what `html.render` lays out, and what tests read)."""

    model: str
    made_at: str
    sections: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


class DossierService:
    def __init__(self, runs, registry, quality, datasets, explain, monitor, bundles,
                 verify_audit: Callable[[], Any]) -> None:
        self._runs, self._registry, self._quality, self._datasets = runs, registry, quality, datasets
        self._explain, self._monitor, self._bundles = explain, monitor, bundles
        self._verify_audit = verify_audit

    def gather(self, ref: str | ModelVersion, progress: ProgressCallback = no_progress) -> Dossier:
        from datetime import UTC, datetime

        from desktop_app.core.explain.contributions import can_explain

        started = time.perf_counter()
        version = self._registry.resolve(ref)
        model = self._registry.get_model(version.model_name)
        run = self._runs.get(version.run_id)
        progress(0.05, f"Reading the lineage of {version.label}")
        lineage = self._registry.lineage(version)
        dossier = Dossier(model=version.label, made_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"))
        s = dossier.sections
        tags = {**model.tags, **version.tags}
        s["card"] = {"model": version.model_name, "version": version.number, "label": version.label,
                     "aliases": list(version.aliases), "status": version.status,
                     "description": version.description or model.description,
                     **{name: tags.get(name, "") for name in CARD_TAGS},
                     "task": version.task, "target": version.target, "algorithm": version.algorithm,
                     "registered_at": version.created_at.isoformat(timespec="seconds"),
                     "registered_by": f"{version.created_by}@{version.host}"}
        s["lineage"] = {"source_name": lineage.source_name, "source_sha256": lineage.source_sha256,
                        "trained_on": lineage.dataset_label, "trained_on_sha256": lineage.dataset_sha256,
                        "chain": [dict(link) for link in lineage.dataset_chain]}
        progress(0.15, "Reading the quality report")
        trained_on = self._datasets.get_version(run.dataset_version_id)
        report = self._quality.latest(trained_on, run.target) or self._quality.latest(trained_on)
        s["quality"] = None if report is None else {
            "dataset": trained_on.label, "checked_at": report.created_at.isoformat(timespec="seconds"),
            "summary": report.report.summary(),
            "findings": [{"severity": str(f.severity), "check": f.check, "column": f.column, "message": f.message}
                         for f in report.report.findings]}
        s["fixes"] = [step for link in lineage.dataset_chain for step in (link.get("steps") or [])]
        s["training"] = {"run": run.id, "experiment": run.experiment, "algorithm": run.algorithm,
                         "params": dict(run.params), "seed": run.seed,
                         "options": {k: v for k, v in run.options.items() if v not in (None, False)},
                         "pipeline": list(run.summary.get("pipeline_steps") or []),
                         "environment": dict(run.environment or {}),
                         "n_train": run.summary.get("n_train"), "n_test": run.summary.get("n_test"),
                         "duration_seconds": run.duration_seconds}
        curves = self._runs.curves(run)
        s["performance"] = {"metrics": dict(run.metrics), "cv_metrics": dict(run.cv_metrics),
                            "threshold": run.summary.get("threshold"),
                            "positive_label": run.summary.get("positive_label"), "roc": curves.get("roc")}
        progress(0.3, "Explaining the model")
        ranked = sorted(run.summary.get("feature_importance") or [], key=lambda item: -item[1])
        explanation: dict[str, Any] = {"importance": [list(item) for item in ranked],
                                       "metric": run.summary.get("importance_metric"), "dependence": {}}
        top = [str(name) for name, _, _ in ranked[:DEPENDENCE_COLUMNS]]
        if top:
            explanation["dependence"] = self._explain.dependence(version, top)
        explanation["per_row"] = can_explain(self._registry.load_model(version)) or \
            "Per-row contributions are available (Registry → Explain, or `mldesk explain`)."
        s["explanation"] = explanation
        s["fairness"] = {"groups": run.summary.get("groups") or {},
                         "gaps": {k: v for k, v in run.metrics.items() if _is_gap(k)},
                         "sensitive": run.options.get("sensitive"),
                         "used_by_model": bool(run.options.get("use_sensitive"))}
        s["gate"] = {"rules": [str(rule) for rule in model.kpi_gate],
                     "failures": self._registry.gate_failures(version)}
        progress(0.7, "Reading the approval trail")
        s["trail"] = [{"at": e.at.isoformat(timespec="seconds"), "user": e.user, "host": e.host,
                       "action": e.action, "before": e.before, "after": e.after, "reason": e.reason}
                      for e in self._registry.history(version.model_name)]
        chain = self._verify_audit()
        s["audit"] = {"intact": chain.intact, "summary": chain.summary()}
        progress(0.8, "Reading the drift checks")
        s["drift"] = [{"at": b.created_at.isoformat(timespec="seconds") if b.created_at else "", "name": b.name,
                       "rows": b.rows, "share_drifted": b.share_drifted, "dataset_drift": b.dataset_drift,
                       "drifted_columns": b.drifted_columns, "id": b.id}
                      for b in reversed(self._monitor.batches(version))]
        last = self._bundles.last_export(version)
        s["bundle"] = None if last is None else {
            "at": last.event.at.isoformat(timespec="seconds"), "by": f"{last.event.user}@{last.event.host}",
            **{k: (last.event.after or {}).get(k) for k in ("path", "zipped", "model_sha256", "sums_sha256")},
            "present": last.listing is not None,
            "files": [list(f) for f in last.listing.files] if last.listing is not None else []}
        dossier.seconds = time.perf_counter() - started
        progress(1.0, "Gathered")
        return dossier

    def html(self, ref: str | ModelVersion, progress: ProgressCallback = no_progress) -> str:
        from desktop_app.core.dossier.html import render

        return render(self.gather(ref, progress))

    def write(self, ref: str | ModelVersion, path: str | os.PathLike, progress: ProgressCallback = no_progress) -> Path:
        """Write the dossier's HTML to `path` (through a temporary file: nothing half written is left)."""
        path = Path(path)
        text = self.html(ref, progress)
        temporary = path.with_name(f".{path.name}.partial")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        return path


def _is_gap(name: str) -> bool:
    from desktop_app.core.training.fairness import is_gap_metric

    return is_gap_metric(name)
