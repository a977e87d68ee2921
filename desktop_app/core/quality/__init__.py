"""Data quality: checks that find problems in a table, and fixes recorded as a reproducible recipe.

    from desktop_app.core.quality import run_checks, Thresholds, step_from_fix, apply_recipe

    report = run_checks(frame, kinds, target="heart_disease", thresholds=Thresholds(), progress=cb)
    report.summary()              # {"errors": 0, "warnings": 2, "info": 5, "text": "0 errors, 2 warnings"}
    step = step_from_fix(report.findings[0].fix)
    frame2, kinds2 = apply_recipe(frame, kinds, [step])

Pure domain code: pandas and numpy only, no Qt (see docs/quality_checks.md). The names below load
on first use, so importing the package (as opening a project does) stays cheap.
"""

import importlib
from typing import Any

# Loaded on first use (pandas comes with the checks): opening a project imports this package.
_EXPORTS = {
    "CHECK_IDS": "checks", "CHECKS": "checks", "TARGET_CHECKS": "checks", "run_checks": "checks",
    "QualityError": "errors", "RecipeError": "errors", "Finding": "findings", "Fix": "findings",
    "Severity": "findings", "OPS": "recipe", "RecipeStep": "recipe", "apply_recipe": "recipe",
    "apply_step": "recipe", "for_prediction": "recipe", "make_step": "recipe", "preview_step": "recipe",
    "recipe_from_list": "recipe", "recipe_to_list": "recipe", "step_from_fix": "recipe",
    "QualityReport": "report", "render_html": "report_html", "Thresholds": "thresholds",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
