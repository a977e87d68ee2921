"""The "Register a run…" dialog: pick a finished run, name the model, optionally give an alias and a KPI gate.

Finished runs load on a worker thread, newest first, with their algorithm, data and key
metrics. The KPI gate verdict of the chosen model is shown before confirming (and the
button says why it is disabled when the gate or the run refuses); whatever the core still
refuses is shown in its own words inside the dialog, which stays open to fix it.
The KPI gate field is prefilled with the model's gate; rules typed there become the gate (a
gate set only later would let an alias move skip it). A mistake in a field is shown once the
user has typed there or pressed Register, not on an untouched dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.registry.text import ALIAS_SUGGESTIONS, gate_failures, gate_text, metrics_line
from desktop_app.ui.text.formatting import exact_time, plural, relative_time
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.text.runs import run_title
from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.tracking.entities import RunInfo
    from desktop_app.ui.work.tasks import TaskRunner

RUN_ROLE = Qt.ItemDataRole.UserRole
OK_COLOR, BAD_COLOR, INFO_COLOR = "#2e7d32", "#b3261e", "#4a5563"


class RegisterDialog(QDialog):
    """`registered(version)` once the core has registered the run (the dialog then closes)."""

    registered = Signal(object)

    def __init__(self, runner: TaskRunner, project: Project, models: list[RegisteredModel], *,
                 run_id: str | None = None, model_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerDialog")
        self.setWindowTitle("Register a run")
        self.resize(1000, 640)
        self.runner, self.project = runner, project
        self.models = {m.name: m for m in models}
        self.runs: list[RunInfo] = []
        self._wanted_run = run_id
        self.work = BackgroundWork(runner)
        # run id → ["heart-risk v1", …]
        self.registered_as: dict[str, list[str]] = {}
        for model in models:
            for version in model.versions:
                self.registered_as.setdefault(version.run_id, []).append(f"{model.name} v{version.number}")

        intro = QLabel("Pick a finished run and the model it becomes a version of. Registering keeps the run's "
                       "fitted model, metrics and lineage under a name others can find, export and monitor.")
        intro.setWordWrap(True)
        intro.setObjectName("hint")
        self.filter = QLineEdit()
        self.filter.setObjectName("runFilter")
        self.filter.setPlaceholderText("Filter runs: algorithm, dataset, target, run id…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.run_list = QTreeWidget()
        self.run_list.setObjectName("registerRuns")
        self.run_list.setColumnCount(5)
        self.run_list.setHeaderLabels(["Trained", "Run", "Data → target", "Key metrics", "Registered as"])
        self.run_list.setRootIsDecorated(False)
        self.run_list.setUniformRowHeights(True)
        self.run_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.run_list.setAlternatingRowColors(True)
        self.run_list.setStyleSheet("QTreeWidget#registerRuns::item { padding: 3px 0; }")
        header = self.run_list.header()
        header.setStretchLastSection(False)
        for col in (0, 2, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.run_list.currentItemChanged.connect(lambda *_: self._update())
        self.runs_note = QLabel("Loading the finished runs…")
        self.runs_note.setObjectName("hint")
        self.runs_note.setWordWrap(True)

        self.name = QComboBox()
        self.name.setObjectName("modelNameCombo")
        self.name.setEditable(True)
        self.name.addItems(list(self.models))
        self.name.setCurrentText(model_name)
        self.name.lineEdit().setPlaceholderText("e.g. heart-risk — an existing model or a new name")
        self.name.lineEdit().textChanged.connect(lambda _t: self._on_name())
        self.name.lineEdit().textEdited.connect(lambda _t: self._touch("name"))
        self.touched: set[str] = set()   # fields the user typed in: only their mistakes are shown
        self.name_note = QLabel()
        self.name_note.setObjectName("hint")
        self.name_note.setWordWrap(True)
        self.description = QLineEdit()
        self.description.setObjectName("versionDescription")
        self.description.setPlaceholderText("What is new in this version (optional)")
        self.alias = QComboBox()
        self.alias.setObjectName("aliasCombo")
        self.alias.setEditable(True)
        self.alias.lineEdit().setPlaceholderText("none — or e.g. staging, production")
        self.alias.lineEdit().textChanged.connect(lambda _t: self._update())
        self.reason = QLineEdit()
        self.reason.setObjectName("registerReason")
        self.reason.setPlaceholderText("Why (kept in the history; needed when the alias moves from another version)")
        self.reason.textChanged.connect(lambda _t: self._update())
        self.gate = QLineEdit()
        self.gate.setObjectName("registerGate")
        self.gate.setPlaceholderText("none — or rules every version must meet, e.g. recall>=0.7, roc_auc>=0.8")
        self.gate.setToolTip("The model's KPI gate: a version that misses a rule can be neither registered nor "
                             "given an alias.")
        self.gate.textChanged.connect(lambda _t: self._update())
        self.gate.textEdited.connect(lambda _t: self._touch("gate"))
        self.verdict = QLabel()
        self.verdict.setObjectName("gateVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.addRow("Model name", self.name)
        form.addRow("", self.name_note)
        form.addRow("Description", self.description)
        form.addRow("KPI gate", self.gate)
        form.addRow("Alias", self.alias)
        form.addRow("Reason", self.reason)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("registerOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.filter)
        layout.addWidget(self.run_list, 1)
        layout.addWidget(self.runs_note)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._on_name()
        self._load_runs()

    # -- runs ------------------------------------------------------------------------------------
    def _load_runs(self) -> None:
        service = self.project.runs

        def work(_progress):
            return [r for r in service.list() if str(getattr(r.status, "value", r.status)) == "finished"]

        self.work.start("runs", "Listing finished runs", work, visible=False, done=self._runs_loaded,
                        failed=lambda error: self._show_error(f"Could not list the runs: {user_message(error)}"))

    @property
    def loading(self) -> bool:
        return self.work.running("runs")

    def _runs_loaded(self, runs: list[RunInfo]) -> None:
        self.runs = list(runs)
        self.run_list.clear()
        target = None
        for run in self.runs:
            item = QTreeWidgetItem([
                relative_time(run.created_at), run_title(run), f"{run.dataset_label} → {run.target}",
                metrics_line(run.metrics), ", ".join(self.registered_as.get(run.id, [])) or "—",
            ])
            item.setData(0, RUN_ROLE, run)
            item.setToolTip(0, exact_time(run.created_at))
            item.setToolTip(1, f"Run {run.id}\nExperiment {run.experiment}\nBy {run.user}@{run.host}")
            self.run_list.addTopLevelItem(item)
            if run.id == self._wanted_run or (self._wanted_run and run.id.startswith(self._wanted_run)):
                target = item
        missing = bool(self._wanted_run) and target is None
        if target is None and not missing and self.run_list.topLevelItemCount():
            target = self.run_list.topLevelItem(0)
        if target is not None:
            self.run_list.setCurrentItem(target)
            self.run_list.scrollToItem(target)
        if not self.runs:
            self.runs_note.setText("No finished runs yet — train a model in the Train step, then register it here.")
        elif missing:
            self.runs_note.setText(f"Run {self._wanted_run[:8]} is not among the finished runs: only a finished run "
                                   "can be registered. Pick one of these, or train that run again.")
        else:
            self.runs_note.setText(f"{plural(len(self.runs), 'finished run')}, newest first.")
        self._update()

    def select_run(self, run_id: str) -> bool:
        for i in range(self.run_list.topLevelItemCount()):
            item = self.run_list.topLevelItem(i)
            if item.data(0, RUN_ROLE).id == run_id:
                self.run_list.setCurrentItem(item)
                return True
        self._wanted_run = run_id
        return False

    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.run_list.topLevelItemCount()):
            item = self.run_list.topLevelItem(i)
            run = item.data(0, RUN_ROLE)
            haystack = " ".join([item.text(c) for c in range(5)] + [run.id, run.experiment]).casefold()
            item.setHidden(not all(w in haystack for w in words))

    def current_run(self) -> Any:
        item = self.run_list.currentItem()
        return None if item is None or item.isHidden() else item.data(0, RUN_ROLE)

    # -- model, alias, verdict ------------------------------------------------------------------------
    def _on_name(self) -> None:
        model = self.models.get(self.name.currentText().strip())
        alias_text = self.alias.currentText()
        self.alias.blockSignals(True)
        self.alias.clear()
        self.alias.addItem("")
        names = list(model.aliases) if model is not None else []
        for alias in list(ALIAS_SUGGESTIONS) + names:
            if self.alias.findText(alias) < 0:
                self.alias.addItem(alias)
        self.alias.setCurrentText(alias_text)
        self.alias.blockSignals(False)
        if "gate" not in self.touched:   # follow the chosen model's gate until the user writes their own
            self.gate.setText(", ".join(str(r) for r in model.kpi_gate) if model is not None else "")
        self._update()

    def _touch(self, field: str) -> None:
        self.touched.add(field)
        self._update()

    def typed_rules(self, recorded: list[str] | None = None) -> tuple[Any, ...]:
        """The KPI gate field's rules (KpiRuleError for a mistake), checked against `recorded` metric names."""
        from desktop_app.core.registry.gate import validate_rules

        parts = [p for p in self.gate.text().replace(";", ",").split(",") if p.strip()]
        return validate_rules(parts, recorded or None, "the run") if parts else ()

    def _problems(self) -> tuple[list[str], str]:
        """(what stops registering, the verdict line in rich text)."""
        from desktop_app.core.errors import MLDeskError
        from desktop_app.core.registry.names import clean_alias, clean_model_name

        run = self.current_run()
        name = self.name.currentText().strip()
        alias = self.alias.currentText().strip()
        problems: list[str] = []
        if run is None:
            problems.append("Pick a finished run in the list." if self.runs else "There is no finished run to "
                            "register yet.")
        try:
            name = clean_model_name(name)
        except MLDeskError as error:
            problems.append(str(error))
            name = ""
        if alias:
            try:
                alias = clean_alias(alias)
            except MLDeskError as error:
                problems.append(str(error))
                alias = ""
        model = self.models.get(name)
        verdict = ""
        try:
            typed = self.typed_rules(sorted(k for k, v in run.metrics.items() if v is not None) if run else None)
        except MLDeskError as error:
            problems.append(f"KPI gate: {error}")
            typed = ()
        existing = tuple(model.kpi_gate) if model is not None else ()
        new_gate = bool(typed) and set(typed) != set(existing)
        if run is not None and name:
            number = (max((v.number for v in model.versions), default=0) + 1) if model is not None else 1
            same = next((v for v in (model.versions if model else ()) if v.run_id == run.id), None)
            if same is not None:
                problems.append(f"Run {run.id[:8]} is already registered as {name} v{same.number}; give that "
                                "version an alias instead, or pick another run.")
            rules = existing + tuple(r for r in typed if r not in existing)
            failures = gate_failures(rules, run.metrics)
            if failures:
                problems.append(f"Run {run.id[:8]} (as {name} v{number}) does not pass the KPI gate: "
                                f"{'; '.join(failures)}; train a better model or change the gate.")
                verdict = f"<span style='color:{BAD_COLOR}'>✗ Fails the KPI gate of {escape(name)} " \
                          f"({escape(gate_text(rules))}): {escape('; '.join(failures))}.</span>"
            elif new_gate:
                replaces = f"; it replaces {escape(gate_text(existing))}" if existing else ""
                verdict = f"<span style='color:{OK_COLOR}'>✓ Passes {escape(gate_text(typed))}, which becomes the " \
                          f"KPI gate of {escape(name)}{replaces} (recorded in the history).</span>"
            elif rules:
                verdict = f"<span style='color:{OK_COLOR}'>✓ Passes the KPI gate of {escape(name)} " \
                          f"({escape(gate_text(rules))}).</span>"
            elif model is not None:
                verdict = f"<span style='color:{INFO_COLOR}'>{escape(name)} has no KPI gate: any finished run " \
                          "can be registered and take an alias (type rules in KPI gate to set one).</span>"
            else:
                verdict = f"<span style='color:{INFO_COLOR}'>A new model: it has no KPI gate yet (type rules such as " \
                          "recall>=0.7 in KPI gate to set one).</span>"
            if alias and model is not None and alias in model.aliases and not self.reason.text().strip():
                problems.append(f"'{alias}' now points at {name} v{model.aliases[alias]}; registering moves it to "
                                f"v{number} — say why in Reason.")
        return problems, verdict

    def _update(self) -> None:
        run = self.current_run()
        name = self.name.currentText().strip()
        model = self.models.get(name)
        if not name:
            self.name_note.setText("Pick an existing model to add a version to it, or type a new name.")
        elif model is None:
            self.name_note.setText(f"A new model '{name}' will be created with this run as its v1.")
        else:
            number = max((v.number for v in model.versions), default=0) + 1
            aliases = ", ".join(f"{a} → v{n}" for a, n in model.aliases.items()) or "no alias yet"
            self.name_note.setText(f"Adds v{number} to {name} ({plural(len(model.versions), 'version')}; {aliases}).")
        problems, verdict = self._problems()
        text = verdict
        if problems:
            untouched = "name" not in self.touched and not self.name.currentText().strip()
            shown = [p for p in problems if ("does not pass the KPI gate" not in p or not verdict)
                     and not (untouched and p.startswith("The model name is empty"))]
            if shown:
                text = (text + "<br>" if text else "") + "<br>".join(
                    f"<span style='color:{BAD_COLOR}'>{escape(p)}</span>" for p in shown)
        self.verdict.setText(text)
        self.verdict.setVisible(bool(text))
        busy = self.work.running("register")
        self.ok_button.setEnabled(not problems and not busy)
        self.ok_button.setToolTip(problems[0] if problems else "")
        if run is not None and model is not None:
            number = max((v.number for v in model.versions), default=0) + 1
            self.ok_button.setText(f"Register as {model.name} v{number}")
        elif run is not None and name:
            self.ok_button.setText(f"Register as {name} v1")
        else:
            self.ok_button.setText("Register")
        self.error.setVisible(False)

    def verdict_text(self) -> str:
        """The verdict and problems as plain text (for tests)."""
        from PySide6.QtGui import QTextDocument

        document = QTextDocument()
        document.setHtml(self.verdict.text())
        return document.toPlainText()

    # -- registering ----------------------------------------------------------------------------------
    def accept(self) -> None:
        self.touched.update({"name", "gate"})   # pressing Register shows every mistake
        problems, _verdict = self._problems()
        if problems or self.work.running("register"):
            self._update()
            return
        run = self.current_run()
        name = self.name.currentText().strip()
        alias = self.alias.currentText().strip() or None
        description = self.description.text().strip()
        reason = self.reason.text().strip()
        registry = self.project.registry
        model = self.models.get(name)
        typed = self.typed_rules()
        set_gate = bool(typed) and set(typed) != set(model.kpi_gate if model is not None else ())

        def work(_progress):
            return registry.register(run.id, name, description=description, alias=alias, reason=reason,
                                     require=typed or None, set_gate=set_gate)

        self.work.start("register", f"Registering run {run.id[:8]} as {name}", work, done=self._registered,
                        failed=self._refused)
        self.ok_button.setEnabled(False)
        self.ok_button.setText("Registering…")

    def _registered(self, version: ModelVersion) -> None:
        self.registered.emit(version)
        super().accept()

    def _refused(self, error: BaseException) -> None:
        self._update()
        self._show_error(f"Not registered: {user_message(error)}")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def reject(self) -> None:
        self.work.drop("runs")   # a registration under way still finishes (and is recorded)
        super().reject()
