"""Side-by-side comparison of runs: which parameters differ, which metrics are best."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.core.tracking.entities import RunInfo
from desktop_app.core.training.metric_names import lower_is_better


@dataclass(frozen=True)
class Row:
    name: str
    values: tuple[Any, ...]   # one per run, None where the run has no such entry
    differs: bool
    best: int | None = None   # index of the best run (metrics only)


@dataclass(frozen=True)
class Comparison:
    runs: tuple[RunInfo, ...]
    settings: tuple[Row, ...]    # dataset, target, algorithm, seed, options and parameters
    metrics: tuple[Row, ...]

    def differing_settings(self) -> tuple[Row, ...]:
        return tuple(row for row in self.settings if row.differs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": [run.id for run in self.runs],
            "settings": [{"name": r.name, "values": list(r.values), "differs": r.differs} for r in self.settings],
            "metrics": [
                {"name": r.name, "values": list(r.values), "best": self.runs[r.best].id if r.best is not None else None}
                for r in self.metrics
            ],
        }


def _row(name: str, values: list[Any]) -> Row:
    return Row(name, tuple(values), differs=len({repr(v) for v in values}) > 1)


def _best(name: str, values: list[Any]) -> int | None:
    """The best run's index; None for spreads (std), ties of all, or fewer than two values."""
    scored = [(v, i) for i, v in enumerate(values) if isinstance(v, int | float)]
    if name.endswith("_std") or len(scored) < 2 or len({v for v, _ in scored}) == 1:
        return None
    pick = min if lower_is_better(name) else max
    return pick(scored)[1]


def compare_runs(runs: list[RunInfo]) -> Comparison:
    settings = [
        _row("dataset", [r.dataset_label for r in runs]),
        _row("target", [r.target for r in runs]),
        _row("algorithm", [r.algorithm for r in runs]),
        _row("seed", [r.seed for r in runs]),
    ]
    for key in sorted({k for r in runs for k in r.options}):
        settings.append(_row(key, [r.options.get(key) for r in runs]))
    for key in sorted({k for r in runs for k in r.params}):
        settings.append(_row(f"param.{key}", [r.params.get(key) for r in runs]))
    metrics = []
    test_names = sorted({k for r in runs for k in r.metrics})
    cv_names = sorted({k for r in runs for k in r.cv_metrics} - set(test_names))
    for key in test_names + cv_names:
        values = [r.metrics.get(key, r.cv_metrics.get(key)) for r in runs]
        metrics.append(Row(key, tuple(values), differs=len(set(map(repr, values))) > 1, best=_best(key, values)))
    return Comparison(tuple(runs), tuple(settings), tuple(metrics))
