"""MLflow's model metadata for a bundle: MLmodel, requirements.txt, python_env.yaml, conda.yaml.

The MLmodel file follows what `mlflow.sklearn.save_model(..., serialization_format="skops")`
writes (MLflow 3.x): a `python_function` flavor (loader_module mlflow.sklearn, model_path
model.skops, predict_fn predict, env files, `code: code` so MLflow puts the vendored MLDesk
modules on sys.path) and a `sklearn` flavor (pickled_model model.skops, serialization_format
skops, sklearn_version, skops_trusted_types — the app's allow-list, which MLflow passes to
skops when loading). The signature is MLflow's column-based JSON schema. MLflow is not
needed to write any of this: the app never imports it.

Loading with MLflow ≥ 3.11 also needs MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true, since MLflow
cannot tell a trusted-types list written by an exporter from one written by an attacker;
the bundle's own predict.py and serve.py keep their list in code instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from desktop_app.core.installation import installed_version

# What the model needs at prediction time, in requirements.txt order (pip names). pyarrow reads
# Parquet input in predict.py; joblib is what scikit-learn uses under the hood.
REQUIREMENTS = ("scikit-learn", "skops", "numpy", "pandas", "scipy", "pyarrow", "joblib")
_ENVIRONMENT_NAMES = {"scikit-learn": "scikit-learn"}  # environment() keys equal pip names today


def requirements(environment: Mapping[str, Any] | None) -> list[str]:
    """Pinned requirements: the versions the run recorded, else the ones installed here."""
    recorded = dict((environment or {}).get("libraries") or {})
    out = []
    for name in REQUIREMENTS:
        version = recorded.get(_ENVIRONMENT_NAMES.get(name, name)) or installed_version(name)
        out.append(f"{name}=={version}" if version else name)
    return out


def python_version(environment: Mapping[str, Any] | None) -> str:
    import platform

    return str((environment or {}).get("python") or platform.python_version())


def python_env_yaml(python: str) -> str:
    pip = installed_version("pip")
    setuptools = installed_version("setuptools")
    build = [f"pip=={pip}" if pip else "pip", f"setuptools=={setuptools}" if setuptools else "setuptools", "wheel"]
    return to_yaml({"python": python, "build_dependencies": build, "dependencies": ["-r requirements.txt"]})


def conda_yaml(python: str, pins: list[str]) -> str:
    return to_yaml({"channels": ["conda-forge"], "dependencies": [f"python={python}", "pip", {"pip": pins}],
                    "name": "mlflow-env"})


def mlmodel_yaml(
    *, python: str, sklearn_version: str, trusted_types: list[str], inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]], has_code: bool, size_bytes: int, metadata_: Mapping[str, Any],
    created: datetime | None = None,
) -> str:
    code = {"code": "code"} if has_code else {}
    document = {
        "flavors": {
            "python_function": {
                **code,
                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                "loader_module": "mlflow.sklearn",
                "model_path": "model.skops",
                "predict_fn": "predict",
                "python_version": python,
            },
            "sklearn": {
                **code,
                "pickled_model": "model.skops",
                "serialization_format": "skops",
                "sklearn_version": sklearn_version,
                "skops_trusted_types": list(trusted_types),
            },
        },
        "metadata": dict(metadata_),
        "model_size_bytes": int(size_bytes),
        "model_uuid": uuid.uuid4().hex,
        "saved_input_example_info": {
            "artifact_path": "input_example.json",
            "pandas_orient": "split",
            "serving_input_path": "serving_input_example.json",
            "type": "dataframe",
        },
        "signature": {
            "inputs": json.dumps(inputs),
            "outputs": json.dumps(outputs),
            "params": None,
        },
        "utc_time_created": (created or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    return to_yaml(document)


# -- a small YAML writer: mappings, lists and scalars (strings double-quoted, as JSON writes them) --


def to_yaml(value: Any) -> str:
    return "\n".join(_lines(value, 0)) + "\n"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            return [pad + "{}"]
        out = []
        for key, item in value.items():
            head = f"{pad}{_scalar(key) if not _plain_key(key) else key}:"
            if isinstance(item, (Mapping, list, tuple)) and item:
                out.append(head)
                out.extend(_lines(item, indent + 2))
            else:
                out.append(f"{head} {_empty(item) if isinstance(item, (Mapping, list, tuple)) else _scalar(item)}")
        return out
    if isinstance(value, (list, tuple)):
        if not value:
            return [pad + "[]"]
        out = []
        for item in value:
            if isinstance(item, (Mapping, list, tuple)) and item:
                nested = _lines(item, indent + 2)
                out.append(f"{pad}- {nested[0].lstrip()}")
                out.extend(nested[1:])
            else:
                out.append(f"{pad}- {_empty(item) if isinstance(item, (Mapping, list, tuple)) else _scalar(item)}")
        return out
    return [pad + _scalar(value)]


def _empty(value: Any) -> str:
    return "{}" if isinstance(value, Mapping) else "[]"


def _plain_key(key: Any) -> bool:
    return isinstance(key, str) and key.replace("_", "a").isalnum() and not key[:1].isdigit()
