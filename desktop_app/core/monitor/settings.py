"""Drift thresholds: defaults in line with Evidently's DataDriftPreset, editable per model.

A model stores only the values that differ from the defaults (RegisteredModelRow.drift_settings,
written through `project.registry.set_drift_settings`), so a later change of a default
reaches every model that did not override it. docs/drift.md explains each value's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from desktop_app.core.monitor.errors import MonitorError

NUMERIC_TESTS = ("auto", "ks", "wasserstein")
CATEGORICAL_TESTS = ("auto", "chi_squared", "jensen_shannon")
CHI_SQUARED_METHODS = ("two_sample", "goodness_of_fit")


@dataclass(frozen=True)
class DriftSettings:
    # Which test: "auto" picks by the reference's size, as Evidently does.
    small_sample_rows: int = 1000      # reference values ≤ this: KS / chi-squared; above: distances
    categorical_max_values: int = 5    # a numeric column with ≤ this many distinct values is tested as categories
    numeric_test: str = "auto"         # auto | ks | wasserstein
    categorical_test: str = "auto"     # auto | chi_squared | jensen_shannon
    chi_squared_method: str = "two_sample"  # two_sample (homogeneity) | goodness_of_fit (Evidently's)
    # When a column has drifted
    p_value: float = 0.05              # KS, chi-squared: drifted when p < this
    distance: float = 0.1              # Wasserstein (÷ the reference's std), Jensen–Shannon: drifted when ≥ this
    missing_change: float = 0.05       # share of missing values moved by at least this (and p < p_value)
    # PSI, reported beside the test
    psi_bins: int = 10
    psi_moderate: float = 0.1
    psi_significant: float = 0.25
    # When the dataset has drifted
    drift_share: float = 0.5           # share of tested columns drifted ≥ this
    # Multivariate drift: a classifier told to tell reference rows from batch rows
    domain_rows: int = 20_000          # rows taken from each side (seeded)
    domain_folds: int = 3
    domain_auc_low: float = 0.45       # AUROC outside [low, high] flags drift
    domain_auc_high: float = 0.65
    seed: int = 0

    def __post_init__(self) -> None:
        if self.numeric_test not in NUMERIC_TESTS:
            raise MonitorError(f"'{self.numeric_test}' is not a numeric drift test; use one of "
                               f"{', '.join(NUMERIC_TESTS)}.")
        if self.categorical_test not in CATEGORICAL_TESTS:
            raise MonitorError(f"'{self.categorical_test}' is not a categorical drift test; use one of "
                               f"{', '.join(CATEGORICAL_TESTS)}.")
        if self.chi_squared_method not in CHI_SQUARED_METHODS:
            raise MonitorError(f"'{self.chi_squared_method}' is not a chi-squared method; use one of "
                               f"{', '.join(CHI_SQUARED_METHODS)}.")
        for name in ("p_value", "drift_share", "missing_change"):
            if not 0 < getattr(self, name) <= 1:
                raise MonitorError(f"The drift setting {name} must be above 0 and at most 1, "
                                   f"not {getattr(self, name)}.")
        if self.distance <= 0 or self.psi_moderate <= 0 or self.psi_significant < self.psi_moderate:
            raise MonitorError("Drift distances must be above 0 and the significant PSI band at least the moderate "
                               "one; check the thresholds.")
        if self.psi_bins < 2 or self.domain_folds < 2 or self.domain_rows < 10 or self.small_sample_rows < 0:
            raise MonitorError("PSI needs at least 2 bins and the domain classifier at least 2 folds and 10 rows; "
                               "check the drift settings.")
        if not 0 <= self.domain_auc_low <= 0.5 <= self.domain_auc_high <= 1:
            raise MonitorError("The domain classifier's AUROC band must hold 0.5 (for example 0.45 to 0.65).")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def overrides(self) -> dict[str, Any]:
        """Only the values that differ from the defaults (what a model stores)."""
        default = DriftSettings()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> DriftSettings:
        """Defaults updated by `data`; unknown names are an error (a typo must not pass unseen)."""
        data = dict(data or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise MonitorError(f"Unknown drift setting(s) {', '.join(unknown)}; the settings are "
                               f"{', '.join(known)}.")
        converted = {}
        for name, value in data.items():
            kind = type(getattr(cls(), name))
            try:
                converted[name] = kind(value)
            except (TypeError, ValueError):
                raise MonitorError(f"The drift setting {name} must be a {kind.__name__}, not {value!r}.") from None
        return replace(cls(), **converted)

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, meaning) rows for reports and the settings dialog."""
        return [(name, getattr(self, name), MEANINGS[name]) for name in MEANINGS]


MEANINGS = {
    "small_sample_rows": "Reference values at or below which KS (numbers) and chi-squared (categories) are used; "
                         "above it, normed Wasserstein and Jensen–Shannon distances",
    "categorical_max_values": "A numeric column with at most this many distinct values is tested as categories",
    "numeric_test": "Test for numeric columns (auto: by reference size)",
    "categorical_test": "Test for categorical columns (auto: by reference size)",
    "chi_squared_method": "two_sample: both samples' noise counted (chi-squared test of homogeneity); "
                          "goodness_of_fit: the reference's shares taken as exact (Evidently's)",
    "p_value": "KS and chi-squared: a column has drifted when the p-value is below this",
    "distance": "Wasserstein (divided by the reference's standard deviation) and Jensen–Shannon: drifted at or "
                "above this",
    "missing_change": "A column has drifted when its share of missing values moves by at least this (and the change "
                      "is significant at p_value)",
    "psi_bins": "PSI bins for numbers (quantiles of the reference)",
    "psi_moderate": "PSI at or above this: moderate shift",
    "psi_significant": "PSI at or above this: significant shift",
    "drift_share": "The dataset has drifted when at least this share of the tested columns has",
    "domain_rows": "Rows from each side for the domain classifier",
    "domain_folds": "Cross-validation folds of the domain classifier",
    "domain_auc_low": "Domain classifier AUROC below this flags drift",
    "domain_auc_high": "Domain classifier AUROC above this flags drift",
    "seed": "Seed of every sample and of the domain classifier",
}
