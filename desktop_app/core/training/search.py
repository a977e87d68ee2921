"""Hyper-parameter search: grid, random, or successive halving, one candidate at a time.

    result = search(frame, kinds, "heart_disease", "random_forest", method="random", trials=20,
                    cv_folds=3, time_budget_seconds=120, progress=cb)
    result.best_params, result.best_score, result.candidates, result.final   # final: TrainingResult

Each candidate is cross-validated on the training part only (the same split the final
evaluation uses, so the test rows never steer the choice) in this module's own loop, so:
- progress is reported per candidate and per fold;
- a `Cancelled` raised by `progress` stops at once and the search returns what finished,
  with `cancelled=True` and no final model (the caller decides whether to keep it);
- `time_budget_seconds` is checked before each candidate: one that would probably not finish
  within the budget (judged by the candidates so far) is not started, and the best so far is
  refitted (`budget_exhausted=True`). The budget covers the candidates, not the final refit.

The search space maps a parameter name to a list of values, or to a range
{"low": .., "high": .., "log": bool}. A grid tries every combination (ranges spread over
GRID_POINTS values; `trials` does not cap a grid); a random search samples `trials`
candidates (without repeats when every entry is a list); halving samples `trials`
candidates like random and runs successive halving: all of them on a small share of the
training rows, the best 1/`halving_factor` on `halving_factor` times more rows, and so on up
to all the training rows. The key "class_weight" may be searched too ([None, "balanced"]).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import ParameterGrid, ParameterSampler, train_test_split

from desktop_app.core.errors import Cancelled
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.quality.recipe import RecipeStep
from desktop_app.core.training import metrics as m
from desktop_app.core.training.catalogue import CLASSIFICATION, Algorithm, validate_class_weight
from desktop_app.core.training.cluster import candidate_scores, on_cluster
from desktop_app.core.training.errors import SearchError
from desktop_app.core.training.evaluation import TrainingResult, cross_validate, evaluate_prepared
from desktop_app.core.training.prepare import Prepared, prepare
from desktop_app.core.training.threads import limited_threads

METHODS = ("grid", "random", "halving")
GRID_POINTS = 5
SIGNIFICANT_DIGITS = 4
CLASS_WEIGHT = "class_weight"


class Candidate(NamedTuple):
    """One evaluated setting; (params, mean_score, std_score) come first, so it unpacks like a triple."""

    params: dict[str, Any]
    mean_score: float
    std_score: float
    seconds: float = 0.0
    n_samples: int = 0        # training rows the folds were drawn from
    round: int = 0            # halving round (0 for grid and random)

    def to_dict(self) -> dict[str, Any]:
        return {"params": self.params, "mean_score": _json_float(self.mean_score),
                "std_score": _json_float(self.std_score), "seconds": self.seconds, "n_samples": self.n_samples,
                "round": self.round}


@dataclass
class SearchResult:
    best_params: dict[str, Any] | None
    best_score: float | None
    candidates: list[Candidate]
    final: TrainingResult | None
    scoring: str
    method: str
    cancelled: bool = False
    budget_exhausted: bool = False
    planned: int = 0                       # candidate evaluations the search meant to run
    elapsed_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"best_params": self.best_params, "best_score": _json_float(self.best_score),
                "candidates": [c.to_dict() for c in self.candidates], "scoring": self.scoring,
                "method": self.method, "cancelled": self.cancelled, "budget_exhausted": self.budget_exhausted,
                "planned": self.planned, "elapsed_seconds": self.elapsed_seconds, "notes": self.notes,
                "final": self.final.to_dict() if self.final is not None else None}


def _json_float(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


# The space ---------------------------------------------------------------------------------

def normalise_space(algorithm: Algorithm, space: Mapping[str, Any]) -> dict[str, Any]:
    """Values parsed and checked by each parameter's rules; a range stays a {"low", "high", "log"} dict."""
    if not space:
        raise SearchError(f"The search space for {algorithm.name} is empty; give at least one parameter to vary.")
    out: dict[str, Any] = {}
    for name, spec in space.items():
        if isinstance(spec, str):
            spec = [s for s in spec.split(",")]
        if name == CLASS_WEIGHT:
            values = list(spec) if not isinstance(spec, Mapping) else []
            out[name] = _unique([validate_class_weight(algorithm, v) for v in values])
        elif isinstance(spec, Mapping):
            param = algorithm.param(name)
            if param.type not in ("int", "float"):
                raise SearchError(f"Parameter {name} is a {param.type}; give it a list of values, not a range.")
            low, high = param.parse(spec.get("low", param.low)), param.parse(spec.get("high", param.high))
            if low is None or high is None or low > high:
                raise SearchError(f"The range of {name} needs a low value not above its high value.")
            out[name] = {"low": low, "high": high, "log": bool(spec.get("log", param.log)) and low > 0}
        else:
            param = algorithm.param(name)
            out[name] = _unique([param.parse(v, algorithm.name) for v in spec])
        if not out[name] and not isinstance(out[name], Mapping):
            raise SearchError(f"The search space gives no value for {name}.")
    return out


