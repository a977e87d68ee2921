#!/usr/bin/env python3
"""Score a table with this bundle's model, without MLDesk.

    python predict.py input.csv > predictions.csv
    python predict.py input.parquet --out predictions.csv --with-input
    python predict.py input_example.json            # MLflow's dataframe_split / dataframe_records form
    cat input.csv | python predict.py -              # CSV on standard input

Prints CSV: `prediction` and, for a classifier, `proba_<class>` per class, one line per input
row in input order (`--with-input` keeps the input columns before them). Needs only the
packages of requirements.txt; the model's own MLDesk code travels in `code/`.

Before anything is loaded, model.skops, signature.json and every file under code/ are
checked against SHA256SUMS, and the model file is refused if it holds any type outside
TRUSTED_TYPES, a list written here by MLDesk at export (never read from the model file).
The rows are then checked against the model's signature (signature.json) by MLDesk's own
validation code, vendored in code/, exactly as `mldesk predict` checks them: errors (a
missing column, text in a number column) refuse the input, warnings (a category or a number
range training never saw) are printed and the rows scored. Exit status 1 and one line per
problem on standard error for a problem with the input or the bundle, never a traceback
(`--traceback` shows one for an unexpected failure).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL_FILE = "model.skops"
SIGNATURE_FILE = "signature.json"
CODE_DIR = "code"
SUMS_FILE = "SHA256SUMS"
CHUNK_ROWS = 50_000
SHOWN_PROBLEMS = 10  # lines of refusal printed; the rest are counted

# --- filled in by MLDesk at export -------------------------------------------------------
MODEL_LABEL = "model"
TRUSTED_TYPES: list[str] = []
MISSING_MARKERS: list[str] = []
# --- end of export values ----------------------------------------------------------------


class BundleError(Exception):
    """A problem with the bundle or the input, told in one sentence."""


class RowsRefused(BundleError):
    """The rows break the model's signature; `problems` holds the validation's sentences (errors only)."""

    def __init__(self, problems: list[str]) -> None:
        more = len(problems) - 1
        super().__init__(problems[0] + (f" (and {more} more problem{'s' * (more > 1)})" if more else ""))
        self.problems = problems


# -- loading --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_files(bundle: Path = HERE) -> None:
    """model.skops, signature.json and every file under code/ must be listed in SHA256SUMS with their hash."""
    sums = bundle / SUMS_FILE
    if not sums.is_file():
        raise BundleError(f"{SUMS_FILE} is missing from the bundle; the model is not loaded.")
    listed: dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            listed[name.lstrip("*")] = digest.strip().lower()
    code = sorted(p.relative_to(bundle).as_posix() for p in (bundle / CODE_DIR).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)
    needed = [MODEL_FILE, SIGNATURE_FILE, *code]
    for name in needed:
        if name not in listed:
            raise BundleError(f"{name} is not listed in {SUMS_FILE}; the bundle was changed after export, "
                              "so the model is not loaded.")
        if not (bundle / name).is_file() or _sha256(bundle / name) != listed[name]:
            raise BundleError(f"{name} does not match its hash in {SUMS_FILE}; the bundle is damaged or was "
                              "changed after export, so the model is not loaded.")


def load_model(bundle: Path = HERE):
    """The fitted pipeline, after the hash check and with the export's allow-list only."""
    check_files(bundle)
    code = str(bundle / CODE_DIR)
    if code not in sys.path:
        sys.path.insert(0, code)
    import skops.io as sio

    path = bundle / MODEL_FILE
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise BundleError(f"{MODEL_FILE} cannot be read as a skops file ({type(exc).__name__}).") from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise BundleError(f"{MODEL_FILE} holds types this bundle does not trust ({', '.join(refused)}); "
                          "it was not loaded.")
    try:
        model = sio.load(path, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # a damaged or crafted file: skops raises whatever its parser met
        raise BundleError(f"{MODEL_FILE} cannot be loaded ({type(exc).__name__}: {_short(exc)}); the bundle is "
                          "damaged, export it again.") from None
    _check_pipeline(model)
    return model


def _check_pipeline(model) -> None:
    """A fitted scikit-learn pipeline, as MLDesk exports it; anything else is refused before a prediction."""
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(model, Pipeline) or not model.steps:
        raise BundleError(f"{MODEL_FILE} holds a {type(model).__name__}, not the fitted scikit-learn pipeline "
                          "MLDesk exports; the bundle is damaged, export it again.")
    try:
        check_is_fitted(model)
    except (NotFittedError, TypeError, AttributeError):
        raise BundleError(f"{MODEL_FILE} holds a pipeline that was never fitted; export the model again.") from None


def load_signature(bundle: Path = HERE):
    """The model's input signature (run after `load_model`, whose hash check covers signature.json)."""
    from desktop_app.core.scoring.signature import InputSignature

    try:
        return InputSignature.from_dict(json.loads((bundle / SIGNATURE_FILE).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{SIGNATURE_FILE} cannot be read ({type(exc).__name__}); the bundle is damaged, "
                          "export it again.") from None


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"


# -- input ----------------------------------------------------------------------------------


def frame_from_json(document):
    """A DataFrame from MLflow's request forms: dataframe_split, dataframe_records, instances, inputs."""
    if isinstance(document, dict):
        if "dataframe_split" in document:
            split = document["dataframe_split"]
            if not isinstance(split, dict) or "data" not in split:
                raise BundleError("'dataframe_split' needs 'columns' and 'data'.")
            return _split(split["data"], split.get("columns"))
        if "dataframe_records" in document:
            return _records(document["dataframe_records"])
        for key in ("instances", "inputs"):
            if key in document:
                return _records(document[key])
        if "columns" in document and "data" in document:  # a bare split, as input_example.json holds it
            return _split(document["data"], document["columns"])
    if isinstance(document, list):
        return _records(document)
    raise BundleError("The JSON must hold 'dataframe_split', 'dataframe_records', 'instances' or 'inputs'.")


def _split(data, columns):
    import pandas as pd

    if not isinstance(data, list) or not all(isinstance(row, list) for row in data):
        raise BundleError("'data' must be a list of rows, each a list of values.")
    if isinstance(columns, list):
        named_twice = sorted({str(c) for c in columns if columns.count(c) > 1})
        if named_twice:
            raise BundleError(f"'columns' names {', '.join(repr(c) for c in named_twice)} more than once; "
                              "name each column once.")
    try:
        return pd.DataFrame(data, columns=columns)
    except (ValueError, TypeError) as exc:  # rows longer or shorter than 'columns'
        raise BundleError(f"The rows do not match the columns ({_short(exc)}).") from None


def _records(records):
    import pandas as pd

    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise BundleError("Records must be a list of objects, one per row ({\"column\": value, ...}).")
    return pd.DataFrame.from_records(records)


def sniff_delimiter(first_line: str) -> str:
    """The commonest of , ; tab | in the header line (a comma when none appears)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(source, sep: str | None = None):
    """Rows of a CSV file or text buffer; empty fields and the usual markers (NA, n/a, ?, …) are gaps."""
    import pandas as pd

    try:
        if sep is None:
            if isinstance(source, io.StringIO):
                first = source.getvalue().split("\n", 1)[0]
            else:
                with open(source, encoding="utf-8-sig", errors="replace") as handle:
                    first = handle.readline()
            sep = sniff_delimiter(first)
        return pd.read_csv(source, sep=sep, na_values=MISSING_MARKERS, keep_default_na=True, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise BundleError("The input is empty; give a CSV table with a header line.") from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BundleError(f"The input cannot be read as CSV: {_short(exc)}") from None
    except OSError as exc:
        raise BundleError(f"The input cannot be read: {exc.strerror or exc}.") from None


def read_input(name: str, sep: str | None = None):
    """The rows of a CSV, Parquet or JSON file (`-`: CSV on standard input)."""
    if name == "-":
        return read_csv(io.StringIO(sys.stdin.read()), sep)
    path = Path(name)
    if not path.is_file():
        raise BundleError(f"There is no file {path}." if not path.exists() else f"{path} is not a file.")
    if not os.access(path, os.R_OK):
        raise BundleError(f"{path} cannot be read (permission denied).")
    if path.stat().st_size == 0:
        raise BundleError(f"{path} is empty; give a file with a header line and rows.")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq  # its ParquetFile: pd.read_parquet's scanner can abort the exit after an error

            return pq.ParquetFile(path).read().to_pandas()
        except Exception as exc:
            raise BundleError(f"{path.name} cannot be read as Parquet ({type(exc).__name__}: {exc}).") from None
    if suffix == ".json":
        try:
            return frame_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BundleError(f"{path.name} is not valid JSON ({exc}).") from None
    return read_csv(path, sep)


# -- predicting -----------------------------------------------------------------------------


def limit_threads(openmp: int | None = None) -> None:
    """One BLAS thread, OpenMP on `openmp` threads (default: all cores but one), for the whole process.

    Many small BLAS calls go faster on one thread, and OpenMP threads (HistGradientBoosting)
    spin while they wait, so a core left free keeps them from stalling when anything else runs.
    """
    try:
        import sklearn  # noqa: F401  (loads its OpenMP runtime: only loaded libraries can be limited)
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits={"blas": 1, "openmp": openmp or max(1, (os.cpu_count() or 2) - 1)})



def _label(value) -> str:
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return str(value)


def check_rows(signature, frame) -> list[str]:
    """The warnings about `frame` (scored anyway); RowsRefused with the errors when the rows cannot be scored.

    The same validation as `mldesk predict` (MLDesk's scoring.validation, vendored in code/).
    """
    from desktop_app.core.scoring.validation import Severity, validate

    report = validate(signature, frame)
    if report.fatal:
        raise RowsRefused([i.message for i in report.of(Severity.ERROR)])
    return [i.message for i in report.of(Severity.WARNING)]


def predict_frame(model, frame):
    """`prediction` and `proba_<class>` per class for every row (same index), in chunks."""
    import numpy as np
    import pandas as pd

    estimator, head = model.steps[-1][1], model[:-1]
    # The classes in predict_proba's order, for a classifier with probabilities; else None.
    classes = getattr(model, "classes_", None) if hasattr(estimator, "predict_proba") else None
    labels, probas = [], []
    for start in range(0, len(frame), CHUNK_ROWS):
        X = head.transform(frame.iloc[start:start + CHUNK_ROWS])
        labels.append(np.asarray(estimator.predict(X)))
        if classes is not None:
            probas.append(np.asarray(estimator.predict_proba(X), dtype=np.float64))
    out = pd.DataFrame(index=frame.index)
    out["prediction"] = np.concatenate(labels) if labels else np.empty(0, dtype=object)
    if classes is not None:
        proba = np.vstack(probas) if probas else np.empty((0, len(classes)))
        for i, value in enumerate(classes):
            out["proba_" + _label(value)] = proba[:, i]
    return out


# -- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Score rows with {MODEL_LABEL} (an MLDesk bundle).")
    parser.add_argument("input", help="CSV, Parquet (.parquet) or JSON (.json) file; '-' reads CSV from stdin")
    parser.add_argument("--out", help="write the CSV here instead of standard output")
    parser.add_argument("--sep", help="CSV delimiter (default: detected)")
    parser.add_argument("--with-input", action="store_true", help="keep the input columns before the predictions")
    parser.add_argument("--traceback", action="store_true", help="show where an unexpected failure happened")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except RowsRefused as exc:
        for problem in exc.problems[:SHOWN_PROBLEMS]:
            print(f"error: {problem}", file=sys.stderr)
        if len(exc.problems) > SHOWN_PROBLEMS:
            print(f"error: … and {len(exc.problems) - SHOWN_PROBLEMS} more problems.", file=sys.stderr)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except Exception as exc:  # a bug or a value no check foresaw: one sentence, not a traceback
        if args.traceback:
            raise
        print(f"error: The rows could not be scored ({type(exc).__name__}: {_short(exc)}); run again with "
              "--traceback to see where.", file=sys.stderr)
    return 1


def _run(args) -> int:
    frame = read_input(args.input, args.sep)
    model = load_model()
    for warning in check_rows(load_signature(), frame):
        print(f"warning: {warning}", file=sys.stderr)
    limit_threads()
    predictions = predict_frame(model, frame)
    if args.with_input:
        import pandas as pd

        taken = set(map(str, frame.columns))
        predictions.columns = [c + "_" * (c in taken) for c in predictions.columns]
        predictions = pd.concat([frame, predictions], axis=1)
    if args.out:
        try:
            predictions.to_csv(args.out, index=False)
        except OSError as exc:
            raise BundleError(f"Cannot write {args.out}: {exc.strerror or exc}.") from None
        return 0
    try:
        predictions.to_csv(sys.stdout, index=False, lineterminator="\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
