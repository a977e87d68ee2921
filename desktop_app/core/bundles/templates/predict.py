#!/usr/bin/env python3
"""Score a table with this bundle's model, without MLDesk.

    python predict.py input.csv > predictions.csv
    python predict.py input.parquet --out predictions.csv --with-input
    python predict.py input_example.json            # MLflow's dataframe_split / dataframe_records form
    cat input.csv | python predict.py -              # CSV on standard input

Prints CSV: `prediction` and, for a classifier, `proba_<class>` per class, one line per input
row in input order (`--with-input` keeps the input columns before them). Needs only the
packages of requirements.txt; the model's own MLDesk code travels in `code/`.

Before anything is loaded, model.skops and every file under code/ are checked against
SHA256SUMS, and the model file is refused if it holds any type outside TRUSTED_TYPES, a
list written here by MLDesk at export (never read from the model file). Exit status 1 and
one line on standard error for a problem with the input or the bundle.
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
CODE_DIR = "code"
SUMS_FILE = "SHA256SUMS"
CHUNK_ROWS = 50_000

# --- filled in by MLDesk at export -------------------------------------------------------
MODEL_LABEL = "model"
COLUMNS: list[str] = []
TRUSTED_TYPES: list[str] = []
MISSING_MARKERS: list[str] = []
# --- end of export values ----------------------------------------------------------------


class BundleError(Exception):
    """A problem with the bundle or the input, told in one sentence."""


# -- loading --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_files(bundle: Path = HERE) -> None:
    """model.skops and every file under code/ must be listed in SHA256SUMS with their hash."""
    sums = bundle / SUMS_FILE
    if not sums.is_file():
        raise BundleError(f"{SUMS_FILE} is missing from the bundle; the model is not loaded.")
    listed: dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            listed[name.lstrip("*")] = digest.strip().lower()
    needed = [MODEL_FILE] + sorted(p.relative_to(bundle).as_posix() for p in (bundle / CODE_DIR).rglob("*")
                                   if p.is_file() and "__pycache__" not in p.parts)
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
    return sio.load(path, trusted=list(TRUSTED_TYPES))


# -- input ----------------------------------------------------------------------------------


def frame_from_json(document):
    """A DataFrame from MLflow's request forms: dataframe_split, dataframe_records, instances, inputs."""
    import pandas as pd

    if isinstance(document, dict):
        if "dataframe_split" in document:
            split = document["dataframe_split"]
            if not isinstance(split, dict) or "data" not in split:
                raise BundleError("'dataframe_split' needs 'columns' and 'data'.")
            return pd.DataFrame(split["data"], columns=split.get("columns"))
        if "dataframe_records" in document:
            return _records(document["dataframe_records"])
        for key in ("instances", "inputs"):
            if key in document:
                return _records(document[key])
        if "columns" in document and "data" in document:  # a bare split, as input_example.json holds it
            return pd.DataFrame(document["data"], columns=document["columns"])
    if isinstance(document, list):
        return _records(document)
    raise BundleError("The JSON must hold 'dataframe_split', 'dataframe_records', 'instances' or 'inputs'.")


def _records(records):
    import pandas as pd

    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise BundleError("Records must be a list of objects, one per row ({\"column\": value, ...}).")
    return pd.DataFrame.from_records(records)


def sniff_delimiter(first_line: str) -> str:
    """The commonest of , ; tab | in the header line (a comma when none appears)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(source, sep: str | None = None):
    """Rows of a CSV file or text buffer; empty fields and the usual markers (NA, n/a, ?, …) are gaps."""
    import pandas as pd

    if sep is None:
        if isinstance(source, io.StringIO):
            first = source.getvalue().split("\n", 1)[0]
        else:
            with open(source, encoding="utf-8-sig", errors="replace") as handle:
                first = handle.readline()
        sep = sniff_delimiter(first)
    try:
        return pd.read_csv(source, sep=sep, na_values=MISSING_MARKERS, keep_default_na=True, encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BundleError(f"The input cannot be read as CSV: {exc}") from None


def read_input(name: str, sep: str | None = None):
    """The rows of a CSV, Parquet or JSON file (`-`: CSV on standard input)."""
    import pandas as pd

    if name == "-":
        return read_csv(io.StringIO(sys.stdin.read()), sep)
    path = Path(name)
    if not path.is_file():
        raise BundleError(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as exc:
            raise BundleError(f"{path.name} cannot be read as Parquet ({type(exc).__name__}: {exc}).") from None
    if suffix == ".json":
        try:
            return frame_from_json(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
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


def predict_frame(model, frame):
    """`prediction` and `proba_<class>` per class for every row (same index), in chunks."""
    import numpy as np
    import pandas as pd

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise BundleError("The input lacks the column(s) " + ", ".join(repr(c) for c in missing)
                          + " the model was trained with.")
    estimator, head = model.steps[-1][1], model[:-1]
    classes = getattr(model, "classes_", None)
    with_proba = classes is not None and hasattr(estimator, "predict_proba")
    labels, probas = [], []
    for start in range(0, len(frame), CHUNK_ROWS):
        X = head.transform(frame.iloc[start:start + CHUNK_ROWS])
        labels.append(np.asarray(estimator.predict(X)))
        if with_proba:
            probas.append(np.asarray(estimator.predict_proba(X), dtype=np.float64))
    out = pd.DataFrame(index=frame.index)
    out["prediction"] = np.concatenate(labels) if labels else np.empty(0, dtype=object)
    if with_proba:
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
    args = parser.parse_args(argv)
    try:
        frame = read_input(args.input, args.sep)
        model = load_model()
        limit_threads()
        predictions = predict_frame(model, frame)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.with_input:
        import pandas as pd

        taken = set(map(str, frame.columns))
        predictions.columns = [c + "_" * (c in taken) for c in predictions.columns]
        predictions = pd.concat([frame, predictions], axis=1)
    if args.out:
        predictions.to_csv(args.out, index=False)
        return 0
    try:
        predictions.to_csv(sys.stdout, index=False, lineterminator="\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