def _unique(values: list) -> list:
    seen: list = []
    for v in values:
        if not any(v == s and type(v) is type(s) for s in seen):
            seen.append(v)
    return seen


def _spread(param_type: str, spec: Mapping[str, Any]) -> list:
    low, high = spec["low"], spec["high"]
    points = np.geomspace(low, high, GRID_POINTS) if spec["log"] else np.linspace(low, high, GRID_POINTS)
    if param_type == "int":
        return _unique([int(round(v)) for v in points])
    return _unique([_round(float(v)) for v in points])


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, SIGNIFICANT_DIGITS - 1 - int(math.floor(math.log10(abs(value)))))


class _LogInt:
    """Whole numbers spread evenly on a log scale (ParameterSampler calls `rvs`)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def rvs(self, random_state: Any = None) -> int:
        rng = random_state if isinstance(random_state, np.random.RandomState) else np.random.RandomState(random_state)
        value = int(round(math.exp(rng.uniform(math.log(self.low), math.log(self.high)))))
        return min(max(value, self.low), self.high)


def _distribution(param_type: str, spec: Mapping[str, Any]) -> Any:
    low, high = spec["low"], spec["high"]
    if param_type == "int":
        return _LogInt(int(low), int(high)) if spec["log"] else stats.randint(int(low), int(high) + 1)
    if spec["log"]:
        return stats.loguniform(low, high)
    return stats.uniform(low, high - low)


def candidates_for(algorithm: Algorithm, space: Mapping[str, Any], method: str, trials: int,
                   seed: int) -> list[dict[str, Any]]:
    """The settings to try (parameter name → value; "class_weight" if searched)."""
    types = {p.name: p.type for p in algorithm.params}
    types[CLASS_WEIGHT] = "choice"
    if method == "grid":
        lists = {k: (_spread(types[k], v) if isinstance(v, Mapping) else v) for k, v in space.items()}
        return [dict(sorted(c.items())) for c in ParameterGrid(lists)]
    if trials < 1:
        raise SearchError(f"A {method} search needs at least one trial, not {trials}.")
    if all(isinstance(v, list) for v in space.values()):
        size = math.prod(len(v) for v in space.values())
        trials = min(trials, size)
    dists = {k: (_distribution(types[k], v) if isinstance(v, Mapping) else v) for k, v in space.items()}
    out: list[dict[str, Any]] = []
    for sampled in ParameterSampler(dists, n_iter=trials, random_state=seed):
        setting = {k: _plain(types[k], v) for k, v in sorted(sampled.items())}
        if setting not in out:
            out.append(setting)
    return out


def _plain(param_type: str, value: Any) -> Any:
    """A sampled value as the plain Python value the parameter takes (floats to 4 significant digits)."""
    if value is None:
        return None
    if param_type == "float":
        return _round(float(value))
    if param_type == "int":
        return int(value)
    return value.item() if isinstance(value, np.generic) else value


# The search -----------------------------------------------------------------------------------

def search(
    frame: pd.DataFrame,
    kinds: Mapping[str, Any] | None,
    target: str,
    algorithm_name: str,
    *,
    seed: int = 0,
    task: str | None = None,
    test_size: float = 0.25,
    positive_label: Any = None,
    time_column: str | None = None,
    recipe_steps: Iterable[RecipeStep | Mapping] = (),
    progress: ProgressCallback = no_progress,
    **options: Any,
) -> SearchResult:
    """Search `space` (default: the algorithm's own) and refit the best on the whole training part.

    `options` are `search_prepared`'s. The final `TrainingResult` is that of `train_and_evaluate`
    with the best parameters (same split, seed, threshold option); its `cv_metrics` hold the best
    candidate's cross-validated score.
    """
    _check_options(options.get("method", "grid"), options.get("time_budget_seconds"),
                   options.get("halving_factor", 3))
    progress(0.0, "Preparing the data")
    prep = prepare(frame, kinds, target, algorithm_name, task=task, test_size=test_size, seed=seed,
                   positive_label=positive_label, time_column=time_column, recipe_steps=recipe_steps)
    return search_prepared(prep, seed=seed, progress=progress, **options)


def _check_options(method: str, time_budget_seconds: float | None, halving_factor: int) -> None:
    if method not in METHODS:
        raise SearchError(f"'{method}' is not a search method; use grid, random or halving.")
    if time_budget_seconds is not None and time_budget_seconds <= 0:
        raise SearchError("The time budget must be a positive number of seconds.")
    if halving_factor < 2:
        raise SearchError("The halving factor must be at least 2.")


@limited_threads
def search_prepared(
    prep: Prepared,
    *,
    method: str = "grid",
    trials: int = 20,
    space: Mapping[str, Any] | None = None,
    cv_folds: int = 3,
    scoring: str | None = None,
    time_budget_seconds: float | None = None,
    seed: int = 0,
    progress: ProgressCallback = no_progress,
    params: Mapping[str, Any] | Iterable[str] | None = None,
    class_weight: str | None = None,
    tune_threshold: bool = False,
    halving_factor: int = 3,
    refit: bool = True,
    cluster: str | None = None,
) -> SearchResult:
    """`search` on data already prepared; `params` fixes parameters that are not searched.

    With `cluster` (a Dask scheduler's address) the candidates are cross-validated on that
    cluster's workers (`training.cluster`); the final refit runs here.
    """
    started = time.perf_counter()
    _check_options(method, time_budget_seconds, halving_factor)
    algorithm = prep.algorithm
    n_classes = len(prep.classes)
    scoring = scoring or m.default_scoring(prep.task, n_classes)
    if scoring not in m.metric_names(prep.task, n_classes):
        raise SearchError(f"'{scoring}' is not a metric of this task; use one of: "
                          f"{', '.join(m.metric_names(prep.task, n_classes))}.")
    fixed = algorithm.effective_params(params)
    class_weight = validate_class_weight(algorithm, class_weight)
    space = normalise_space(algorithm, dict(space if space is not None else algorithm.default_search_space))
    settings = candidates_for(algorithm, space, method, trials, seed)

    runner = _Runner(prep, fixed, class_weight, seed, cv_folds, scoring, time_budget_seconds, started,
                     progress, refit, cluster)
    with on_cluster(cluster):
        try:
            if method == "halving":
                best = runner.halving(settings, halving_factor)
            else:
                runner.planned = len(settings)
                runner.run_round(settings, prep.train, 0)
                best = runner.best_of(runner.candidates)
        except Cancelled:
            runner.cancelled = True
            best = runner.best_of(runner.candidates_of_last_round())

    result = SearchResult(
        best_params=dict(best.params) if best is not None else None,
        best_score=best.mean_score if best is not None else None,
        candidates=list(runner.candidates), final=None, scoring=scoring, method=method,
        cancelled=runner.cancelled, budget_exhausted=runner.budget_exhausted, planned=runner.planned,
        notes=list(prep.notes),
    )
    if best is not None and refit and not runner.cancelled:
        result.final = _refit(prep, fixed, class_weight, best, scoring, seed, tune_threshold, progress, result)
    result.elapsed_seconds = time.perf_counter() - started
    if not runner.cancelled:
        progress(1.0, "Search done")
    return result


def _refit(prep: Prepared, fixed: dict, class_weight: str | None, best: Candidate, scoring: str, seed: int,
           tune_threshold: bool, progress: ProgressCallback, result: SearchResult) -> TrainingResult | None:
    chosen = dict(best.params)
    weight = chosen.pop(CLASS_WEIGHT) if CLASS_WEIGHT in chosen else class_weight
    try:
        final = evaluate_prepared(prep, {**fixed, **chosen}, seed=seed, class_weight=weight,
                                  tune_threshold=tune_threshold,
                                  progress=lambda f, msg: progress(0.9 + 0.1 * f, "Refit: " + msg))
    except Cancelled:
        result.cancelled = True
        return None
    final.cv_metrics = {f"cv_{scoring}_mean": best.mean_score, f"cv_{scoring}_std": best.std_score}
    return final


class _Runner:
    """Evaluates candidates (one by one, or a round at once on a cluster), keeping the finished ones;
    honours cancel and the budget."""

    def __init__(self, prep: Prepared, fixed: dict, class_weight: str | None, seed: int, cv_folds: int,
                 scoring: str, budget: float | None, started: float, progress: ProgressCallback,
                 refit: bool, cluster: str | None = None) -> None:
        self.prep, self.fixed, self.class_weight, self.seed = prep, fixed, class_weight, seed
        self.cv_folds, self.scoring, self.budget, self.started = cv_folds, scoring, budget, started
        self.progress, self.span = progress, 0.9 if refit else 1.0
        self.cluster = cluster
        self.candidates: list[Candidate] = []
        self.planned = 0
        self.cancelled = False
        self.budget_exhausted = False

    # One candidate
    def evaluate(self, setting: dict[str, Any], rows: np.ndarray, round_: int) -> Candidate:
        params, weight = self._split(setting)
        done = len(self.candidates)
        label = ", ".join(f"{k}={v}" for k, v in setting.items())

        def fold_progress(fraction: float, message: str) -> None:
            self.progress(self.span * (done + fraction) / max(self.planned, 1),
                          f"Candidate {done + 1} of {self.planned} ({label}): {message}")

        t0 = time.perf_counter()
        folds, _ = cross_validate(self.prep, params, weight, self.seed, self.cv_folds, fold_progress, rows=rows,
                                  only=[self.scoring])
        return self._finished(setting, [f.get(self.scoring, np.nan) for f in folds], time.perf_counter() - t0,
                              rows, round_)

    def _finished(self, setting: dict[str, Any], fold_scores: list[float], seconds: float, rows: np.ndarray,
                  round_: int) -> Candidate:
        scores = np.array(fold_scores, dtype=np.float64)
        mean = float(np.mean(scores)) if not np.isnan(scores).all() else float("nan")
        std = float(np.std(scores)) if not np.isnan(scores).all() else float("nan")
        candidate = Candidate(dict(setting), mean, std, seconds, int(len(rows)), round_)
        self.candidates.append(candidate)
        return candidate

    def _split(self, setting: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """(the estimator's parameters, the class weight) of a setting."""
        params = dict(setting)
        weight = params.pop(CLASS_WEIGHT) if CLASS_WEIGHT in params else self.class_weight
        return {**self.fixed, **params}, weight

    def over_budget(self, estimate: float) -> bool:
        if self.budget is None:
            return False
        elapsed = time.perf_counter() - self.started
        if elapsed + estimate > self.budget:
            self.budget_exhausted = True
            return True
        return False

    def run_round(self, settings: list[dict[str, Any]], rows: np.ndarray, round_: int) -> list[Candidate]:
        if self.cluster is not None:
            return self._run_round_on_cluster(settings, rows, round_)
        finished: list[Candidate] = []
        for setting in settings:
            if finished or self.candidates:
                previous = [c.seconds * len(rows) / max(c.n_samples, 1) for c in self.candidates]
                if self.over_budget(float(np.mean(previous))):
                    break
            finished.append(self.evaluate(setting, rows, round_))
        return finished

    def _run_round_on_cluster(self, settings: list[dict[str, Any]], rows: np.ndarray, round_: int
                              ) -> list[Candidate]:
        """The round's candidates as tasks on the cluster, taken in order as they finish."""
        finished: list[Candidate] = []
        done = len(self.candidates)
        self.progress(self.span * done / max(self.planned, 1),
                      f"Sending {len(settings)} candidates to the cluster {self.cluster}")
        results = candidate_scores(self.prep, [self._split(s) for s in settings], self.seed, self.cv_folds,
                                   rows, self.scoring)
        try:
            for setting, (fold_scores, seconds) in zip(settings, results):
                finished.append(self._finished(setting, fold_scores, seconds, rows, round_))
                self.progress(self.span * (done + len(finished)) / max(self.planned, 1),
                              f"Candidate {done + len(finished)} of {self.planned} done on the cluster")
                if self.budget is not None and time.perf_counter() - self.started > self.budget \
                        and len(finished) < len(settings):
                    self.budget_exhausted = True
                    break
        finally:
            with warnings.catch_warnings():  # joblib reports the tasks it cancels: that is what stopping means here
                warnings.simplefilter("ignore", UserWarning)
                results.close()  # cancels the candidates not yet finished (a cancel, the budget)
        return finished

    # Halving
    def halving(self, settings: list[dict[str, Any]], factor: int) -> Candidate | None:
        n_rounds = 1 if len(settings) <= 1 else max(1, math.ceil(math.log(len(settings), factor) - 1e-9))
        sizes = self._sizes(n_rounds, factor)
        alive = settings
        counts, n = [], len(settings)
        for _ in range(n_rounds):
            counts.append(n)
            n = math.ceil(n / factor)
        self.planned = sum(counts)
        for r, size in enumerate(sizes):
            rows = self._subset(size)
            finished = self.run_round(alive, rows, r)
            if self.budget_exhausted or len(finished) < len(alive):
                break
            if r < n_rounds - 1:
                keep = math.ceil(len(finished) / factor)
                alive = [c.params for c in self._ranked(finished)[:keep]]
        return self.best_of(self.candidates_of_last_round())

    def _sizes(self, n_rounds: int, factor: int) -> list[int]:
        n_train = len(self.prep.train)
        smallest = max(50, self.cv_folds * 10)
        if self.prep.task == CLASSIFICATION:
            counts = np.bincount(self.prep.class_codes[self.prep.train])
            rarest = int(counts[counts > 0].min())
            # Enough rows that the rarest class still has two per fold.
            smallest = max(smallest, math.ceil(2 * self.cv_folds * n_train / rarest))
        return [min(n_train, max(smallest, n_train // factor ** (n_rounds - 1 - r))) for r in range(n_rounds)]

    def _subset(self, size: int) -> np.ndarray:
        train = self.prep.train
        if size >= len(train):
            return train
        if self.prep.time_ordered:
            return train[-size:]  # the most recent rows
        stratify = self.prep.class_codes[train] if self.prep.task == CLASSIFICATION else None
        subset, _ = train_test_split(train, train_size=size, random_state=self.seed, stratify=stratify)
        return np.asarray(subset)

    # Choosing
    def _ranked(self, candidates: list[Candidate]) -> list[Candidate]:
        lower = self.scoring in m.LOWER_IS_BETTER

        def key(c: Candidate) -> tuple:
            score = c.mean_score
            return (math.isnan(score), score if lower else -score)

        return sorted(candidates, key=key)  # stable: on a tie the earlier candidate wins

    def candidates_of_last_round(self) -> list[Candidate]:
        if not self.candidates:
            return []
        last = max(c.round for c in self.candidates)
        return [c for c in self.candidates if c.round == last]

    def best_of(self, candidates: list[Candidate]) -> Candidate | None:
        ranked = self._ranked(candidates)
        return ranked[0] if ranked and not math.isnan(ranked[0].mean_score) else None
