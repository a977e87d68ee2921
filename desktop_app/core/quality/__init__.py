"""Data quality: checks that find problems in a table, and fixes recorded as a reproducible recipe.

    from desktop_app.core.quality import run_checks, Thresholds, step_from_fix, apply_recipe

    report = run_checks(frame, kinds, target="heart_disease", thresholds=Thresholds(), progress=cb)
    report.summary()              # {"errors": 0, "warnings": 2, "info": 5, "text": "0 errors, 2 warnings"}
    step = step_from_fix(report.findings[0].fix)
    frame2, kinds2 = apply_recipe(frame, kinds, [step])

Pure domain code: pandas and numpy only, no Qt (see docs/quality_checks.md).
"""

from desktop_app.core.quality.checks import CHECK_IDS, CHECKS, TARGET_CHECKS, run_checks
from desktop_app.core.quality.errors import QualityError, RecipeError
from desktop_app.core.quality.findings import Finding, Fix, Severity
from desktop_app.core.quality.recipe import (
    OPS, RecipeStep, apply_recipe, apply_step, for_prediction, make_step, preview_step, recipe_from_list,
    recipe_to_list, step_from_fix,
)
from desktop_app.core.quality.report import QualityReport
from desktop_app.core.quality.report_html import render_html
from desktop_app.core.quality.thresholds import Thresholds

__all__ = [
    "CHECKS", "CHECK_IDS", "OPS", "TARGET_CHECKS", "Finding", "Fix", "QualityError", "QualityReport", "RecipeError",
    "RecipeStep", "Severity", "Thresholds", "apply_recipe", "apply_step", "for_prediction", "make_step",
    "preview_step", "recipe_from_list", "recipe_to_list", "render_html", "run_checks", "step_from_fix",
]
