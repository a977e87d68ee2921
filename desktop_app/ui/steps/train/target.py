"""What the Train step needs to know about a dataset version and target before training:
the task the target implies, its classes, and the latest quality report's verdict.

`inspect_target` runs on a worker thread (it loads one column and reads the saved report);
`quality_line` and `imbalance_hint` turn its answer into words on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.ui.text.formatting import format_percent

if TYPE_CHECKING:
    from desktop_app.core.project import Project

# Findings that change how to train, with the advice the Train step gives for each.
TRAINING_ADVICE = {
    "class_imbalance": "class imbalance: use balanced class weights",
    "target_leakage": "a column may leak the answer: drop it in the Quality step",
    "missing_target": "rows without a target will be left out",
    "single_class_target": "only one class: a model cannot learn",
    "too_few_rows": "very few rows: expect unstable results",
}


@dataclass
class TargetInfo:
    version_id: str
    target: str
    task: str | None = None             # detected: classification or regression; None if not predictable
    problem: str | None = None          # why the column cannot be a target
    n_classes: int | None = None
    summary: dict[str, Any] | None = None   # the latest report's counts (None: never checked)
    findings: list[Any] = field(default_factory=list)   # findings with training advice, worst first


def inspect_target(project: Project, version: Any, target: str) -> TargetInfo:
    """Worker thread: detect the task and read the latest quality report for `target`."""
    from desktop_app.core.errors import MLDeskError
    from desktop_app.core.training.task import detect_task

    info = TargetInfo(version.id, target)
    kind = str(version.kinds.get(target))
    if kind in ("id", "text", "datetime"):
        import pandas as pd

        column = pd.Series([], dtype=object, name=target)  # cannot be a target: detect_task says why
        values = None
    else:
        values = project.datasets.load_table(version, columns=[target]).column(target)
        # Categories are classes without looking at the values; numbers need a look.
        column = (values.slice(0, 0) if kind in ("categorical", "boolean") else values).to_pandas()
        column.name = target
    try:
        info.task = detect_task(column, version.kinds.get(target))
    except MLDeskError as error:
        info.problem = str(error)
    if info.task == "classification" and values is not None:
        import pyarrow.compute as pc

        info.n_classes = int(pc.count_distinct(values, mode="only_valid").as_py())
    stored = project.quality.latest(version, target)
    if stored is not None:
        info.summary = stored.report.summary()
        info.findings = sorted(
            (f for f in stored.report.findings if f.check in TRAINING_ADVICE and str(f.severity) != "info"),
            key=lambda f: f.sort_key,
        )
    return info


def quality_line(info: TargetInfo | None) -> tuple[str, str]:
    """('Quality: 0 errors, 1 warning — class imbalance: use balanced class weights', severity)."""
    if info is None:
        return "", "info"
    if info.summary is None:
        return (f"Quality: not checked yet for target {info.target} — "
                "<a href='quality'>check it in the Quality step</a> first (recommended).", "warning")
    text = f"Quality: {info.summary['text']}"
    advice = [TRAINING_ADVICE[f.check] for f in info.findings]
    if advice:
        text += " — " + "; ".join(dict.fromkeys(advice))
    severity = "error" if info.summary.get("errors") else "warning" if info.summary.get("warnings") else "ok"
    return text, severity


def imbalance_hint(info: TargetInfo | None) -> str | None:
    """'The quality check found class imbalance: only 8.2% of rows are “Yes”.' or None."""
    if info is None:
        return None
    finding = next((f for f in info.findings if f.check == "class_imbalance"), None)
    if finding is None:
        return None
    share = finding.value.get("minority_share")
    minority = finding.value.get("minority")
    if share is None or minority is None:
        return "The quality check found class imbalance."
    return (f"Only {format_percent(float(share), is_fraction=True)} of rows are “{minority}”: "
            "a plain model may rarely predict them.")
