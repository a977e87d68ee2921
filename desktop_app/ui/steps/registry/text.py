"""Words and numbers for the Registry step: version lines, alias labels, audit rows (no Qt).

Models and versions arrive as the registry's `RegisteredModel` / `ModelVersion` (or anything
with the same attributes); audit events as `AuditEvent`. Only the light KPI-gate module of
the core is imported (for `check_gate` and rule parsing, which touch no database).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from desktop_app.ui.text.formatting import plural, shorten
from desktop_app.ui.text.runs import format_metric, metric_label, short_metric_label, sort_metrics

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel

# The metrics that tell versions apart at a glance, per task (the first is the "key metric").
KEY_METRICS = {
    "binary": ("roc_auc", "recall", "precision", "f1"),
    "multiclass": ("f1_macro", "recall_macro", "accuracy"),
    "regression": ("r2", "rmse", "mae"),
}
# Aliases people use often get a colour of their own; others share one.
ALIAS_COLORS = {"production": ("#e3f1e5", "#1f6b33"), "champion": ("#e3f1e5", "#1f6b33"),
                "staging": ("#fdf1dc", "#8a5a00"), "challenger": ("#fdf1dc", "#8a5a00")}
OTHER_ALIAS_COLOR = ("#e6eefb", "#1d4f9c")
ALIAS_SUGGESTIONS = ("production", "staging", "challenger")
def alias_colors(alias: str) -> tuple[str, str]:
    """(background, text) of an alias badge."""
    return ALIAS_COLORS.get(alias, OTHER_ALIAS_COLOR)


def metric_kind(metrics: Mapping[str, Any]) -> str:
    if "r2" in metrics or "rmse" in metrics:
        return "regression"
    if "f1_macro" in metrics or "roc_auc_ovr" in metrics:
        return "multiclass"
    return "binary"


def key_metrics(metrics: Mapping[str, Any], limit: int = 3) -> list[str]:
    """The names of the few metrics worth showing first for these metrics."""
    names = [m for m in KEY_METRICS[metric_kind(metrics)] if metrics.get(m) is not None]
    if not names:
        names = sort_metrics(k for k, v in metrics.items() if v is not None)
    return names[:limit]


def key_metric(metrics: Mapping[str, Any]) -> str | None:
    names = key_metrics(metrics, 1)
    return names[0] if names else None


def metric_pair(name: str, metrics: Mapping[str, Any], short: bool = True) -> str:
    """'ROC AUC 0.842'."""
    label = short_metric_label(name) if short else metric_label(name)
    return f"{label} {format_metric(metrics.get(name))}"


def metrics_line(metrics: Mapping[str, Any], limit: int = 3) -> str:
    """'ROC AUC 0.842 · Recall 0.735 · Precision 0.214'."""
    return " · ".join(metric_pair(n, metrics) for n in key_metrics(metrics, limit)) or "no test metrics"


def version_label(version: ModelVersion) -> str:
    """'heart-risk v2'."""
    return f"{version.model_name} v{version.number}"


def focus_label(model: RegisteredModel | None, version: ModelVersion | None = None) -> str | None:
    """What the top bar shows: 'heart-risk@production' when the version in focus holds an alias, else 'name@N'."""
    if model is None:
        return None
    if version is None:
        aliases = dict(getattr(model, "aliases", {}) or {})
        if "production" in aliases:
            return f"{model.name}@production"
        if aliases:
            return f"{model.name}@{sorted(aliases)[0]}"
        latest = getattr(model, "latest_version", None)
        return f"{model.name}@{latest}" if latest else model.name
    aliases = list(version.aliases)
    if aliases:
        alias = "production" if "production" in aliases else aliases[0]
        return f"{version.model_name}@{alias}"
    return f"{version.model_name}@{version.number}"


def gate_text(rules: Sequence[Any]) -> str:
    """'recall>=0.7, roc_auc>0.8' or 'no KPI gate'."""
    return ", ".join(str(r) for r in rules) if rules else "no KPI gate"


def gate_failures(rules: Sequence[Any], metrics: Mapping[str, Any]) -> list[str]:
    """One sentence per rule the metrics fail ([] when there is no gate or every rule holds)."""
    if not rules:
        return []
    from desktop_app.core.registry.gate import check_gate

    return check_gate(rules, metrics)


def parse_rules(text: str, allowed: Iterable[str] | None = None) -> tuple[list[Any], str | None]:
    """Rules from text (one per line, or separated by commas or ';') and the first problem, if any."""
    from desktop_app.core.errors import MLDeskError
    from desktop_app.core.registry.gate import validate_rules

    parts = [p.strip() for p in re.split(r"[\n,;]+", text) if p.strip()]
    try:
        names = sorted(set(allowed)) if allowed is not None else None
        return list(validate_rules(parts, names or None, "this model's versions")), None
    except MLDeskError as error:
        return [], str(error)


def parse_tags(text: str) -> tuple[dict[str, str], str | None]:
    """'team=cardio, owner=ana' → ({'team': 'cardio', 'owner': 'ana'}, None)."""
    tags: dict[str, str] = {}
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            return {}, f"'{part}' is not a tag; write tags as name=value, separated by commas (e.g. team=cardio)."
        tags[key.strip()] = value.strip()
    return tags, None


def tags_text(tags: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in tags.items())


# -- the audit trail ------------------------------------------------------------------------

def _version(data: Mapping[str, Any] | None) -> str:
    number = (data or {}).get("version")
    return f"v{number}" if number is not None else "—"


def _short(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    if not text:
        return "(empty)"
    return shorten(text, limit)


def audit_row(event: Any, numbers: Mapping[str, int]) -> tuple[str, str]:
    """(what happened, before → after) of a registry audit event in plain words.

    `numbers` maps version ids to their numbers (version-level events name the version).
    """
    before, after = event.before or {}, event.after or {}
    number = numbers.get(event.entity_id)
    on = f"v{number}" if number is not None else "the model"
    action = event.action
    if action == "model.create":
        return "Created the model", f"— → {after.get('name', '')}"
    if action == "model.register":
        parts = [f"run {str(after.get('run_id', ''))[:8]}", str(after.get("dataset", "")).strip()]
        metrics = after.get("metrics") or {}
        if metrics:
            parts.append(metrics_line(metrics, 1))
        return f"Registered v{after.get('version', number)}", "— → " + " · ".join(p for p in parts if p)
    if action == "model.alias":
        alias = after.get("alias") or before.get("alias") or ""
        if before.get("version") is None:
            verb = "Set"
        elif after.get("version") is None:
            verb = "Removed"
        else:
            verb = "Moved"
        return f"{verb} alias {alias}", f"{_version(before)} → {_version(after)}"
    if action == "model.archive":
        return f"Archived {on}", f"{before.get('status', 'active')} → {after.get('status', 'archived')}"
    if action == "model.restore":
        return f"Restored {on}", f"{before.get('status', 'archived')} → {after.get('status', 'active')}"
    if action == "model.gate":
        rules = (gate_text(before.get("rules") or []), gate_text(after.get("rules") or []))
        return "Changed the KPI gate", f"{rules[0]} → {rules[1]}"
    if action == "model.describe":
        changes = []
        if "description" in after:
            changes.append(f"{_short(before.get('description'))} → {_short(after.get('description'))}")
        if "tags" in after:
            changes.append(f"tags {tags_text(before.get('tags') or {}) or '(none)'} → "
                           f"{tags_text(after.get('tags') or {}) or '(none)'}")
        return f"Described {on}", "; ".join(changes)
    if action == "model.drift_settings":
        return "Changed the drift settings", f"{_short(before or 'defaults')} → {_short(after or 'defaults')}"
    return action, f"{_short(before or '—')} → {_short(after or '—')}"


def count_versions(model: RegisteredModel) -> str:
    versions = list(model.versions)
    archived = sum(v.archived for v in versions)
    text = plural(len(versions), "version")
    return text + (f" ({archived} archived)" if archived else "")
