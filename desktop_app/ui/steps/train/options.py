"""The options every run of a batch shares: split, seed, cross-validation, class weights,
threshold, search and the experiment the runs are filed under."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

CV_CHOICES = (("Off", None), ("3 folds", 3), ("5 folds", 5), ("10 folds", 10))
SEARCH_CHOICES = (("None", None), ("Grid", "grid"), ("Random", "random"),
                  ("Successive halving", "halving"))
DEFAULT_EXPERIMENT = "Default"


class TrainOptions(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainOptions")
        self.test_size = QSpinBox()
        self.test_size.setObjectName("testSize")
        self.test_size.setRange(5, 90)
        self.test_size.setValue(25)
        self.test_size.setSuffix(" %")
        self.test_size.setToolTip("Share of the rows kept aside to test each model on data it never saw; "
                                  "the metrics come from them.")
        self.seed = QSpinBox()
        self.seed.setObjectName("seed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setMaximumWidth(110)
        self.seed.setToolTip("Fixes the random choices (split, model): the same seed gives the same result, "
                             "so runs can be repeated and compared fairly.")
        self.cv = QComboBox()
        self.cv.setObjectName("cvFolds")
        for text, value in CV_CHOICES:
            self.cv.addItem(text, value)
        self.cv.setToolTip("Also score each model on k rotating parts of the training rows: a steadier estimate, "
                           "k times the training time.")
        self.balanced = QCheckBox("Balanced class weights")
        self.balanced.setObjectName("balancedCheck")
        self.balanced.setToolTip("Count each class as much as the others in total. Usually raises the recall of a "
                                 "rare class at some cost in precision.\nA model's own setting (in its "
                                 "parameters) overrides this.")
        self.tune_threshold = QCheckBox("Tune the decision threshold")
        self.tune_threshold.setObjectName("tuneThreshold")
        self.tune_threshold.setToolTip("Pick the probability cut-off that gives the best F1 on the training rows "
                                       "instead of 0.5 (two classes only).")
        self.search = QComboBox()
        self.search.setObjectName("searchMethod")
        for text, value in SEARCH_CHOICES:
            self.search.addItem(text, value)
        self.search.setToolTip("None: train with the parameters as set.\nOtherwise try several parameter settings "
                               "per model (scored by cross-validation on the training rows) and keep the best."
                               "\nGrid tries every combination; random and "
                               "successive halving try the number of trials below.")
        self.trials = QSpinBox()
        self.trials.setObjectName("trials")
        self.trials.setRange(2, 10_000)
        self.trials.setValue(20)
        self.trials.setSuffix(" trials")
        self.trials.setMinimumWidth(90)
        self.trials.setToolTip("How many settings a random or halving search tries per model")
        self.budget = QSpinBox()
        self.budget.setObjectName("timeBudget")
        self.budget.setRange(0, 24 * 60)
        self.budget.setSpecialValueText("no time limit")
        self.budget.setSuffix(" min / model")
        self.budget.setToolTip("Time budget per model: stop searching a model after this many minutes and keep "
                               "the best setting found so far")
        self.cluster = QLineEdit()
        self.cluster.setObjectName("clusterAddress")
        self.cluster.setPlaceholderText("this computer — or your team's Dask scheduler, e.g. tcp://host:8786")
        self.cluster.setClearButtonEnabled(True)
        self.cluster.setToolTip("Leave empty to compute everything on this computer. With the address of your "
                                "team's Dask scheduler, each search candidate or cross-validation fold is computed "
                                "on the cluster's workers (they need MLDesk installed); the model itself is then "
                                "fitted here.\nOnly your team's own cluster: the data and tasks travel to it as "
                                "Python pickles.")
        self.sensitive = QComboBox()
        self.sensitive.setObjectName("sensitiveColumn")
        self.sensitive.addItem("no fairness audit", None)
        self.sensitive.setToolTip("Compare each model's recall, false-positive rate, precision and selection rate "
                                  "across this column's groups (numbers are cut into four bands) and record the "
                                  "gaps, e.g. recall_gap, which a KPI gate can hold. The column is left out of the "
                                  "model's features unless you tick the box beside it.")
        self.use_sensitive = QCheckBox("let the model learn from it")
        self.use_sensitive.setObjectName("useSensitive")
        self.use_sensitive.setToolTip("Off: the column is kept beside the rows for the audit only, so the model "
                                      "cannot use it. On: it is one of the model's features too.")
        self.experiment = QComboBox()
        self.experiment.setObjectName("experimentCombo")
        self.experiment.setEditable(True)
        self.experiment.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.experiment.addItem(DEFAULT_EXPERIMENT)
        self.experiment.setToolTip("Runs are filed under an experiment: name one per question you ask "
                                   "(for example 'churn — first try'). Type a new name to start one.")
        self.experiment.setMinimumContentsLength(10)
        self.experiment.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

        search_row = QHBoxLayout()
        search_row.setSpacing(6)
        search_row.addWidget(self.trials)
        search_row.addWidget(self.budget)
        search_row.addStretch(1)
        self.search_details = QWidget()
        self.search_details.setLayout(search_row)
        search_row.setContentsMargins(0, 0, 0, 0)
        self.cluster_label = QLabel("Run on:")
        self.cluster_label.setBuddy(self.cluster)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        for row, col, text, widget in ((0, 0, "Test rows:", self.test_size), (0, 2, "Seed:", self.seed),
                                       (1, 0, "Cross-validation:", self.cv), (1, 2, "Experiment:", self.experiment),
                                       (3, 0, "Search:", self.search)):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row, col)
            grid.addWidget(widget, row, col + 1)
        grid.addWidget(self.balanced, 2, 0, 1, 2)
        grid.addWidget(self.tune_threshold, 2, 2, 1, 2)
        grid.addWidget(self.search_details, 3, 2, 1, 2)
        grid.addWidget(self.cluster_label, 4, 0)
        grid.addWidget(self.cluster, 4, 1, 1, 3)
        fairness = QLabel("Fairness:")
        fairness.setBuddy(self.sensitive)
        grid.addWidget(fairness, 5, 0)
        grid.addWidget(self.sensitive, 5, 1)
        grid.addWidget(self.use_sensitive, 5, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)

        for widget in (self.test_size, self.seed, self.trials, self.budget):
            widget.valueChanged.connect(lambda _v: self.changed.emit())
        for combo in (self.cv, self.search):
            combo.currentIndexChanged.connect(lambda _i: self._update())
        for check in (self.balanced, self.tune_threshold):
            check.toggled.connect(lambda _v: self.changed.emit())
        self.experiment.currentTextChanged.connect(lambda _t: self.changed.emit())
        self.cluster.textChanged.connect(lambda _t: self.changed.emit())
        self.sensitive.currentIndexChanged.connect(lambda _i: self._update())
        self.use_sensitive.toggled.connect(lambda _v: self.changed.emit())
        self._classification = True
        self._update()

    def set_task(self, task: str | None, n_classes: int | None = None) -> None:
        """Class weights apply to classification; a tuned threshold to two classes."""
        self._classification = task == "classification"
        self.balanced.setEnabled(self._classification)
        self.tune_threshold.setEnabled(self._classification and n_classes in (None, 2))
        if not self._classification:
            self.balanced.setChecked(False)
            self.tune_threshold.setChecked(False)
        why = "" if self._classification else " (classification only)"
        self.balanced.setText("Balanced class weights" + why)
        self.tune_threshold.setText("Tune the decision threshold" + why)

    def set_columns(self, names: list[str], target: str | None) -> None:
        """The columns a fairness audit can compare groups of (all but the target); the choice is kept if it
        is still there."""
        current = self.sensitive.currentData()
        self.sensitive.blockSignals(True)
        self.sensitive.clear()
        self.sensitive.addItem("no fairness audit", None)
        for name in names:
            if name != target:
                self.sensitive.addItem(f"groups of {name}", name)
        self.sensitive.setCurrentIndex(max(0, self.sensitive.findData(current)))
        self.sensitive.blockSignals(False)
        self._update()

    def set_experiments(self, names: list[str], current: str | None = None) -> None:
        text = current or self.experiment.currentText() or DEFAULT_EXPERIMENT
        self.experiment.blockSignals(True)
        self.experiment.clear()
        for name in sorted(set(names) | {DEFAULT_EXPERIMENT}):
            self.experiment.addItem(name)
        self.experiment.setCurrentText(text)
        self.experiment.blockSignals(False)

    def values(self) -> dict[str, Any]:
        """The RunSpec fields these options set (the class weight is the batch default)."""
        method = self.search.currentData()
        minutes = self.budget.value()
        return {
            "test_size": self.test_size.value() / 100,
            "seed": self.seed.value(),
            "cv_folds": self.cv.currentData(),
            "class_weight": "balanced" if self._classification and self.balanced.isChecked() else None,
            "tune_threshold": self._classification and self.tune_threshold.isEnabled()
            and self.tune_threshold.isChecked(),
            "search": method,
            "trials": self.trials.value(),
            "time_budget_seconds": float(minutes * 60) if method and minutes else None,
            "cluster": (self.cluster.text().strip() or None) if self._uses_cluster() else None,
            "sensitive": self.sensitive.currentData(),
            "use_sensitive": self.sensitive.currentData() is not None and self.use_sensitive.isChecked(),
            "experiment": self.experiment.currentText().strip() or DEFAULT_EXPERIMENT,
        }

    def _uses_cluster(self) -> bool:
        """Only a search's candidates and cross-validation folds can run on a cluster."""
        return self.search.currentData() is not None or self.cv.currentData() is not None

    def _update(self) -> None:
        method = self.search.currentData()
        self.search_details.setVisible(method is not None)
        self.cluster_label.setVisible(self._uses_cluster())
        self.cluster.setVisible(self._uses_cluster())
        self.use_sensitive.setEnabled(self.sensitive.currentData() is not None)
        self.trials.setEnabled(method in ("random", "halving"))
        self.trials.setToolTip("How many settings a random or halving search tries per model"
                               + ("" if method != "grid" else " (a grid tries every combination)"))
        self.changed.emit()
