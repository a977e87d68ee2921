"""A pipeline's definition as a form (no YAML for the analyst): one group per step, each one switched on or off.

    form = DefinitionForm()
    form.show_definition(saved.definition)
    form.changed.connect(…)                 # any field edited
    definition = form.definition()          # the edited definition; PipelineDefinitionError if it cannot run

What the form does not show (the champion's parameters, the recipe's fixes, the read settings)
is kept as it was saved: the form edits a copy of the saved definition's data.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.pipelines.definition import PipelineDefinition, from_dict, to_dict

QUALITY_STOPS = (("error", "on any error"), ("warning", "on any warning or error"), ("never", "never (check only)"))
DRIFT_STOPS = (("dataset", "when the dataset drifted (half the columns)"), ("column", "when any column drifted"),
               ("any", "on any drift, predictions included"))
BEAT_METRICS = ("roc_auc", "balanced_accuracy", "f1", "recall", "precision", "accuracy", "average_precision",
                "roc_auc_ovr", "f1_macro", "r2", "rmse", "mae")
DATA_FILES = "Data files (*.csv *.tsv *.txt *.xlsx *.xls *.parquet);;All files (*)"
SHARED_SPEC = ("target", "task", "test_size", "seed", "class_weight", "positive_label", "time_column")


def file_row(field: QLineEdit, caption: str, chosen=None) -> QHBoxLayout:
    """`field` with a Browse… button beside it that fills it with a data file's path (then calls `chosen`)."""
    def browse() -> None:
        path, _ = QFileDialog.getOpenFileName(field, caption, field.text(), DATA_FILES)
        if path:
            field.setText(path)
            if chosen is not None:
                chosen()

    button = QPushButton("Browse…")
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(button)
    return row


def _challenger(name: str, shared: dict[str, Any]) -> dict[str, Any]:
    """A challenger's spec: the champion's target and split, its class weighting where the algorithm takes one."""
    from desktop_app.core.training.catalogue import ALGORITHMS

    algorithm = next((a for a in ALGORITHMS if a.name == name and a.task == shared.get("task", a.task)), None)
    spec = {"algorithm": name, **shared}
    if algorithm is None or not algorithm.supports_class_weight:
        spec.pop("class_weight", None)
    return spec


