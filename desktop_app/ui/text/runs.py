"""Words and numbers for runs, shared by the Train and Compare steps.

Metric names, directions and help come from `core.training.metric_names` (no scikit-learn, so
importing this stays fast). Runs arrive as core `RunInfo` objects (or anything with the same
attributes); statuses are compared as plain strings ("finished", …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from desktop_app.core.training.metric_names import MAIN_METRICS, METRIC_LABELS, METRIC_ORDER, SHORT_METRIC_LABELS
from desktop_app.ui.text.formatting import format_float, format_number, format_score

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo

STATUS_TEXT = {"queued": "Queued", "running": "Running", "finished": "Finished", "failed": "Failed",
               "cancelled": "Cancelled", "cancelling": "Cancelling…", "interrupted": "Interrupted"}
STATUS_COLOR = {"queued": "#6b7480", "running": "#1f6feb", "finished": "#2e7d32", "failed": "#c62828",
                "cancelled": "#8a5a00", "cancelling": "#8a5a00", "interrupted": "#8a5a00"}

OPTION_LABELS = {
    "class_weight": "Class weights", "test_size": "Test share", "cv_folds": "Cross-validation folds",
    "tune_threshold": "Tuned threshold", "search": "Search", "trials": "Search trials",
    "time_budget_seconds": "Search time budget", "positive_label": "Positive class", "time_column": "Time column",
    "task": "Task", "dataset": "Dataset version", "target": "Target", "algorithm": "Model", "seed": "Seed",
}


def status_key(status: Any) -> str:
    return str(getattr(status, "value", status))


def status_text(status: Any) -> str:
    key = status_key(status)
    return STATUS_TEXT.get(key, key.capitalize())


def metric_label(name: str) -> str:
    """'recall' → 'Recall'; 'cv_recall_mean' → 'Recall (CV mean)'; 'cv_recall_std' → 'Recall (CV spread)'."""
    if name.startswith("cv_"):
        base = name[3:]
        for suffix, words in (("_mean", "CV mean"), ("_std", "CV spread")):
            if base.endswith(suffix):
                return f"{metric_label(base.removesuffix(suffix))} ({words})"
    return METRIC_LABELS.get(name, name.replace("_", " ").capitalize())


def short_metric_label(name: str) -> str:
    """A label that fits under a bar group ('balanced_accuracy' → 'Bal. accuracy')."""
    return SHORT_METRIC_LABELS.get(name, metric_label(name))


def setting_label(name: str) -> str:
    """'class_weight' → 'Class weights'; 'param.C' → 'C (parameter)'."""
    if name.startswith("param."):
        return f"{name[6:]} (parameter)"
    return OPTION_LABELS.get(name, name.replace("_", " ").capitalize())


def sort_metrics(names: Iterable[str]) -> list[str]:
    order = {n: i for i, n in enumerate(METRIC_ORDER)}
    return sorted(set(names), key=lambda n: (order.get(n, len(order)), n))


def main_metric(runs: Sequence[RunInfo]) -> str | None:
    """The metric a leaderboard ranks by: ROC AUC (binary), F1 macro (multiclass) or R²."""
    names = {k for r in runs for k in (r.metrics or {})}
    return next((m for m in MAIN_METRICS if m in names), None)


def format_metric(value: Any) -> str:
    """A metric on screen (tables, labels, legends, bars): `format_score`'s one rule everywhere."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return format_number(value)
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        return format_score(float(value))
    return format_number(value)


def format_value(value: Any) -> str:
    """A setting's value for people: None → 'none', floats with 4 significant digits."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_float(value)
    return format_number(value)


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes < 90:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def algorithm_label(name: str, task: str | None = None) -> str:
    """The catalogue's label for an algorithm name ('logistic_regression' → 'Logistic regression')."""
    from desktop_app.core.training.catalogue import ALGORITHMS  # light: no scikit-learn import

    for algorithm in ALGORITHMS:
        if algorithm.name == name and (task is None or algorithm.task == task):
            return algorithm.label
    return name.replace("_", " ").capitalize()


def run_traits(run: RunInfo) -> list[str]:
    """Short words for the settings that usually tell runs apart: 'balanced', 'tuned threshold', 'random search'."""
    options = run.options or {}
    traits = []
    if options.get("class_weight"):
        traits.append(str(options["class_weight"]))
    if options.get("tune_threshold"):
        traits.append("tuned threshold")
    if options.get("search"):
        traits.append(f"{options['search']} search")
    return traits


def run_title(run: RunInfo, *, with_id: bool = True, extra: Sequence[str] = ()) -> str:
    """'Logistic regression · balanced · 3f2a91c0'."""
    parts = [algorithm_label(run.algorithm, run.task), *run_traits(run), *extra]
    if with_id:
        parts.append(run.id[:8])
    return " · ".join(parts)


def distinguishing(runs: Sequence[RunInfo]) -> dict[str, list[str]]:
    """For each run id, its parameter values that differ from the other runs of the same algorithm."""
    out: dict[str, list[str]] = {r.id: [] for r in runs}
    by_algorithm: dict[str, list[Any]] = {}
    for run in runs:
        by_algorithm.setdefault(run.algorithm, []).append(run)
    for group in by_algorithm.values():
        if len(group) < 2:
            continue
        keys = sorted({k for r in group for k in (r.params or {})})
        for key in keys:
            values = [repr((r.params or {}).get(key)) for r in group]
            if len(set(values)) > 1:
                for run in group:
                    out[run.id].append(f"{key}={format_value((run.params or {}).get(key))}")
    return out


def setting_word(name: str, value: Any) -> str:
    """One setting's value as a word or two: ('class_weight', None) → 'no weights'."""
    if name == "algorithm":
        return algorithm_label(str(value))
    if name == "class_weight":
        return str(value) if value else "no weights"
    if name == "tune_threshold":
        return "tuned threshold" if value else "threshold 0.5"
    if name == "search":
        return f"{value} search" if value else "no search"
    if name == "cv_folds":
        return f"{value}-fold CV" if value else "no CV"
    if name == "test_size" and isinstance(value, (int, float)):
        return f"test {value:.0%}"
    if name == "seed":
        return f"seed {value}"
    if name == "target":
        return f"→ {value}"
    if name == "trials":
        return f"{value} trials"
    if name == "time_budget_seconds":
        return f"budget {format_seconds(value)}" if value else "no budget"
    if name == "dataset":
        return str(value)
    if name.startswith("param."):
        return f"{name[6:]}={format_value(value)}"
    return f"{name}={format_value(value)}"


def common_description(runs: Sequence[RunInfo]) -> str:
    """What the runs share: 'Logistic regression · heart@1 → heart_disease'."""
    parts = []
    algorithms = {r.algorithm for r in runs}
    if len(algorithms) == 1:
        parts.append(algorithm_label(runs[0].algorithm, runs[0].task))
    datasets, targets = {r.dataset_label for r in runs}, {r.target for r in runs}
    if len(datasets) == 1 and len(targets) == 1:
        parts.append(f"{runs[0].dataset_label} → {runs[0].target}")
    elif len(targets) == 1:
        parts.append(f"target {runs[0].target}")
    return " · ".join(parts)
