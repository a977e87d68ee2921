"""Training: the model catalogue, pipelines built from column kinds, training with honest
evaluation, hyper-parameter search, and safe model files.

    from desktop_app.core.training import train_and_evaluate, get_algorithm, save_model, load_model
    from desktop_app.core.training.search import search          # (a module of the same name: import it so)
    from desktop_app.core.training.environment import environment

Modules: catalogue (algorithms and parameters), pipeline (build/describe), transformers
(MLDesk's own pipeline steps), prepare (split and folds), metrics, importance, evaluation
(train_and_evaluate), search, model_io (skops with an allow-list), environment.
Pure domain code: no Qt. scikit-learn is imported only when a name below is first used,
so importing this package stays cheap for the CLI and the window.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Algorithm": "catalogue", "Param": "catalogue", "ALGORITHMS": "catalogue", "algorithms_for": "catalogue",
    "get_algorithm": "catalogue", "validate_params": "catalogue", "parse_param_strings": "catalogue",
    "validate_class_weight": "catalogue",
    "build_pipeline": "pipeline", "describe_pipeline": "pipeline", "detect_task": "task",
    "RecipeTransformer": "transformers",
    "TrainingResult": "evaluation", "train_and_evaluate": "evaluation",
    "SearchResult": "search", "Candidate": "search",
    "save_model": "model_io", "load_model": "model_io", "trusted_types": "model_io",
    "TrainingError": "errors", "ParamError": "errors", "UnknownAlgorithmError": "errors", "SearchError": "errors",
    "ModelLoadError": "errors", "UntrustedModelError": "errors", "MissingColumnsError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