def _combo(choices: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox()
    for value, label in choices:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


class DefinitionForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("definitionForm")
        self._data: dict[str, Any] = {}
        self._loading = False

        self.source_path = QLineEdit()
        self.source_path.setPlaceholderText("a file, or a pattern such as /data/heart-*.csv (the newest match)")
        path_row = file_row(self.source_path, "Where next month's file will be", self._edited)
        self.source_dataset = QLineEdit()
        source = self._group("Import", "Each run imports the newest file as a new version of the dataset, read the "
                                       "way it was first imported.", checkable=False)
        source.layout().addRow("New files", path_row)
        source.layout().addRow("Dataset", self.source_dataset)
        self.recipe_note = QLabel()   # one line (a wrapped label in a form in a scroll area gets cut short)
        self.recipe_note.setObjectName("hint")
        source.layout().addRow("Fixes", self.recipe_note)

        self.quality = self._group("Check quality", "Stop before training when the new file has problems.")
        self.quality_target = QLineEdit()
        self.quality_stop = _combo(QUALITY_STOPS)
        self.quality.layout().addRow("Target", self.quality_target)
        self.quality.layout().addRow("Stop", self.quality_stop)

        self.drift = self._group("Check drift", "Compare the new rows with the model in production; stop when they "
                                                "no longer look like what it learned from.")
        self.drift_model = QLineEdit()
        self.drift_model.setPlaceholderText("model@alias, e.g. heart-risk@production")
        self.drift_stop = _combo(DRIFT_STOPS)
        self.drift.layout().addRow("Compare with", self.drift_model)
        self.drift.layout().addRow("Stop", self.drift_stop)

        self.scoring = self._group("Score", "Score the new rows with a registered model into a CSV file.")
        self.scoring_model = QLineEdit()
        self.scoring_model.setPlaceholderText("model@alias, e.g. heart-risk@production")
        self.scoring_folder = QLineEdit()
        self.scoring_folder.setPlaceholderText("the project's exports folder")
        self.scoring.layout().addRow("Score with", self.scoring_model)
        self.scoring.layout().addRow("Into folder", self.scoring_folder)

        self.training = self._group("Train", "Train the champion's spec on the new version, and any challengers "
                                             "beside it (same target and split); the best goes on to promotion.")
        self.champion = QLabel()
        self.champion.setWordWrap(True)
        self.challengers = QListWidget()
        self.challengers.setObjectName("challengers")
        self.challengers.setMaximumHeight(96)
        self.challengers.itemChanged.connect(lambda _item: self._edited())
        self.training.layout().addRow("Champion", self.champion)
        self.training.layout().addRow("Challengers", self.challengers)

        self.promotion = self._group("Promote", "Register the best new model if it beats the version holding the "
                                                "alias on the same held-out rows, behind the model's KPI gate.")
        self.promotion_model = QLineEdit()
        self.promotion_alias = QLineEdit()
        self.beat_metric = QComboBox()
        self.beat_metric.addItem("— (no comparison, the KPI gate only)", None)
        for name in BEAT_METRICS:
            self.beat_metric.addItem(name, name)
        self.beat_by = QDoubleSpinBox()
        self.beat_by.setDecimals(3)
        self.beat_by.setRange(0.0, 1000.0)
        self.beat_by.setSingleStep(0.005)
        self.beat_by.setToolTip("How much better it must be; 0 means any improvement (a tie keeps the holder)")
        beat_row = QHBoxLayout()
        beat_row.addWidget(self.beat_metric, 1)
        beat_row.addWidget(QLabel("by at least"))
        beat_row.addWidget(self.beat_by)
        self.move_alias = _combo((("move", "move the alias to it"), ("approve", "register it for approval only")))
        self.require = QLineEdit()
        self.require.setPlaceholderText("extra KPI rules, e.g. recall>=0.7, roc_auc>=0.8")
        self.promotion.layout().addRow("Model", self.promotion_model)
        self.promotion.layout().addRow("Alias", self.promotion_alias)
        self.promotion.layout().addRow("Must beat it on", beat_row)
        self.promotion.layout().addRow("When it wins", self.move_alias)
        self.promotion.layout().addRow("KPI rules", self.require)

        self.export = self._group("Export", "Write the promoted version's bundle (verified) to the exports folder.")
        self.export_zip = QCheckBox("as one zip file")
        self.export.layout().addRow("", self.export_zip)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 8, 4)
        for group in (source, self.quality, self.drift, self.scoring, self.training, self.promotion, self.export):
            layout.addWidget(group)
        layout.addStretch(1)
        for edit in self.findChildren(QLineEdit):
            edit.textEdited.connect(lambda _t: self._edited())
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(lambda _i: self._edited())
        self.beat_by.valueChanged.connect(lambda _v: self._edited())
        self.export_zip.toggled.connect(lambda _v: self._edited())

    def _group(self, title: str, hint: str, checkable: bool = True) -> QGroupBox:
        group = QGroupBox(title)
        group.setCheckable(checkable)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        note = QLabel(hint)
        note.setObjectName("hint")
        note.setWordWrap(True)
        form.addRow(note)
        if checkable:
            group.toggled.connect(lambda _on: self._edited())
        return group

    def _edited(self) -> None:
        if not self._loading:
            self.changed.emit()

    # -- in and out ------------------------------------------------------------------------------

    def show_definition(self, definition: PipelineDefinition) -> None:
        from desktop_app.core.training.catalogue import ALGORITHMS  # light: no scikit-learn import

        self._loading = True
        try:
            self._data = copy.deepcopy(to_dict(definition))
            d = self._data
            self.source_path.setText(d["source"].get("path", ""))
            self.source_dataset.setText(d["source"].get("dataset", ""))
            recipe = d.get("recipe") or []
            fixes = ", ".join(str(step.get("op")) for step in recipe)
            self.recipe_note.setText(f"{len(recipe)} replayed on each new file ({fixes})" if recipe else
                                     "none: the new file is used as imported")
            self.recipe_note.setToolTip(fixes)
            quality = d.get("quality") or {}
            self.quality.setChecked("quality" in d)
            self.quality_target.setText(quality.get("target") or "")
            _select(self.quality_stop, quality.get("fail_on", "error"))
            drift = d.get("drift") or {}
            self.drift.setChecked("drift" in d)
            self.drift_model.setText(drift.get("model", ""))
            _select(self.drift_stop, drift.get("fail_on", "dataset"))
            scoring = d.get("scoring") or {}
            self.scoring.setChecked("scoring" in d)
            self.scoring_model.setText(scoring.get("model", ""))
            self.scoring_folder.setText(scoring.get("folder", ""))
            training = d.get("training") or {}
            specs = training.get("specs") or []
            self.training.setChecked("training" in d)
            self.training.setEnabled(bool(specs))   # a pipeline without a champion's spec cannot gain one here
            champion = specs[0] if specs else {}
            params = ", ".join(f"{k}={v}" for k, v in (champion.get("params") or {}).items())
            self.champion.setText(f"{champion.get('algorithm', '—')} → {champion.get('target', '—')}"
                                  + (f" ({params})" if params else ""))
            self.challengers.clear()
            task = champion.get("task") or "classification"
            chosen = {s.get("algorithm") for s in specs[1:]}
            for algorithm in (a for a in ALGORITHMS if a.task == task and a.name != champion.get("algorithm")):
                item = QListWidgetItem(algorithm.label)
                item.setData(Qt.ItemDataRole.UserRole, algorithm.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if algorithm.name in chosen else Qt.CheckState.Unchecked)
                self.challengers.addItem(item)
            promotion = d.get("promotion") or {}
            self.promotion.setChecked("promotion" in d)
            self.promotion_model.setText(promotion.get("model", ""))
            self.promotion_alias.setText(promotion.get("alias", "production"))
            _select(self.beat_metric, promotion.get("beat_metric"))
            self.beat_by.setValue(float(promotion.get("beat_by") or 0.0))
            _select(self.move_alias, "move" if promotion.get("move_alias", True) else "approve")
            self.require.setText(", ".join(promotion.get("require") or []))
            export = d.get("export") or {}
            self.export.setChecked("export" in d)
            self.export_zip.setChecked(bool(export.get("zip")))
        finally:
            self._loading = False

    def definition(self) -> PipelineDefinition:
        """The definition as the form now has it (checked by `from_dict`: a sentence naming what is wrong)."""
        d = copy.deepcopy(self._data)
        d["source"].update(path=self.source_path.text().strip(), dataset=self.source_dataset.text().strip())
        self._section(d, "quality", self.quality.isChecked(), target=self.quality_target.text().strip() or None,
                      fail_on=self.quality_stop.currentData())
        self._section(d, "drift", self.drift.isChecked(), model=self.drift_model.text().strip(),
                      fail_on=self.drift_stop.currentData())
        self._section(d, "scoring", self.scoring.isChecked(), model=self.scoring_model.text().strip(),
                      folder=self.scoring_folder.text().strip())
        if "training" in self._data:
            specs = self._data["training"]["specs"]
            champion = specs[0]
            shared = {k: champion[k] for k in SHARED_SPEC if k in champion}
            kept = {s.get("algorithm"): s for s in specs[1:]}
            challengers = [kept.get(name) or _challenger(name, shared) for name in self._checked_challengers()]
            self._section(d, "training", self.training.isChecked(), specs=[champion, *challengers])
        rules = [r.strip() for r in self.require.text().split(",") if r.strip()]
        self._section(d, "promotion", self.promotion.isChecked(), model=self.promotion_model.text().strip(),
                      alias=self.promotion_alias.text().strip(), beat_metric=self.beat_metric.currentData(),
                      beat_by=float(self.beat_by.value()), move_alias=self.move_alias.currentData() == "move",
                      require=rules)
        self._section(d, "export", self.export.isChecked(), zip=self.export_zip.isChecked())
        return from_dict(d)

    def _checked_challengers(self) -> list[str]:
        return [self.challengers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.challengers.count())
                if self.challengers.item(i).checkState() == Qt.CheckState.Checked]

    @staticmethod
    def _section(d: dict[str, Any], name: str, on: bool, **values: Any) -> None:
        if on:
            d[name] = {**(d.get(name) or {}), **values}
        else:
            d.pop(name, None)
