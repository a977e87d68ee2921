"""Saving and loading fitted pipelines with skops.io and MLDesk's own allow-list. Never pickle.

    data = save_model(result.pipeline)   # bytes, stored as a content-addressed object
    pipeline = load_model(data)          # refuses a file holding any type not allowed below

skops refuses, on load, every type that is neither in its own default trusted set
(builtins, numpy arrays, scikit-learn estimators) nor in the list given to it. MLDesk gives
`trusted_types()`, kept here in the app and never read from the file: the scikit-learn
internals our catalogue's fitted models hold, and MLDesk's own transformers. Before loading,
`skops.io.get_untrusted_types` lists what the file holds beyond skops' defaults; anything
outside our list is refused by name (UntrustedModelError), nothing is constructed.
`tests/core/training/test_model_io.py` fits every catalogue algorithm and checks that the
list covers it: add a type here only with a test that needs it.
"""

from __future__ import annotations

from typing import Any

from desktop_app.core.training.errors import ModelLoadError, TrainingError, UntrustedModelError

_TRUSTED = (
    # MLDesk's pipeline steps (stateless, JSON-like attributes only)
    "desktop_app.core.training.transformers.RecipeTransformer",
    "desktop_app.core.training.transformers.AsNumbers",
    "desktop_app.core.training.transformers.AsCategories",
    "desktop_app.core.training.transformers.DateParts",
    "desktop_app.core.training.transformers.MedianImputer",   # SimpleImputer's state: a float array, a dtype
    "desktop_app.core.training.category_steps.MostFrequentImputer",  # SimpleImputer's: an object array, a dtype
    "desktop_app.core.training.category_steps.TextOrdinalEncoder",   # OrdinalEncoder's: object arrays, ints
    "desktop_app.core.training.category_steps.TextOneHotEncoder",    # OneHotEncoder's: the same
    # numpy dtype objects (imputers and encoders keep their dtype)
    "numpy.dtype",
    # scikit-learn internals of the catalogue's fitted models
    "sklearn.tree._tree.Tree",                                          # trees and forests
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    # HistGradientBoosting with categorical features keeps a FunctionTransformer of
    # partial(check_array, ...): skops audits the partial's function on its own, so trusting
    # functools.partial admits no other function than the ones listed here.
    "functools.partial",
    "sklearn.utils.validation.check_array",
    "sklearn.calibration._CalibratedClassifier",                        # linear_svm's calibration
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.neighbors._kd_tree.KDTree",                                # k_neighbors on dense numbers
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "scipy.sparse._csr.csr_matrix",                                     # k_neighbors on one-hot columns
)


def trusted_types() -> list[str]:
    """The types, beyond skops' defaults, that a model saved by MLDesk may hold."""
    return list(_TRUSTED)


def save_model(pipeline: Any) -> bytes:
    """The fitted pipeline as skops bytes; refuses (TrainingError) one that `load_model` would refuse."""
    import skops.io as sio

    data = sio.dumps(pipeline)
    extra = sorted(set(sio.get_untrusted_types(data=data)) - set(_TRUSTED))
    if extra:
        raise TrainingError("This model holds types MLDesk would refuse to load again (" + ", ".join(extra)
                            + "); it was not saved.")
    return data


def load_model(data: bytes) -> Any:
    """A pipeline saved by `save_model`; UntrustedModelError if the file holds any other type."""
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # a damaged zip, a file that is not skops: say so, do not crash
        raise ModelLoadError(f"The model file cannot be read as a skops file ({type(exc).__name__}); "
                             "it may be damaged or not a model saved by MLDesk.") from None
    refused = sorted(set(untrusted) - set(_TRUSTED))
    if refused:
        raise UntrustedModelError(refused)
    try:
        model = sio.loads(data, trusted=trusted_types())
    except Exception as exc:
        raise ModelLoadError(f"The model file cannot be loaded ({type(exc).__name__}: {exc}); it may come "
                             "from a newer MLDesk or be damaged.") from None
    if not isinstance(model, Pipeline):
        raise ModelLoadError(f"The model file holds a {type(model).__name__}, not a pipeline saved by MLDesk.")
    return model
