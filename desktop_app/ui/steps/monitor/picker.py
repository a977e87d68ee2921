"""The model version in focus (`name@alias` follows the alias; `name@N` is one version) and its
drift thresholds in one line, with "Drift settings…" to change them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.text.models import first_well_known, ordered_aliases

if TYPE_CHECKING:
    from desktop_app.core.monitor.settings import DriftSettings
    from desktop_app.core.registry.entities import RegisteredModel


def model_refs(models: Sequence[RegisteredModel]) -> list[tuple[str, str, str]]:
    """(ref, text, tooltip) for every alias and every version of `models`."""
    out = []
    for model in sorted(models, key=lambda m: m.name.lower()):
        for alias, number in ordered_aliases(model.aliases):
            out.append((f"{model.name}@{alias}", f"{model.name}@{alias}  (version {number})",
                        f"Follows the alias '{alias}' — now version {number}"))
        versions = sorted(model.versions, key=lambda v: -v.number)
        for version in versions:
            archived = " · archived" if getattr(version, "archived", False) else ""
            out.append((version.label, f"{version.label}{archived}",
                        f"Version {version.number} of {model.name}, trained on {version.dataset_label}"))
        if not versions and model.latest_version:
            out.append((f"{model.name}@{model.latest_version}", f"{model.name}@{model.latest_version}", ""))
    return out


def default_ref(refs: Sequence[str], remembered: str | None) -> str | None:
    if remembered in refs:
        return remembered
    aliased = first_well_known(refs)
    if aliased is not None:
        return aliased
    return refs[0] if refs else None


class ModelPicker(QWidget):
    model_changed = Signal(str)       # the ref picked by the user
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("modelPicker")
        self.combo.setMinimumContentsLength(26)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setToolTip("The registered model version whose new data you check. name@alias follows the alias "
                              "(e.g. production) as it moves; name@N is one version.")
        self.combo.activated.connect(lambda _i: self.model_changed.emit(self.current_ref() or ""))
        caption = QLabel("Model:")
        caption.setObjectName("subTitle")
        caption.setBuddy(self.combo)
        self.thresholds = QLabel()
        self.thresholds.setObjectName("hint")
        self.thresholds.setWordWrap(True)   # a laptop's width cut it mid-word; two lines read whole
        self.thresholds.setMinimumWidth(120)
        self.settings_button = QPushButton("Drift settings…")
        self.settings_button.setObjectName("driftSettingsButton")
        self.settings_button.setToolTip("See and change the thresholds that decide when a feature and a batch have "
                                        "drifted")
        self.settings_button.clicked.connect(self.settings_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(caption)
        layout.addWidget(self.combo)
        layout.addSpacing(8)
        layout.addWidget(self.thresholds, 1)
        layout.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def set_models(self, models: Sequence[RegisteredModel], remembered: str | None = None) -> str | None:
        """Fill the list; returns the ref now selected (kept when still there)."""
        keep = self.current_ref() or remembered
        refs = model_refs(models)
        self.combo.blockSignals(True)
        self.combo.clear()
        for ref, text, tip in refs:
            self.combo.addItem(text, ref)
            self.combo.setItemData(self.combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        chosen = default_ref([r for r, _t, _tip in refs], keep)
        if chosen is not None:
            self.combo.setCurrentIndex(self.combo.findData(chosen))
        self.combo.blockSignals(False)
        self.settings_button.setEnabled(chosen is not None)
        return chosen

    def current_ref(self) -> str | None:
        return self.combo.currentData()

    def select(self, ref: str) -> bool:
        index = self.combo.findData(ref)
        if index < 0:
            return False
        self.combo.setCurrentIndex(index)
        return True

    def set_thresholds(self, settings: DriftSettings | None) -> None:
        """'Drift: p < 0.05 (KS, chi-squared) · distance ≥ 0.1 · dataset drift at ≥ 50% of features'."""
        if settings is None:
            self.thresholds.setText("")
            return
        changed = len(settings.overrides())
        self.thresholds.setText(
            f"Feature drift: p < {settings.p_value:g} (small samples) or distance ≥ {settings.distance:g} · "
            f"dataset drift at ≥ {mt.format_share(settings.drift_share)} of features"
            + (f" · {changed} setting{'s' if changed != 1 else ''} changed" if changed else ""))
        self.thresholds.setToolTip("\n".join(f"{name} = {value}" for name, value, _m in settings.describe()))
