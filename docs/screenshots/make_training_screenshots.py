"""Grab the Train and Compare steps offscreen (the window at 1280×800, or --size WxH) into docs/screenshots/.

    python docs/screenshots/make_training_screenshots.py [--size 1024x700] [--out DIR]

The sample data (heart.csv) is imported into a throw-away project, checked with target
heart_disease, and logistic regression is trained twice from the Train step — without and
with balanced class weights — in real worker processes. The Compare step then shows the
two runs side by side, where the jump in recall (≈0.08 → ≈0.74) is the story.

Two more comparisons follow, trained in this process on scikit-learn's bundled data sets
written to CSV and imported:
  compare_multiclass.png   iris from its sepal measurements only (so versicolor and virginica
                           are hard to tell apart): logistic regression vs k-nearest neighbours,
                           the ROC / PR tab with one-vs-rest curves for every class;
  compare_regression.png   diabetes progression: ridge vs a random forest, the Residuals tab.

At 1024×700 each is named <name>_small.png (see shots.py).

The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

from shots import TARGET, heart_project, open_window, options, save, start, wait_until


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-train-shots-")
    project, version = heart_project(work / "Heart study")
    project.quality.check(version, TARGET)

    window = open_window(app, project)
    train, compare = window.train_step, window.compare_step
    window.navigator.select("train")
    wait_until(app, lambda: window.current_step() is train and train.info is not None)

    # Logistic regression, plain and with balanced class weights (the imbalance hint's link).
    train.models.add_balanced_variants()
    train.start_training()
    wait_until(app, lambda: train.batch and not train.run_queue.busy and train.leaderboard.isVisible()
               and not window.runner.tasks, timeout=180)
    train.setup_scroll.verticalScrollBar().setValue(0)
    wait_until(app, lambda: True)
    save(window, "train_step.png")

    # Next: Compare runs → the batch selected, the Summary tab.
    train.next_button.click()
    wait_until(app, lambda: window.current_step() is compare and not compare.loading
               and len(compare.table.selected_ids()) == 2 and not window.runner.tasks)
    compare.panel.tabs.setCurrentIndex(0)
    wait_until(app, lambda: True)
    save(window, "compare_step.png")

    # A multi-class comparison: the one-vs-rest curves of every class.
    from sklearn.datasets import load_diabetes, load_iris

    from desktop_app.core.tracking.entities import RunSpec

    iris = load_iris(as_frame=True)
    sepals = iris.frame[["sepal length (cm)", "sepal width (cm)"]].assign(
        species=[iris.target_names[t] for t in iris.target])
    sepals.to_csv(work / "iris_sepals.csv", index=False)
    version = project.datasets.import_file(work / "iris_sepals.csv", name="iris_sepals").version
    multiclass = [project.runs.train(RunSpec(version.id, "species", name, seed=1))
                  for name in ("logistic_regression", "k_neighbors")]
    show_comparison(app, window, compare, multiclass, compare.panel.curves_chart)
    save(window, "compare_multiclass.png")

    # A regression comparison: predicted against actual, and the residuals.
    load_diabetes(as_frame=True).frame.rename(columns={"target": "progression"}).to_csv(
        work / "diabetes.csv", index=False)
    version = project.datasets.import_file(work / "diabetes.csv", name="diabetes").version
    regression = [project.runs.train(RunSpec(version.id, "progression", "ridge")),
                  project.runs.train(RunSpec(version.id, "progression", "random_forest",
                                             params={"n_estimators": 200, "min_samples_leaf": 5}))]
    show_comparison(app, window, compare, regression, compare.panel.residuals)
    save(window, "compare_regression.png")

    train.shutdown()
    window.close()
    return 0


def show_comparison(app, window, compare, runs, tab) -> None:
    """Reload the runs table, select `runs` and show `tab` of the comparison, drawn."""
    ids = [r.id for r in runs]
    compare.select_runs(ids)
    wait_until(app, lambda: not compare.loading and sorted(compare.table.selected_ids()) == sorted(ids)
               and all(i in compare.curves for i in ids) and not window.runner.tasks)
    compare.panel.tabs.setCurrentWidget(tab)
    wait_until(app, lambda: tab.showing_chart)


if __name__ == "__main__":
    raise SystemExit(main())
