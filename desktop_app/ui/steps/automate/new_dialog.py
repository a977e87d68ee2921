"""New pipeline…: from a registered version's lineage (what made it, replayed on new files), or a template.

    dialog = NewPipelineDialog(parent, versions=["heart-risk@2 (production)", …], models=["heart-risk"])
    dialog.accepted → dialog.request()   # {"kind": "lineage"|"monthly-retrain"|"score-and-watch", "name", …}
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.automate.form import file_row

KINDS = (("lineage", "What made a registered model version (recommended)"),
         ("monthly-retrain", "Template: monthly retrain"),
         ("score-and-watch", "Template: score and watch a new batch"))
HINTS = {
    "lineage": "Replays how the version was made — its file's read settings, its fixes, its training spec — on each "
               "new file, behind its gates: quality errors and drift stop it, and the new model takes the version's "
               "alias only if it beats it on the same held-out rows.",
    "monthly-retrain": "Import next month's file, check it, stop on drift against production, retrain, promote the "
                       "new model if it beats production, export its bundle.",
    "score-and-watch": "Import a new batch, stop on drift against production, and score it with production into a "
                       "CSV file.",
}


class NewPipelineDialog(QDialog):
    def __init__(self, parent: QWidget | None, versions: list[tuple[str, str]], models: list[str],
                 taken: list[str] = ()) -> None:
        """`versions`: (reference, label) of registered versions, e.g. ("heart-risk@2", "heart-risk@2 (production)");
        `taken`: the names of the project's pipelines (a new one may not replace one of them)."""
        super().__init__(parent)
        self.taken = set(taken)
        self.setObjectName("newPipelineDialog")
        self.setWindowTitle("New pipeline")
        self.setMinimumWidth(560)
        self.kind = QComboBox()
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.name = QLineEdit(next(n for n in ("monthly", *(f"monthly-{i}" for i in range(2, 100)), "")
                                   if n not in self.taken))
        self.version = QComboBox()
        for ref, label in versions:
            self.version.addItem(label, ref)
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.addItems(models)
        self.dataset = QLineEdit()
        self.dataset.setPlaceholderText("the dataset each new file becomes a version of")
        self.target = QLineEdit()
        self.target.setPlaceholderText("the column to predict")
        self.path = QLineEdit()
        self.path.setPlaceholderText("/data/heart-*.csv — the newest matching file is read; empty: choose per run")
        path_row = file_row(self.path, "Where new files will be")

        self.form = QFormLayout()
        self.form.addRow("Start from", self.kind)
        self.form.addRow("", self.hint)
        self.form.addRow("Name", self.name)
        self.form.addRow("Model version", self.version)
        self.form.addRow("Model", self.model)
        self.form.addRow("Dataset", self.dataset)
        self.form.addRow("Target", self.target)
        self.form.addRow("New files", path_row)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save pipeline", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_kind())
        if not versions:
            self.kind.setCurrentIndex(1)
        self._show_kind()

    def pick_version(self, ref: str) -> None:
        """Start from what made version `ref` (e.g. "heart-risk@2")."""
        index = self.version.findData(ref)
        if index >= 0:
            self.kind.setCurrentIndex(0)
            self.version.setCurrentIndex(index)

    def _show_kind(self) -> None:
        kind = self.kind.currentData()
        self.hint.setText(HINTS[kind])
        self.form.setRowVisible(self.version, kind == "lineage")
        self.form.setRowVisible(self.model, kind != "lineage")
        self.form.setRowVisible(self.dataset, kind != "lineage")
        self.form.setRowVisible(self.target, kind == "monthly-retrain")
        if kind == "lineage" and not self.version.count():
            self._say("No model version is registered yet: register one in the Registry step, or start from a "
                      "template.")
        else:
            self.error.hide()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _accept(self) -> None:
        request = self.request()
        missing = [label for key, label in (("name", "a name"), ("version", "a model version"), ("model", "a model"),
                                            ("dataset", "a dataset"), ("target", "a target"))
                   if key in request and not request[key]]
        if missing:
            self._say(f"Give {' and '.join(missing)}.")
            return
        if request["name"] in self.taken:
            self._say(f"There is a pipeline '{request['name']}' already: choose another name, or change that one "
                      "in its Definition tab.")
            return
        self.accept()

    def request(self) -> dict[str, Any]:
        kind = self.kind.currentData()
        request: dict[str, Any] = {"kind": kind, "name": self.name.text().strip(), "path": self.path.text().strip()}
        if kind == "lineage":
            request["version"] = self.version.currentData()
        else:
            request.update(model=self.model.currentText().strip(), dataset=self.dataset.text().strip())
        if kind == "monthly-retrain":
            request["target"] = self.target.text().strip()
        return request
