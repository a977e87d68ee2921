"""MODEL_CARD.md: what the model is, what it was made from, how it scored, how to use it, its limits."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import Lineage
    from desktop_app.core.scoring.signature import InputSignature
    from desktop_app.core.scoring.source import ModelSource


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "—"
    return str(value)


def _cell(value: Any) -> str:
    return _fmt(value).replace("|", "\\|").replace("\n", " ")


def model_card(
    source: ModelSource, signature: InputSignature, lineage: Lineage | None, *, requirements: list[str],
    exported_by: str, exported_at: datetime,
) -> str:
    from desktop_app.core.bundles.templates import serve  # its defaults, as the bundle's serve.py has them

    run, version = source.run, source.version
    lines = [f"# {source.name}" + (f" — version {source.number}" if source.number is not None else ""), ""]
    if version is not None and version.description:
        lines += [version.description, ""]
    task = run.task or "model"
    lines += [
        f"A {task} model predicting **{run.target}**, trained by MLDesk ({run.algorithm}).",
        "",
        "| | |", "|---|---|",
        f"| Model | {_cell(source.label)} |",
        f"| Run | `{run.id}` (experiment {_cell(run.experiment)}, seed {run.seed}) |",
        f"| Trained | {run.ended_at:%Y-%m-%d %H:%M} UTC by {_cell(run.user)}@{_cell(run.host)} |"
        if run.ended_at else f"| Trained by | {_cell(run.user)}@{_cell(run.host)} |",
        f"| Dataset version | {_cell(run.dataset_label)} |",
        f"| Dataset SHA-256 | `{run.dataset_sha256}` |",
        f"| Model file SHA-256 | `{run.model_sha256}` |",
        f"| Exported | {exported_at:%Y-%m-%d %H:%M:%S} UTC by {_cell(exported_by)} |",
    ]
    if version is not None and version.aliases:
        lines.append(f"| Aliases | {', '.join(version.aliases)} |")
    lines.append("")

    lines += ["## Metrics", "", "Measured on the held-out test rows of the dataset version "
              f"({run.summary.get('n_test', '?')} rows; {run.summary.get('n_train', '?')} used for training).", ""]
    if run.metrics:
        lines += ["| Metric | Test | Cross-validation |", "|---|---|---|"]
        lines += [f"| {name} | {_fmt(value)} | {_fmt(run.cv_metrics.get(name))} |"
                  for name, value in run.metrics.items()]
    else:
        lines.append("No metrics were recorded.")
    threshold = run.summary.get("threshold")
    if threshold is not None:
        lines += ["", f"Decision threshold: predicts **{run.summary.get('positive_label')}** when its probability "
                  f"is at least {threshold:.4g} (applied inside the model)."]
    lines.append("")

    lines += ["## Parameters", "", "| Parameter | Value |", "|---|---|"]
    lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in sorted(run.params.items())] or ["| — | — |"]
    steps = run.summary.get("pipeline_steps") or []
    if steps:
        lines += ["", "Pipeline, in the order it runs:", ""] + [f"{i}. {s}" for i, s in enumerate(steps, 1)]
    lines.append("")

    lines += ["## Lineage", ""]
    if lineage is not None:
        source_hash = f" (SHA-256 `{lineage.source_sha256}`)" if lineage.source_sha256 else ""
        lines.append(f"Imported from the file **{lineage.source_name}**{source_hash}.")
        for link in lineage.dataset_chain:
            steps_here = link.get("steps") or []
            made = f", made by {len(steps_here)} fix(es) from its parent" if steps_here else ""
            lines.append(f"- {link.get('label')} — `{link.get('sha256')}`{made}")
        lines.append(f"- run `{lineage.run_id}` ({lineage.algorithm}, experiment {lineage.experiment})")
        if source.version is not None:
            lines.append(f"- model version {source.label}")
    else:
        lines.append(f"- {run.dataset_label} — `{run.dataset_sha256}`")
        lines.append(f"- run `{run.id}` ({run.algorithm})")
    lines.append("")

    lines += ["## Input", "", f"A table with these {len(signature.columns)} columns (others are ignored):", "",
              "| Column | Kind | Seen in training |", "|---|---|---|"]
    for column in signature.columns:
        lines.append(f"| {_cell(column.name)} | {column.kind} | {_cell(_seen(column))} |")
    lines.append("")
    if signature.classes:
        lines += [f"Output: `prediction` (one of {', '.join(map(str, signature.classes))}) and `proba_<class>` "
                  "for each class.", ""]
    else:
        lines += ["Output: `prediction`, the predicted value.", ""]

    lines += [
        "## Intended use and limits", "",
        f"- Intended for rows like those of {run.dataset_label}: the same columns, kinds and ranges. Rows with new "
        "categories or numbers outside the ranges above are extrapolations; check them before relying on them.",
        "- The metrics above come from one held-out split of one dataset version; performance on other "
        "populations or later periods is not measured. Watch production data for drift.",
        "- The model predicts from correlations in its training data; it is not a causal explanation and must "
        "not be the only basis of a decision about a person.",
        "",
        "## Use", "",
        "```",
        "pip install -r requirements.txt",
        "python predict.py input.csv > predictions.csv",
        "python serve.py --host 127.0.0.1 --port 8080      # GET /ping, POST /invocations",
        "docker build -t model . && docker run -p 8080:8080 model",
        "```", "",
        "MLflow: `mlflow.pyfunc.load_model(\"<this folder>\")` and `mlflow models serve -m <this folder>` work too; "
        "MLflow 3.11 and later refuse to deserialize any model unless `MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true`.",
        "",
        "predict.py and serve.py check `model.skops`, `signature.json` and `code/` against SHA256SUMS and load "
        "the model with a fixed list of trusted types; `sha256sum -c SHA256SUMS` checks every file. Both check "
        "the rows against `signature.json` as MLDesk does: a missing column or text in a number column is "
        "refused (exit status 1, HTTP 400), new categories and numbers outside the ranges above are scored with "
        "a warning. Requirements: " + ", ".join(f"`{r}`" for r in requirements) + ".",
        "",
        f"serve.py protects itself from slow and oversized requests: a client has {serve.HEADER_TIMEOUT:g} s for "
        f"its request headers (`--timeout`) and {serve.BODY_TIMEOUT:g} s for its body (`--body-timeout`), a body "
        f"over {serve.MAX_BODY_MB} MB gets 413 (`--max-body-mb`), and beyond {serve.MAX_CONNECTIONS} connections "
        "at once (`--max-connections`) a client gets 503. `--workers N` answers with N processes sharing the port "
        "(Linux, macOS; on Windows one process answers). `python serve.py --help` lists every option.",
        "",
    ]
    return "\n".join(lines)


def _seen(column: Any) -> str:
    parts = []
    if column.minimum is not None:
        parts.append(f"{column.minimum:.6g} to {column.maximum:.6g}")
    if column.categories is not None:
        shown = ", ".join(column.categories[:8])
        more = len(column.categories) - 8
        parts.append(shown + (f", … (+{more})" if more > 0 else "")
                     + ("" if column.categories_complete else " (commonest only)"))
    if column.missing:
        parts.append(f"{column.missing:,} gaps")
    if not column.used_by_model:
        parts.append("needed by a data fix only")
    return "; ".join(parts) or "—"
