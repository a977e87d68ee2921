"""The files of a bundle, written into an (empty) folder. See DESIGN.md, "The exported bundle".

`write_bundle` writes everything but knows nothing of projects: the service gathers what it
needs (`BundleContent`) and takes care of temporary folders, zipping and verification.
predict.py and serve.py are the real files of `templates/`, with the block between the
"filled in by MLDesk at export" markers of predict.py replaced by this model's values.
signature.json is the model's input signature; predict.py checks rows against it with the
app's own validation module, which is vendored into code/ with the model's modules so that
the bundle refuses exactly the rows `mldesk predict` refuses.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.bundles import card, mlmodel
from desktop_app.core.bundles.checksums import write_sums
from desktop_app.core.bundles.errors import BundleError
from desktop_app.core.bundles.vendor import app_modules, vendor
from desktop_app.core.progress import ProgressCallback, no_progress

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.registry.entities import Lineage
    from desktop_app.core.scoring.signature import InputSignature
    from desktop_app.core.scoring.source import ModelSource

TEMPLATES = Path(__file__).resolve().parent / "templates"
SIGNATURE_FILE = "signature.json"
# What predict.py imports from MLDesk besides the model's own modules (see templates/predict.py).
VALIDATION_MODULES = ("desktop_app.core.scoring.signature", "desktop_app.core.scoring.validation")
FILL_START = "# --- filled in by MLDesk at export"
FILL_END = "# --- end of export values"


@dataclass(frozen=True)
class BundleContent:
    source: ModelSource
    model_bytes: bytes
    model_types: list[str]          # the types skops lists in the model file beyond its defaults
    trusted_types: list[str]        # the app's allow-list (model_io.trusted_types())
    signature: InputSignature
    example: pd.DataFrame           # a few training rows, the signature's columns
    lineage: Lineage | None
    exported_by: str                # user@host
    exported_at: datetime           # UTC
    app_version: str
    sklearn_version: str


def write_bundle(folder: Path, content: BundleContent, progress: ProgressCallback = no_progress) -> list[str]:
    """Write every file of the bundle into `folder`; the files as SHA256SUMS lists them, then SHA256SUMS."""
    run = content.source.run
    progress(0.0, "Writing the model file")
    (folder / "model.skops").write_bytes(content.model_bytes)
    roots = app_modules(content.model_types) + list(VALIDATION_MODULES)
    progress(0.1, "Copying the MLDesk code the model needs")
    vendor(roots, folder / "code", content.app_version)
    pins = mlmodel.requirements(run.environment)
    python = mlmodel.python_version(run.environment)

    progress(0.3, "Writing the MLflow metadata")
    _text(folder / "requirements.txt", "".join(f"{p}\n" for p in pins))
    _text(folder / "python_env.yaml", mlmodel.python_env_yaml(python))
    _text(folder / "conda.yaml", mlmodel.conda_yaml(python, pins))
    split = _split(content.example)
    _text(folder / "input_example.json", json.dumps(split, allow_nan=False))
    _text(folder / SIGNATURE_FILE, json.dumps(content.signature.to_dict(), indent=1, allow_nan=False))
    _text(folder / "serving_input_example.json", json.dumps({"dataframe_split": split}, indent=2, allow_nan=False))

    progress(0.5, "Writing predict.py and serve.py")
    _text(folder / "predict.py", _filled_predict(content))
    _text(folder / "serve.py", (TEMPLATES / "serve.py").read_text(encoding="utf-8"))
    _text(folder / "Dockerfile", _dockerfile(python))
    _text(folder / "MODEL_CARD.md", card.model_card(
        content.source, content.signature, content.lineage, requirements=pins, exported_by=content.exported_by,
        exported_at=content.exported_at))

    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    _text(folder / "MLmodel", mlmodel.mlmodel_yaml(
        python=python, sklearn_version=content.sklearn_version, trusted_types=content.trusted_types,
        inputs=content.signature.mlflow_inputs(), outputs=content.signature.mlflow_outputs(), has_code=True,
        size_bytes=size, created=content.exported_at, metadata_=_metadata(content)))
    progress(0.9, "Writing SHA256SUMS")
    write_sums(folder)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    progress(1.0, "Bundle written")
    return files


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def _filled_predict(content: BundleContent) -> str:
    template = (TEMPLATES / "predict.py").read_text(encoding="utf-8")
    start, end = template.find(FILL_START), template.find(FILL_END)
    if start < 0 or end < 0:
        raise BundleError("The predict.py template of this MLDesk installation is damaged (its export markers "
                          "are missing); reinstall MLDesk.")
    from desktop_app.core.data.settings import DEFAULT_MISSING_MARKERS

    head = template[:start]
    block_start = template[start:].split("\n", 1)[0]
    values = "\n".join([
        block_start,
        f"MODEL_LABEL = {content.source.label!r}",
        "TRUSTED_TYPES: list[str] = " + _literal(content.trusted_types),
        "MISSING_MARKERS: list[str] = " + _literal(list(DEFAULT_MISSING_MARKERS)),
        "",
    ])
    return head + values + template[end:]


def _literal(items: list[str]) -> str:
    if not items:
        return "[]"
    return "[\n" + "".join(f"    {item!r},\n" for item in items) + "]"


def _dockerfile(python: str) -> str:
    minor = ".".join(python.split(".")[:2])
    return "\n".join([
        f"FROM python:{minor}-slim",
        "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
        "WORKDIR /model",
        "COPY requirements.txt .",
        "RUN pip install --no-cache-dir -r requirements.txt",
        "COPY . .",
        "RUN useradd --system --no-create-home model",
        "USER model",
        "EXPOSE 8080",
        'CMD ["python", "serve.py", "--host", "0.0.0.0", "--port", "8080"]',
        "",
    ])


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return None if value != value else value.isoformat()  # NaT != NaT
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _split(frame: pd.DataFrame) -> dict[str, Any]:
    """MLflow's `split` orientation (no index): {"columns": [...], "data": [[...], ...]}."""
    rows = frame.astype(object).to_numpy().tolist()
    return {"columns": [str(c) for c in frame.columns], "data": [[_json_value(v) for v in row] for row in rows]}


def _metadata(content: BundleContent) -> dict[str, Any]:
    run, signature = content.source.run, content.signature
    return {
        "mldesk_model": content.source.label, "mldesk_run_id": run.id, "mldesk_version": content.app_version,
        "dataset": run.dataset_label, "dataset_sha256": run.dataset_sha256, "model_sha256": run.model_sha256,
        "target": run.target, "task": run.task, "algorithm": run.algorithm,
        "classes": [str(c) for c in signature.classes] if signature.classes else None,
        "exported_by": content.exported_by, "exported_at": content.exported_at.isoformat(),
    }
