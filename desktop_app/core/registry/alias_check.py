"""Is the version an alias moves to worse than the one that held it? (a warning, not a refusal)

A model's KPI gate refuses a version that fails it; a model without a gate would otherwise let
`production` move to a version that finds 8% of the sick patients instead of 80% without a word.
So a move is compared on the gate's metrics (or, without a gate, the task's headline metrics),
and each one that got clearly worse is a sentence the CLI and the window show and the audit keeps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from desktop_app.core.registry.entities import KpiRule
from desktop_app.core.training.metric_names import lower_is_better

# Without a gate: the leaderboard's metric, and recall (the rare class found) — the one a plain
# classifier on imbalanced data loses while its ROC AUC and accuracy look fine.
HEADLINE = ("roc_auc", "recall", "f1", "balanced_accuracy", "roc_auc_ovr", "recall_macro", "f1_macro",
            "r2", "rmse", "mae")
MARGIN = 0.01  # smaller changes are noise between two fits, not a worse model


def compared_metrics(rules: Iterable[KpiRule]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(r.metric for r in rules))
    return names or HEADLINE


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def worse_metrics(rules: Iterable[KpiRule], holder: Mapping[str, Any], candidate: Mapping[str, Any]) -> list[str]:
    """One sentence per compared metric on which `candidate` is clearly worse than `holder`."""
    found = []
    for name in compared_metrics(rules):
        old, new = _number(holder.get(name)), _number(candidate.get(name))
        if old is None or new is None:
            continue
        drop = (new - old) if lower_is_better(name) else (old - new)
        if drop > max(MARGIN, MARGIN * abs(old)):
            found.append(f"{name} {new:.3g} {'>' if lower_is_better(name) else '<'} {old:.3g}")
    return found


def warning_text(model: str, alias: str, old: int, new: int, worse: list[str]) -> str:
    return (f"{model} v{new} is worse than v{old}, which held '{alias}', on {', '.join(worse)}; "
            f"'{alias}' moved anyway (the reason is in the audit trail)")
