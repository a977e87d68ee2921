"""The Lineage tab: version → run → dataset version → … → the imported file, as a readable tree.

`load_lineage(registry, version_id)` runs on a worker thread: it reads the lineage and
turns each dataset version's recipe steps into words (which needs the quality recipes).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop_app.ui.text.formatting import exact_time, plural
from desktop_app.ui.text.runs import algorithm_label, format_value

if TYPE_CHECKING:
    from desktop_app.core.registry.service import RegistryService


def step_words(step: dict[str, Any]) -> str:
    """A stored recipe step in words ('Cap outliers of weight …'), falling back to its operation name."""
    try:
        from desktop_app.core.quality.recipe import RecipeStep

        return RecipeStep.from_dict(step).label
    except Exception:  # an unknown or damaged step: still say what it was
        return str(step.get("op", "a step")).replace("_", " ")


def load_lineage(registry: RegistryService, version_id: str) -> dict[str, Any]:
    """Worker thread: the lineage and its recipe steps in words."""
    lineage = registry.lineage(version_id)
    steps = {link["id"]: [step_words(s) for s in (link.get("steps") or [])] for link in lineage.dataset_chain}
    return {"lineage": lineage, "steps": steps}


def _sha(value: str | None) -> str:
    return f"sha256 {value[:12]}…" if value else "no hash recorded"


class LineageTab(QWidget):
    pipeline_requested = Signal(str)   # "Save as pipeline…": the version's label (the Automate place opens on it)
    dossier_requested = Signal()       # "Compliance dossier…": the step writes it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.version_label = ""
        self.setObjectName("registryLineage")
        self.intro = QLabel("Where this version comes from: the run that trained it, the dataset version it learned "
                            "from and every fix that made that version, back to the imported file. Hover an entry "
                            "for its full hash.")
        self.intro.setObjectName("hint")
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("lineageTree")
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(18)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        self.pipeline_button = QPushButton("Save as pipeline…")
        self.pipeline_button.setToolTip("Replay how this version was made on each new file, as a pipeline (the "
                                        "Automate place)")
        self.pipeline_button.clicked.connect(lambda: self.pipeline_requested.emit(self.version_label))
        self.dossier_button = QPushButton("Compliance dossier…")
        self.dossier_button.setToolTip("One document for a reviewer: model card, lineage, quality, training, metrics, "
                                       "explanation, fairness, gate, approvals, drift and the bundle's checksums "
                                       "(HTML and PDF)")
        self.dossier_button.clicked.connect(self.dossier_requested)
        self.dossier_note = QLabel()
        self.dossier_note.setObjectName("hint")
        self.dossier_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.dossier_note, 1)
        row.addWidget(self.dossier_button)
        row.addWidget(self.pipeline_button)
        layout.addLayout(row)
        self.show_message("Select a version to see its lineage.")

    def show_message(self, text: str) -> None:
        self.pipeline_button.setVisible(False)
        self.dossier_button.setVisible(False)
        self.dossier_note.clear()
        self.tree.clear()
        self.message.setText(text)
        self.message.setVisible(True)

    def texts(self) -> list[str]:
        """Every line of the tree, depth first (for tests and copy)."""
        out: list[str] = []

        def walk(item: QTreeWidgetItem) -> None:
            out.append(item.text(0))
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return out

    def show_lineage(self, data: dict[str, Any]) -> None:
        lineage, steps = data["lineage"], data["steps"]
        version = lineage.version
        self.tree.clear()
        self.message.setVisible(False)
        self.version_label = version.label
        self.pipeline_button.setVisible(True)
        self.dossier_button.setVisible(True)
        top = self._item(None, f"{version.model_name} v{version.number}"
                         + (" (archived)" if version.archived else "") + f" · model file {_sha(version.model_sha256)}",
                         version.model_sha256, bold=True)
        experiment = f" · experiment {lineage.experiment}" if lineage.experiment else ""
        run = self._item(top, f"Run {lineage.run_id[:8]} · {algorithm_label(lineage.algorithm, version.task)} · "
                              f"seed {lineage.seed}{experiment}", lineage.run_id, bold=True)
        if lineage.params:
            params = ", ".join(f"{k}={format_value(v)}" for k, v in sorted(lineage.params.items()))
            self._item(run, f"Parameters: {params}", params)
        env = lineage.environment or {}
        libraries = env.get("libraries") or {}
        if env:
            parts = [f"Python {env.get('python', '?')}"]
            parts += [f"{name} {ver}" for name, ver in libraries.items() if ver and name in ("scikit-learn", "sklearn",
                                                                                             "pandas", "numpy")]
            self._item(run, "Environment: " + ", ".join(parts), env.get("platform", ""))
        self._item(run, f"Predicts {version.target} ({version.task or 'task not recorded'})")

        parent = run
        chain = list(reversed(lineage.dataset_chain))         # trained-on first, the imported one last
        for i, link in enumerate(chain):
            size = f"{plural(int(link.get('rows') or 0), 'row')} · {plural(int(link.get('columns') or 0), 'column')}"
            created = link.get("created_at")
            when = ""
            if created:
                try:
                    when = exact_time(datetime.fromisoformat(created))
                except ValueError:
                    when = str(created)
            if i == 0:
                text = f"Trained on dataset {link['label']} · {size}"
            else:
                text = f"{link['label']} · {size}"
            tip = f"{link['label']}\nsha256 {link.get('sha256')}\nMade {when} by {link.get('created_by') or '?'}"
            node = self._item(parent, text, tip, bold=(i == 0))
            link_steps = steps.get(link["id"]) or []
            if link_steps:
                origin = chain[i + 1]["label"] if i + 1 < len(chain) else "an earlier version"
                fixes = self._item(node, f"Made from {origin} by {plural(len(link_steps), 'fix', 'fixes')}:")
                for number, words in enumerate(link_steps, 1):
                    self._item(fixes, f"{number}. {words}", words)
            if i == len(chain) - 1:
                source = link.get("source_name") or lineage.source_name or "a file"
                self._item(node, f"Imported from {source} · {_sha(link.get('source_sha256'))}",
                           f"{source}\nsha256 {link.get('source_sha256') or 'not recorded'}\nImported {when} by "
                           f"{link.get('created_by') or '?'}")
            parent = node
        self.tree.expandAll()

    def _item(self, parent: QTreeWidgetItem | None, text: str, tooltip: str = "",
              bold: bool = False) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setToolTip(0, tooltip or text)
        if bold:
            font = QFont(item.font(0))
            font.setBold(True)
            item.setFont(0, font)
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

