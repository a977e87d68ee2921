"""Words and numbers for the Export step (no Qt, no core import at module level: fast and testable).

Model versions arrive as core `RegisteredModel` / `ModelVersion` objects (or anything with the
same attributes), validation reports as `scoring.validation.ValidationReport`, verification
results as `bundles.entities.VerificationResult`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.ui.text.formatting import format_int, plural
from desktop_app.ui.text.models import first_well_known, ordered_aliases
from desktop_app.ui.text.runs import algorithm_label, format_metric, format_seconds, metric_label

if TYPE_CHECKING:
    from desktop_app.core.bundles.entities import VerificationResult
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.scoring.validation import Issue, ValidationReport

KEY_METRICS = ("roc_auc", "recall", "f1_macro", "roc_auc_ovr", "r2", "rmse")

PROBLEM_WORDS = {
    "missing_column": "Missing column",
    "recipe_failed": "Data fixes cannot run",
    "wrong_type": "Wrong kind of value",
    "unseen_category": "New category",
    "out_of_range": "Outside the trained range",
    "unexpected_missing": "Unexpected gap",
    "extra_columns": "Not used by the model",
    "id_columns": "Id — kept for joining",
    "not_checked": "Not checked",
}
COLUMN_LISTS = ("extra_columns", "id_columns")   # issues about columns: their examples are column names
SEVERITY_GLYPH = {"error": "✗", "warning": "⚠", "info": "ℹ"}
SEVERITY_COLOR = {"error": "#b3261e", "warning": "#8a5a00", "info": "#4a5563"}
OK_COLOR, FAIL_COLOR, NEUTRAL_COLOR, WARN_COLOR = "#1f7a35", "#b3261e", "#4a5563", "#8a5a00"


# -- the model version picker ----------------------------------------------------------------------


@dataclass(frozen=True)
class PickerEntry:
    ref: str            # what the user picked: "heart-risk@production" or "heart-risk@2"
    text: str           # what the list shows
    tooltip: str
    version: ModelVersion        # the ModelVersion it means now
    archived: bool = False


def picker_entries(models: Sequence[RegisteredModel]) -> list[PickerEntry]:
    """Per model: its aliases (well-known ones first), then its versions, newest first."""
    out: list[PickerEntry] = []
    for model in sorted(models, key=lambda m: (m.name.casefold(), m.name)):
        by_number = {v.number: v for v in model.versions}
        for alias, number in ordered_aliases(model.aliases):
            version = by_number.get(number)
            if version is None:
                continue
            out.append(PickerEntry(f"{model.name}@{alias}", f"{model.name}@{alias}  (version {number})",
                                   f"The version the alias '{alias}' points to now: version {number}", version))
        for version in sorted(model.versions, key=lambda v: -v.number):
            archived = bool(getattr(version, "archived", False))
            out.append(PickerEntry(
                version.label, version.label + ("  · archived" if archived else ""),
                f"Version {version.number} of {model.name}"
                + (" — archived: it can still be exported, but check that is what you want" if archived else ""),
                version, archived))
    return out


def default_entry(entries: Sequence[PickerEntry], remembered: str | None = None) -> PickerEntry | None:
    """The remembered ref if still there, else the first well-known alias, else the newest active version."""
    by_ref = {e.ref: e for e in entries}
    if remembered in by_ref:
        return by_ref[remembered]
    aliased = first_well_known(by_ref)
    if aliased is not None:
        return by_ref[aliased]
    return next((e for e in entries if not e.archived), entries[0] if entries else None)


def exact_ref(version: ModelVersion) -> str:
    """The reference the core is given: one version, whatever aliases do meanwhile ('heart-risk@2')."""
    return f"{version.model_name}@{version.number}"


def key_metrics_text(metrics: dict[str, Any], limit: int = 2) -> str:
    names = [m for m in KEY_METRICS if metrics.get(m) is not None][:limit]
    return " · ".join(f"{metric_label(m)} {format_metric(metrics[m])}" for m in names)


def version_line(version: ModelVersion) -> str:
    """'Logistic regression on heart@1 · ROC AUC 0.820 · Recall 0.078 · archived'."""
    parts = [f"{algorithm_label(version.algorithm, version.task)} on {version.dataset_label}"]
    metrics = key_metrics_text(dict(version.metrics or {}))
    if metrics:
        parts.append(metrics)
    if getattr(version, "archived", False):
        parts.append("archived")
    return " · ".join(parts)


def bundle_name(version: ModelVersion, zipped: bool) -> str:
    """The folder (or zip) the export writes: 'heart-risk-v2' or 'heart-risk-v2.zip'.

    Same rule as the core's `ModelSource.file_stem` (kept here so the dialog can say it
    without asking the database)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", version.model_name).strip("-.") or "model"
    return f"{stem}-v{version.number}" + (".zip" if zipped else "")


