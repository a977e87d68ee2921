"""`mldesk train`, `runs`, `compare`: training runs and their comparison."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop_app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    add_json_flag,
    metric,
    non_empty,
    open_project,
    parse_pair,
    print_json,
    seconds,
    seed,
    share,
    stderr_progress,
    usage_error,
    whole_number,
)


def _run_json(run) -> dict[str, Any]:
    return {
        "run": run.id, "status": str(run.status), "model": run.algorithm, "task": run.task,
        "dataset": run.dataset_label, "dataset_sha256": run.dataset_sha256, "target": run.target,
        "experiment": run.experiment, "params": run.params, "seed": run.seed, "options": run.options,
        "metrics": {**run.metrics, **({"groups": run.summary["groups"]} if run.summary.get("groups") else {})},
        "cv_metrics": run.cv_metrics, "error": run.error,
        "threshold": run.summary.get("threshold"), "pipeline": run.summary.get("pipeline_steps", []),
        "started_at": run.started_at, "ended_at": run.ended_at, "duration_seconds": run.duration_seconds,
        "user": run.user, "host": run.host, "environment": run.environment,
    }


def _check_model_settings(args: argparse.Namespace, params: dict[str, str]) -> None:
    """Build the estimator once before the run: a bad --param, --class-weight or --seed is
    refused before any data is read or a run recorded (scikit-learn's own checks included).

    Without --task the task is not known yet, so the settings must suit one of the tasks
    that have an algorithm of that name; an unknown name is left to the run's own sentence.
    """
    from desktop_app.core.training.catalogue import ALGORITHMS
    from desktop_app.core.training.errors import ParamError

    candidates = [a for a in ALGORITHMS if a.name == args.model and args.task in (None, a.task)]
    refusals = []
    for algorithm in candidates:
        try:
            algorithm.build(params, class_weight=args.class_weight, seed=args.seed)
            return
        except ParamError as exc:
            refusals.append(exc)
    if refusals:
        raise refusals[0]


def _failed(run) -> str:
    """One sentence for a run that did not finish: its error's first line.

    An unexpected failure records its traceback after that line; it is also written to a
    log file (`core.crash_log`), which the sentence names, as for any other unexpected error.
    """
    lines = (run.error or "").strip().splitlines() or ["no reason recorded"]
    reason = lines[0].strip().rstrip(".")
    if len(lines) > 1:
        from desktop_app.core.crash_log import write_crash_log

        try:
            log = write_crash_log(run.error, context=f"mldesk train (run {run.id})")
        except OSError:
            return f"mldesk: run {run.short_id} {run.status}: {reason}; `mldesk runs --json` shows the details."
        return (f"mldesk: run {run.short_id} {run.status}: {reason}; details were written to {log} — "
                "please include that file when reporting it.")
    return f"mldesk: run {run.short_id} {run.status}: {reason}{'' if reason[-1] in '!?…' else '.'}"


def cmd_train(args: argparse.Namespace) -> int:
    from desktop_app.core.tracking.entities import RunSpec, RunStatus

    params = dict(parse_pair(item, "--param") for item in args.param)
    spec = RunSpec(
        dataset=args.dataset, target=args.target, algorithm=args.model,
        params=params, experiment=args.experiment,
        task=args.task, test_size=args.test_size, seed=args.seed, cv_folds=args.cv, class_weight=args.class_weight,
        positive_label=args.positive, time_column=args.time_column, tune_threshold=args.tune_threshold,
        search=args.search, trials=args.trials, time_budget_seconds=args.time_budget, cluster=args.cluster,
        sensitive=args.sensitive, use_sensitive=args.use_sensitive,
    )
    if args.use_sensitive and not args.sensitive:
        raise usage_error("--use-sensitive lets the model learn from the --sensitive COLUMN, so name it")
    if args.cluster and not (args.search or args.cv):
        raise usage_error("--cluster runs a search's candidates or the cross-validation folds on a Dask cluster, "
                          "so add --search grid|random|halving or --cv K")
    with open_project(args.project) as project:  # a wrong folder is found before scikit-learn loads
        _check_model_settings(args, params)
        try:
            run = project.runs.train(spec, progress=stderr_progress())
        except KeyboardInterrupt:
            print("mldesk: interrupted; the run is recorded as cancelled.", file=sys.stderr)
            raise
        if run.status != RunStatus.FINISHED:  # the run is recorded; the reason is an error, so stderr
            print(_failed(run), file=sys.stderr)
        if args.json:  # a script still gets the recorded run (its id, status and full error)
            print_json(_run_json(run))
        elif run.status == RunStatus.FINISHED:
            print(f"Run {run.short_id} finished: {run.algorithm} on {run.dataset_label} → {run.target}")
            for name, value in run.metrics.items():
                cv = run.cv_metrics.get(f"cv_{name}_mean")
                cv_text = f"   (CV {cv:.4g} ± {run.cv_metrics.get(f'cv_{name}_std', 0):.2g})" if cv is not None else ""
                print(f"  {name:<20}{metric(value)}{cv_text}")
    return EXIT_OK if run.status == RunStatus.FINISHED else EXIT_BAD_INPUT


def _check_sort(name: str, runs) -> None:
    """Refuse a --sort metric that none of the runs has (a typo would silently leave them unsorted)."""
    present = sorted({m for r in runs for m in r.metrics})
    if name in present:
        return
    if not runs:  # nothing to sort yet: any metric MLDesk computes is fine
        from desktop_app.core.training.metrics import BINARY_METRICS, MULTICLASS_METRICS, REGRESSION_METRICS

        present = sorted({*BINARY_METRICS, *MULTICLASS_METRICS, *REGRESSION_METRICS})
        if name in present:
            return
    where = "MLDesk computes" if not runs else "these runs have"
    raise usage_error(f"--sort {name}: no such metric; the metrics {where} are {', '.join(present) or 'none'}")


def cmd_runs(args: argparse.Namespace) -> int:
    from desktop_app.core.errors import NotFoundError
    from desktop_app.core.tracking.listing import runs_at

    found = runs_at(args.project)  # a glance: no SQLAlchemy to import when the project needs nothing done
    if found is None:
        with open_project(args.project) as project:
            found = project.runs.experiments(), project.runs.list()
    known, runs = found
    if args.experiment is not None:
        if args.experiment not in known:
            raise NotFoundError(f"There is no experiment '{args.experiment}' in this project; "
                                f"its experiments are: {', '.join(known) or 'none yet'}.")
        runs = [r for r in runs if r.experiment == args.experiment]
    if args.sort:
        _check_sort(args.sort, runs)
        scored = [r for r in runs if r.metrics.get(args.sort) is not None]
        unknown = [r for r in runs if r.metrics.get(args.sort) is None]
        from desktop_app.core.training.metric_names import lower_is_better

        runs = sorted(scored, key=lambda r: r.metrics[args.sort], reverse=not lower_is_better(args.sort))
        runs += unknown
    if args.json:
        print_json({"runs": [_run_json(r) for r in runs]})
        return EXIT_OK
    if not runs:
        print(f"No runs yet — train one with: mldesk train {args.project} DATASET --target COL --model ALGO")
        return EXIT_OK
    names = [args.sort] if args.sort else []
    names += [m for m in ("accuracy", "recall", "roc_auc", "f1", "r2", "rmse") if m not in names]
    names = [m for m in names if any(m in r.metrics for r in runs)][:4]
    print(f"{'RUN':<10}{'STATUS':<11}{'MODEL':<24}{'DATASET':<16}" + "".join(f"{n:>11}" for n in names))
    for r in runs:
        print(f"{r.short_id:<10}{r.status:<11}{r.algorithm:<24}{r.dataset_label:<16}"
              + "".join(f"{metric(r.metrics.get(n)):>11}" for n in names))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from desktop_app.core.compare import compare_runs

    with open_project(args.project) as project:
        runs = [project.runs.get(ref) for ref in args.runs]
        comparison = compare_runs(runs)
        if args.json:
            print_json(comparison.to_dict())
            return EXIT_OK
        width = 14
        print(f"{'':<26}" + "".join(f"{r.short_id:>{width}}" for r in runs))
        rows = comparison.settings if args.all else comparison.differing_settings()
        print("settings" + ("" if args.all else " that differ (--all for every one)"))
        for row in rows:
            print(f"  {row.name:<24}" + "".join(f"{str(v)[:width - 1]:>{width}}" for v in row.values))
        print("metrics (* best)")
        for row in comparison.metrics:
            cells = [f"{metric(v)}{'*' if i == row.best else ' '}" for i, v in enumerate(row.values)]
            print(f"  {row.name:<24}" + "".join(f"{c:>{width}}" for c in cells))
    return EXIT_OK


def add_commands(command) -> None:
    train = command("train", cmd_train, "train a model on a dataset version and record the run")
    train.add_argument("project", metavar="PROJECT")
    train.add_argument("dataset", metavar="DATASET[@N]")
    train.add_argument("--target", type=non_empty, required=True, help="the column to predict")
    train.add_argument("--model", required=True, metavar="ALGO",
                       help="e.g. logistic_regression, random_forest, hist_gradient_boosting, ridge")
    train.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a model parameter")
    train.add_argument("--task", choices=["classification", "regression"], help="default: detected from the target")
    train.add_argument("--test-size", type=share, default=0.25,
                       help="share of rows held out, between 0 and 1 (default 0.25)")
    train.add_argument("--seed", type=seed, default=0, help="random seed, 0 to 4294967295 (default 0)")
    train.add_argument("--cv", type=whole_number(2, what="the number of folds"), metavar="K",
                       help="also cross-validate with K folds (K ≥ 2)")
    train.add_argument("--class-weight", choices=["balanced"], help="weigh classes by their rarity")
    train.add_argument("--positive", help="the positive class (default: the minority class)")
    train.add_argument("--time-column", help="split by time on this column (the latest rows are the test set)")
    train.add_argument("--tune-threshold", action="store_true", help="pick the decision threshold maximising F1")
    train.add_argument("--search", choices=["grid", "random", "halving"], help="search parameters")
    train.add_argument("--trials", type=whole_number(1, what="the number of trials"), default=20,
                       help="candidates for random search (default 20)")
    train.add_argument("--time-budget", type=seconds, metavar="SECONDS", help="stop a search after this long")
    train.add_argument("--cluster", type=non_empty, metavar="ADDRESS",
                       help="run the search's candidates or the --cv folds on this Dask scheduler, e.g. "
                            "tcp://host:8786 (needs mldesk[scale]; only the team's own cluster: tasks travel as "
                            "pickles)")
    train.add_argument("--sensitive", type=non_empty, metavar="COLUMN",
                       help="compare the model's metrics across this column's groups (numbers are cut into four "
                            "bands) and record the gaps, e.g. recall_gap; the column is left out of the features")
    train.add_argument("--use-sensitive", action="store_true",
                       help="with --sensitive: let the model learn from that column too")
    train.add_argument("--experiment", type=non_empty, default="Default", help="experiment to file the run under")
    add_json_flag(train)

    runs = command("runs", cmd_runs, "list runs")
    runs.add_argument("project", metavar="PROJECT")
    runs.add_argument("--experiment", type=non_empty, help="only this experiment's runs")
    runs.add_argument("--sort", metavar="METRIC", help="best first by this metric")
    add_json_flag(runs)

    compare = command("compare", cmd_compare, "compare runs side by side")
    compare.add_argument("project", metavar="PROJECT")
    compare.add_argument("runs", nargs="+", metavar="RUN", help="run ids (a unique prefix of 6+ characters)")
    compare.add_argument("--all", action="store_true", help="show every setting, not only those that differ")
    add_json_flag(compare)
