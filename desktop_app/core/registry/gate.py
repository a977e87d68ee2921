"""KPI gates: rules such as `recall>=0.7` that a version must meet to be registered or take an alias.

    rules = [parse_rule("recall>=0.7"), parse_rule("roc_auc > 0.8")]
    check_gate(rules, run.metrics)   # [] when every rule holds, else one sentence per failure

Metric names are those the runs record (scikit-learn scorer names without "neg_", see
`training.metrics`). A metric missing from the metrics (or not finite) fails its rule.
Kept light: nothing heavy is imported at module level (the window imports the registry).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from desktop_app.core.registry.entities import KpiRule
from desktop_app.core.registry.errors import GateFailedError, KpiRuleError

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">="}
_SYNONYMS = {"≥": ">=", "≤": "<=", "=>": ">=", "=<": "<="}
_RULE = re.compile(
    r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|=>|=<|≥|≤|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)
RULE_HELP = "write it as METRIC>=VALUE, e.g. recall>=0.7 (operators: >=, >, <=, <)"


def known_metric_names() -> tuple[str, ...]:
    """Every metric name a run can record (binary, multiclass and regression)."""
    from desktop_app.core.training.metrics import BINARY_METRICS, MULTICLASS_METRICS, REGRESSION_METRICS

    return tuple(dict.fromkeys(BINARY_METRICS + MULTICLASS_METRICS + REGRESSION_METRICS))


def parse_rule(text: str) -> KpiRule:
    """`"recall>=0.7"` → KpiRule("recall", ">=", 0.7); KpiRuleError for anything else."""
    match = _RULE.match(str(text))
    if match is None:
        raise KpiRuleError(f"'{str(text).strip()}' is not a KPI rule; {RULE_HELP}.")
    metric, op, value = match.groups()
    return _rule(metric.lower(), _SYNONYMS.get(op, op), float(value))


def _rule(metric: str, op: str, value: float) -> KpiRule:
    if op not in OPS:
        raise KpiRuleError(f"'{op}' is not an operator of a KPI rule; use >=, >, <= or <.")
    if not math.isfinite(value):
        raise KpiRuleError(f"The KPI rule on {metric} needs a finite number, not {value}.")
    return KpiRule(metric, op, float(value))


def as_rule(rule: str | KpiRule | Mapping[str, Any]) -> KpiRule:
    """A rule from its text, a KpiRule, or its stored form {"metric", "op", "value"}."""
    if isinstance(rule, KpiRule):
        return _rule(rule.metric.strip().lower(), rule.op, float(rule.value))
    if isinstance(rule, Mapping):
        try:
            return _rule(str(rule["metric"]).strip().lower(), str(rule["op"]), float(rule["value"]))
        except (KeyError, TypeError, ValueError):
            raise KpiRuleError(f"{dict(rule)!r} is not a KPI rule; {RULE_HELP}.") from None
    return parse_rule(rule)


def validate_rules(rules: Iterable[str | KpiRule | Mapping[str, Any]], allowed: Sequence[str] | None = None,
                   owner: str = "") -> tuple[KpiRule, ...]:
    """Parsed rules (duplicates dropped), each naming a metric of `allowed` (default: every known metric).

    `owner` names where `allowed` comes from in the message, e.g. "heart-risk's versions".
    """
    parsed = tuple(dict.fromkeys(as_rule(r) for r in rules))
    names = tuple(allowed) if allowed is not None else known_metric_names()
    for rule in parsed:
        if rule.metric not in names:
            where = f" of {owner}" if owner else ""
            raise KpiRuleError(f"'{rule.metric}' is not a metric{where}; use one of: {', '.join(names)}.")
    return parsed


def _fmt(value: float, other: float) -> str:
    """`value` with few digits, but enough to differ from `other` when it does."""
    for digits in (4, 6, 9, 12, 17):
        text = f"{value:.{digits}g}"
        if value == other or float(text) != other:
            return text
    return repr(value)


def check_gate(rules: Iterable[KpiRule], metrics: Mapping[str, Any]) -> list[str]:
    """One sentence per rule `metrics` fail, e.g. "recall 0.61 < 0.7 (rule recall>=0.7)"."""
    failures = []
    for rule in rules:
        value = metrics.get(rule.metric)
        try:
            value = float(value) if value is not None else None
        except (TypeError, ValueError):
            value = None
        if value is None or not math.isfinite(value):
            failures.append(f"{rule.metric} is not among the run's test metrics (rule {rule})")
        elif not OPS[rule.op](value, rule.value):
            failures.append(f"{rule.metric} {_fmt(value, rule.value)} {_NEGATED[rule.op]} {rule.value:g} "
                            f"(rule {rule})")
    return failures


def gate_error(subject: str, failures: list[str]) -> GateFailedError:
    return GateFailedError(f"{subject} does not pass the KPI gate: {'; '.join(failures)}; "
                           "train a better model or change the gate.", failures)


def rules_to_json(rules: Iterable[KpiRule]) -> list[dict[str, Any]]:
    return [{"metric": r.metric, "op": r.op, "value": r.value} for r in rules]


def rules_from_json(data: list[Any] | None) -> tuple[KpiRule, ...]:
    return tuple(as_rule(d) for d in data or [])