# -- bundles ---------------------------------------------------------------------------------------


def format_size(size: int) -> str:
    """1234 → '1.2 KB'; sizes for people (powers of 1024, as file managers show them)."""
    if size < 1024:
        return f"{format_int(size)} bytes" if size != 1 else "1 byte"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{size} bytes"  # pragma: no cover


@dataclass(frozen=True)
class Verdict:
    """What a result panel shows in its banner."""

    state: str          # ok, fail, skipped, neutral
    headline: str       # "Verified", "Not verified", "Export failed"
    text: str           # one sentence
    details: str = ""   # one click away


def verification_verdict(verification: VerificationResult | None) -> Verdict:
    if verification is None:
        return Verdict("skipped", "Not verified", "The bundle was exported without checking it.")
    details = verification_details(verification)
    if getattr(verification, "skipped", False):
        return Verdict("skipped", "Not verified", verification.reason, details)
    if verification.ok:
        return Verdict("ok", "Verified", f"predict.py, run in a separate process, gave the same predictions as "
                                         f"MLDesk on {plural(verification.rows_checked, 'row')}.", details)
    return Verdict("fail", "Verification failed",
                   f"{verification.reason} Do not hand this bundle over as it is: export it again (replacing it) "
                   "to get a checked copy.", details if getattr(verification, "checks", ()) else "")


def verification_details(verification: VerificationResult) -> str:
    lines = [verification.reason]
    for check in getattr(verification, "checks", ()) or ():
        diff = check.get("max_abs_diff")
        lines.append(
            f"• {check.get('name', 'rows')}: {plural(int(check.get('rows', 0)), 'row')}, labels "
            f"{'identical' if check.get('labels_equal') else 'differ'}"
            + (f", largest difference in probabilities/values {diff:.3g}" if diff is not None else "")
            + ("" if check.get("ok", True) else f" — {check.get('problem', 'disagrees')}"))
    if getattr(verification, "seconds", 0):
        lines.append(f"Took {format_seconds(verification.seconds)}.")
    return "\n".join(lines)


def run_commands(path: Path, zipped: bool) -> list[tuple[str, str]]:
    """(what it does, command) to run an exported bundle, in the order a newcomer runs them."""
    folder = path.with_suffix("") if zipped else path
    where = _quote(folder)
    out = []
    if zipped:
        out.append(("Unpack it", f"cd {_quote(path.parent)} && unzip {_quote(Path(path.name))}"))
    out += [
        ("Go to the bundle", f"cd {where}"),
        ("Install what it needs", "pip install -r requirements.txt"),
        ("Score a file", "python predict.py input.csv > predictions.csv"),
        ("Serve it over HTTP", "python serve.py --port 8080"),
        ("Or serve it with MLflow", f"mlflow models serve -m {where}"),
    ]
    return out


def _quote(path: Path) -> str:
    text = str(path)
    return f'"{text}"' if re.search(r"[\s'\"&;|()$]", text) else text


# -- batch scoring ---------------------------------------------------------------------------------


def problem_words(problem: Any) -> str:
    key = str(getattr(problem, "value", problem))
    return PROBLEM_WORDS.get(key, key.replace("_", " ").capitalize())


def issue_rows_text(issue: Issue, total_rows: int) -> str:
    problem = str(getattr(issue.problem, "value", issue.problem))
    if problem in ("missing_column", "recipe_failed"):
        return f"all {format_int(total_rows)}"
    if problem in COLUMN_LISTS or problem == "not_checked":
        return "—"
    return format_int(issue.count)


