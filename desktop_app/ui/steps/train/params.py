"""A parameter form built from the catalogue's `Param`s: spin boxes, combos and checkboxes.

Every field shows its help and range as a tooltip and starts at the catalogue default;
`changed()` returns only what the user moved away from the defaults (that is what a run
records as its choice; the core fills in the rest).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.text.formatting import format_float

if TYPE_CHECKING:
    from desktop_app.core.training.catalogue import Algorithm, Param

INT_MAX = 2**31 - 1
NONE_TEXT = "none"


class NumberSpinBox(QDoubleSpinBox):
    """A float spin box that shows 4 significant digits and steps ×/÷ on a log scale."""

    def __init__(self, low: float, high: float, log: bool, default: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._log = log
        self.setDecimals(15)  # keep tiny values such as 1e-9 exact; the text shows 4 digits
        self.setRange(low, high)
        if not log:
            scale = abs(default) if default else (high - low) / 20 if high - low <= 20 else 1.0
            self.setSingleStep(10 ** math.floor(math.log10(scale)) / 10 if scale else 0.1)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt name
        return format_float(value).replace(",", "")

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt name
        try:
            return float(text.replace(",", "").strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.replace(",", "").strip()
        try:
            value = float(stripped)
        except ValueError:
            ok = stripped in ("", "-", ".", "-.") or stripped.lower().endswith(("e", "e-", "e+"))
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        inside = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt name
        if not self._log or self.value() <= 0:
            super().stepBy(steps)
            return
        exponent = math.log10(self.value()) + steps / 4  # four steps = ×10
        self.setValue(min(self.maximum(), max(self.minimum(), float(f"{10 ** exponent:.3g}"))))


class ParamEditor:
    """One field for one Param: `widget`, `value()`, `set_value()`."""

    def __init__(self, param: Param) -> None:
        self.param = param
        tip = (f"{param.help[:1].upper()}{param.help[1:]}.\n"
               f"Allowed: {param.help_range()}. Default: {_text(param.default)}.")
        if param.type == "bool":
            self.widget: QWidget = QCheckBox()
        elif param.type == "choice":
            combo = QComboBox()
            for choice in param.choices:
                combo.addItem(str(choice), choice)
            if param.nullable:
                combo.addItem(NONE_TEXT, None)
            self.widget = combo
        elif param.type == "int":
            spin = QSpinBox()
            low = int(param.low if param.low is not None else 0)
            high = int(min(param.high if param.high is not None else INT_MAX, INT_MAX))
            if param.nullable:
                spin.setSpecialValueText(NONE_TEXT)
                low -= 1
            spin.setRange(low, high)
            spin.setGroupSeparatorShown(True)
            spin.setKeyboardTracking(False)
            self.widget = spin
        else:
            low = float(param.low if param.low is not None else -1e12)
            high = float(param.high if param.high is not None else 1e12)
            self.widget = NumberSpinBox(low, high, param.log, float(param.default or 0.0))
        self.widget.setToolTip(tip)
        self.widget.setObjectName(f"param_{param.name}")
        self.set_value(param.default)

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QSpinBox):
            if self.param.nullable and w.value() == w.minimum():
                return None
            return int(w.value())
        return float(w.value())

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            index = w.findData(value)
            w.setCurrentIndex(index if index >= 0 else 0)
        elif isinstance(w, QSpinBox):
            w.setValue(w.minimum() if value is None else int(value))
        else:
            w.setValue(float(value))

    def is_default(self) -> bool:
        value, default = self.value(), self.param.default
        if isinstance(value, float) and isinstance(default, (int, float)) and default is not None:
            return math.isclose(value, float(default), rel_tol=1e-9, abs_tol=1e-15)
        return value == default

    def connect(self, slot) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.toggled.connect(lambda _v: slot())
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda _i: slot())
        else:
            w.valueChanged.connect(lambda _v: slot())


CLASS_WEIGHT_CHOICES = (("As in the options", "inherit"), ("None", None), ("Balanced", "balanced"))


class ParamForm(QWidget):
    """The fields of one algorithm (and its class-weight choice), with a reset button."""

    changed = Signal()

    def __init__(self, algorithm: Algorithm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paramForm")
        self.algorithm = algorithm
        self.editors: dict[str, ParamEditor] = {}
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(4)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.class_weight: QComboBox | None = None
        if algorithm.supports_class_weight:
            combo = QComboBox()
            combo.setObjectName("classWeightCombo")
            for text, value in CLASS_WEIGHT_CHOICES:
                combo.addItem(text, value)
            combo.setToolTip("Balanced weights count each class as much as the others in total, which usually "
                             "raises the recall of a rare class.\n'As in the options' follows the "
                             "'Balanced class weights' option below.")
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            self.class_weight = combo
            form.addRow(_label("class weights", combo.toolTip()), combo)
        for param in algorithm.params:
            editor = ParamEditor(param)
            editor.widget.setMinimumWidth(110)
            editor.connect(self.changed.emit)
            self.editors[param.name] = editor
            form.addRow(_label(param.name, editor.widget.toolTip()), editor.widget)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setObjectName("linkButton")
        self.reset_button.setToolTip("Put every parameter of this model back to its default")
        self.reset_button.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 4, 4, 6)
        layout.setSpacing(4)
        layout.addLayout(form)
        layout.addLayout(buttons)

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def changed_values(self) -> dict[str, Any]:
        """Only the parameters moved away from their defaults."""
        return {name: editor.value() for name, editor in self.editors.items() if not editor.is_default()}

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.editors:
                self.editors[name].set_value(value)

    def class_weight_choice(self) -> str | None:
        """'inherit' (follow the options), None (no weights) or 'balanced'."""
        return self.class_weight.currentData() if self.class_weight is not None else None

    def set_class_weight_choice(self, value: str | None) -> None:
        if self.class_weight is not None:
            index = self.class_weight.findData(value)
            self.class_weight.setCurrentIndex(max(index, 0))

    def reset(self) -> None:
        for editor in self.editors.values():
            editor.set_value(editor.param.default)
        self.set_class_weight_choice("inherit")


def _label(text: str, tip: str) -> QLabel:
    label = QLabel(text)
    label.setToolTip(tip)
    return label


def _text(value: Any) -> str:
    if value is None:
        return NONE_TEXT
    if isinstance(value, float):
        return format_float(value)
    return str(value)
