"""The model checklist of the Train step: one card per algorithm of the task.

A card is a checkbox with the model's name, under it a one-line summary of what differs from the
defaults (none for default settings), and a collapsible parameter form. "Add variant" copies a card so the same model
can be trained twice in one batch with different settings (say, without and with balanced
class weights); every ticked card becomes one run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from desktop_app.ui.steps.train.params import ParamForm
from desktop_app.ui.text.runs import format_value
from desktop_app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from desktop_app.core.training.catalogue import Algorithm


class ModelCard(QFrame):
    changed = Signal()
    duplicate_requested = Signal(object)   # this card
    remove_requested = Signal(object)      # this card (variants only)

    def __init__(self, algorithm: Algorithm, variant: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelCard")
        self.algorithm = algorithm
        self.variant = variant
        self.check = QCheckBox()
        self.check.setObjectName("modelCheck")
        self.set_title(algorithm.label if variant == 1 else f"{algorithm.label} · variant {variant}")
        self.check.toggled.connect(lambda _v: self.changed.emit())
        self.summary = ElidedLabel()  # "balanced weights, C=0.1, …" shortened, whole on hover
        self.summary.setObjectName("hint")
        self.expand_button = QToolButton()
        self.expand_button.setObjectName("expandButton")
        self.expand_button.setCheckable(True)
        self.expand_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.expand_button.setArrowType(Qt.ArrowType.RightArrow)
        self.expand_button.setAutoRaise(True)
        self.expand_button.setText("Parameters")
        self.expand_button.setToolTip("Show or hide this model's parameters")
        self.expand_button.toggled.connect(self.set_expanded)
        self.variant_button = QToolButton()
        self.variant_button.setObjectName("variantButton")
        self.variant_button.setAutoRaise(True)
        self.variant_button.setText("+ Variant")
        self.variant_button.setToolTip("Train this model once more in the same batch with other settings "
                                       "(for example with balanced class weights) to compare them")
        self.variant_button.clicked.connect(lambda: self.duplicate_requested.emit(self))
        self.remove_button = QToolButton()
        self.remove_button.setObjectName("removeVariantButton")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this variant")
        self.remove_button.setVisible(variant > 1)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.form = ParamForm(algorithm)
        self.form.setVisible(False)
        self.form.changed.connect(self._on_form_changed)

        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 2, 0)
        header.setSpacing(6)
        header.addWidget(self.check, 1)
        header.addWidget(self.expand_button)
        header.addWidget(self.variant_button)
        header.addWidget(self.remove_button)
        # The summary on a line of its own under the name: beside it, a variant's "balanced weights"
        # shrank to "b…" in a laptop's half-window. Default settings say nothing (one line per card).
        self.summary_row = QHBoxLayout()
        self.summary_row.setContentsMargins(4 + self.check.iconSize().width() + 8, 0, 2, 2)
        self.summary_row.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addLayout(self.summary_row)
        layout.addWidget(self.form)
        self._update_summary()

    # -- state ----------------------------------------------------------------------------
    @property
    def checked(self) -> bool:
        return self.check.isChecked()

    def set_checked(self, checked: bool) -> None:
        self.check.setChecked(checked)

    def set_title(self, title: str) -> None:
        self.check.setText(title)
        self.check.setToolTip(f"Train {title} ({self.algorithm.name}) in the next batch")

    def params(self) -> dict[str, Any]:
        """The parameters moved away from the defaults (the run records those as chosen)."""
        return self.form.changed_values()

    def class_weight_choice(self) -> str | None:
        return self.form.class_weight_choice()

    def set_expanded(self, expanded: bool) -> None:
        self.expand_button.blockSignals(True)
        self.expand_button.setChecked(expanded)
        self.expand_button.blockSignals(False)
        self.expand_button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.form.setVisible(expanded)

    def copy_from(self, other: ModelCard) -> None:
        self.form.set_values(other.form.values())
        self.form.set_class_weight_choice(other.class_weight_choice())

    def _on_form_changed(self) -> None:
        self._update_summary()
        if not self.checked:
            self.check.setChecked(True)  # changing a model's settings means you want to train it
        self.changed.emit()

    def _update_summary(self) -> None:
        parts = [f"{k}={format_value(v)}" for k, v in self.params().items()]
        choice = self.class_weight_choice()
        if choice == "balanced":
            parts.insert(0, "balanced weights")
        elif choice is None and self.algorithm.supports_class_weight:
            parts.insert(0, "no class weights")
        text = ", ".join(parts) if parts else "default settings"
        self.summary.setText(text)
        self.summary.setVisible(bool(parts))


class ModelChecklist(QWidget):
    """The cards for one task; `changed` whenever a tick or a setting changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelChecklist")
        self.task: str | None = None
        self.cards: list[ModelCard] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.changed.connect(self._retitle)

    def set_task(self, task: str | None, checked: tuple[str, ...] = ()) -> None:
        """One card per algorithm of `task`; `checked` names the ones ticked (default: the first)."""
        if task == self.task and self.cards:
            return
        from desktop_app.core.training.catalogue import algorithms_for

        self.task = task
        for card in self.cards:
            self._layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        if task is None:
            self.changed.emit()
            return
        algorithms = algorithms_for(task)
        ticked = set(checked) if checked else {algorithms[0].name}
        for algorithm in algorithms:
            card = self._make_card(algorithm, 1)
            card.set_checked(algorithm.name in ticked)
            self.cards.append(card)
            self._layout.addWidget(card)
        self.changed.emit()

    def card(self, name: str, variant: int = 1) -> ModelCard:
        return next(c for c in self.cards if c.algorithm.name == name and c.variant == variant)

    def checked_cards(self) -> list[ModelCard]:
        return [c for c in self.cards if c.checked]

    def add_variant(self, card: ModelCard) -> ModelCard:
        """A copy of `card`, ticked, after the last card of the same model."""
        siblings = [c for c in self.cards if c.algorithm.name == card.algorithm.name]
        new = self._make_card(card.algorithm, max(c.variant for c in siblings) + 1)
        new.copy_from(card)
        new.set_checked(True)
        index = self.cards.index(siblings[-1]) + 1
        self.cards.insert(index, new)
        self._layout.insertWidget(index, new)
        self.changed.emit()
        return new

    def add_balanced_variants(self) -> list[ModelCard]:
        """For each ticked model that can weight classes and has no balanced card yet, a balanced variant."""
        added = []
        for card in [c for c in self.checked_cards() if c.algorithm.supports_class_weight]:
            siblings = [c for c in self.cards if c.algorithm.name == card.algorithm.name and c.checked]
            if any(c.class_weight_choice() == "balanced" for c in siblings):
                continue
            if card.class_weight_choice() == "inherit":
                card.form.set_class_weight_choice(None)  # the original stays plain, whatever the options say
            variant = self.add_variant(card)
            variant.form.set_class_weight_choice("balanced")
            added.append(variant)
        return added

    def remove(self, card: ModelCard) -> None:
        if card.variant == 1 or card not in self.cards:
            return
        self.cards.remove(card)
        self._layout.removeWidget(card)
        card.deleteLater()
        self.changed.emit()

    def _retitle(self) -> None:
        """Each card named as its run will be in the queue and the ranking: the model and what sets it apart
        from the other cards of the same model ('Logistic regression · balanced', '… · C=0.1'); 'variant N'
        only for a copy that nothing sets apart yet."""
        taken: set[str] = set()
        for card in self.cards:
            siblings = [c for c in self.cards if c.algorithm.name == card.algorithm.name]
            words = ["balanced"] if card.class_weight_choice() == "balanced" else []
            if len(siblings) > 1:
                keys = sorted({k for c in siblings for k in c.params()})
                words += [f"{k}={format_value(card.params().get(k))}" for k in keys
                          if len({repr(c.params().get(k)) for c in siblings}) > 1]
            title = " · ".join([card.algorithm.label, *words])
            if title in taken:
                title += f" · variant {card.variant}"
            taken.add(title)
            if card.check.text() != title:
                card.set_title(title)

    def _make_card(self, algorithm: Algorithm, variant: int) -> ModelCard:
        card = ModelCard(algorithm, variant)
        card.changed.connect(self.changed.emit)
        card.duplicate_requested.connect(self.add_variant)
        card.remove_requested.connect(self.remove)
        return card