def issue_examples_text(issue: Issue, limit: int = 3) -> str:
    problem = str(getattr(issue.problem, "value", issue.problem))
    if problem == "missing_column":
        return ""
    values = list(issue.examples)[:limit]
    text = ", ".join(f"'{v}'" if isinstance(v, str) else _value(v) for v in values)
    if len(issue.examples) > limit:
        text += ", …"
    return text


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def validation_verdict(report: ValidationReport) -> Verdict:
    """'All 5,000 rows can be scored' (warnings are scored and flagged) / '3 rows cannot be scored — …'."""
    rows, scorable = report.rows, report.scorable_rows
    if rows == 0:
        return Verdict("fail", "Nothing to score", "The file has no rows.")
    errors = [i for i in report.issues if str(i.severity) == "error"]
    if scorable == 0:
        first = errors[0].message if errors else "every row has a problem."
        return Verdict("fail", "No row can be scored", first)
    flagged = scorable - report.valid_rows
    flag_note = (f"{plural(flagged, 'row')} with values training never saw "
                 f"{'is' if flagged == 1 else 'are'} scored and flagged (the flags column says why)."
                 if flagged else "")
    if scorable == rows:
        if not flagged:
            return Verdict("ok", f"All {format_int(rows)} rows can be scored",
                           "They match what the model was trained on." if report.ok
                           else "Notes below are for information only.")
        return Verdict("warn", f"All {format_int(rows)} rows can be scored — {format_int(flagged)} will be flagged",
                       flag_note + " Predictions there are extrapolations; check them before acting on them.")
    bad = rows - scorable
    return Verdict("warn", f"{plural(bad, 'row')} cannot be scored — score the other {format_int(scorable)}?",
                   "Fix the file, or tick the box below to leave them out; the table says what is wrong." +
                   (f" {flag_note}" if flag_note else ""))


def default_output(input_path: Path, folder: Path | None = None, suffix: str = ".csv") -> Path:
    """'new.csv' → 'new-scored.csv' in `folder` (beside the input without one); '-scored-2' etc. when taken."""
    stem = f"{input_path.stem}-scored"
    folder = folder if folder is not None else input_path.parent
    candidate = folder / (stem + suffix)
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def scoring_summary(result: Any) -> str:
    """'Scored 4,997 rows · 104 flagged (age outside the trained range) · 3 left out (rows 4, 8, 12) · …'."""
    parts = [f"Scored {plural(result.rows_scored, 'row')}"]
    if result.rows_flagged:
        reasons = [f"{i.column} {problem_words(i.problem).lower()}" for i in result.report.issues
                   if str(i.severity) == "warning" and i.column]
        shown = ", ".join(reasons[:2]) + (", …" if len(reasons) > 2 else "")
        parts.append(f"{format_int(result.rows_flagged)} flagged ({shown}: see the flags column)")
    if result.rows_left_out:
        examples = result.left_out_examples
        shown = ", ".join(str(i + 1) for i in examples[:5])
        more = ", …" if result.rows_left_out > len(examples[:5]) else ""
        parts.append(f"{format_int(result.rows_left_out)} left out (row{'s' if result.rows_left_out != 1 else ''} "
                     f"{shown}{more})")
    else:
        parts.append("none left out")
    parts.append("took under 0.1 s" if result.seconds < 0.1 else f"took {format_seconds(result.seconds)}")
    if result.out_path is not None:
        parts.append(f"saved to {Path(result.out_path).name}")
    return " · ".join(parts)


def missing_input(path: Path) -> Verdict:
    """A typed path that is not a file."""
    if path.is_dir():
        return Verdict("fail", "That is a folder", f"{path} is a folder; type the path of a CSV, Excel or Parquet "
                                                   "file in it, or use Choose file….")
    return Verdict("fail", "No such file", f"There is no file {path}; check the path, or use Choose file….")


def default_export_folder(exports: Path, documents: Path, hidden_roots: Sequence[Path] = ()) -> Path:
    """The project's exports/ folder, unless the project lives where a file browser does not look (a folder
    whose name starts with '.', or the platform's app-data folder, as the sample project does): then
    `<Documents>/MLDesk/<project folder> exports`."""
    project = exports.parent
    hidden = any(part.startswith(".") for part in project.parts) or any(
        project.is_relative_to(root) for root in hidden_roots)
    return documents / "MLDesk" / f"{project.name} exports" if hidden else exports
