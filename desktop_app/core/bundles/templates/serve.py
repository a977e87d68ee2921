#!/usr/bin/env python3
"""Serve this bundle's model over HTTP, without MLDesk (standard library server).

    python serve.py [--host 127.0.0.1] [--port 8080] [--workers 1]

    GET  /ping          200 when the model is loaded (also /health)
    POST /invocations   MLflow's request forms:
                          application/json  {"dataframe_split": {"columns": [...], "data": [[...], ...]}}
                                            {"dataframe_records": [{"column": value, ...}, ...]}
                                            ({"instances": [...]} and {"inputs": [...]} as records)
                          text/csv          a CSV table with a header line
                        answer: {"predictions": [label, ...]} as `mlflow models serve` gives it, plus,
                        for a classifier, "probabilities": [{"<class>": p, ...}, ...] per row, and
                        "warnings": [...] when the rows hold categories or numbers training never saw
    A bad request gets 400 with {"error_code": "BAD_REQUEST", "message": "..."}: rows that break
    the model's signature (a missing column, text in a number column) are refused with the
    sentences `mldesk predict` prints, by the same validation code (vendored in code/), all of
    them in "problems": [...].

The model is loaded once, at start, by predict.py's `load_model` (hash check against
SHA256SUMS and the export's allow-list); requests are answered on threads, HTTP/1.1
keep-alive, each answer (headers and body) in one write with Nagle's algorithm off. It
listens on 127.0.0.1 unless told otherwise.

One row in JSON, the commonest request, takes a shorter way (`QuickPath`): no DataFrame, no
per-column pandas work; the row's numbers go through the pipeline's imputer and scaler as
the same float operations, its categories through the fitted encoders once per distinct
combination (remembered), then the model's own predict_proba and predict (for logistic
regression and hist gradient boosting the labels are read off the probabilities where that
provably gives predict's labels, see `QuickPath._labels`). It is taken only for a row the
validation has nothing to say about (every column there, numbers in the training range,
known categories) and a pipeline of the shape MLDesk builds; anything else (a warning to
give, an error, several rows, CSV) goes the general way above. At start the shorter way is
compared with the general one on rows made from the signature, bit for bit (the matrix the
model sees and the JSON answer); a difference turns it off, said on standard error. The
answers are the same either way, to the last digit.

--workers N (N > 1) forks N processes after the model is loaded; they answer on the one
listening socket (inherited), a new connection going to the worker answering the fewest,
so N clients use up to N cores. --max-connections then holds per worker. "Serving ..." is
printed once every worker answers. A worker that dies is replaced (one dying within
RESTART_AFTER seconds of its start stops serve.py, status 1); stopping the parent (Ctrl+C,
SIGTERM) stops them all, and a worker whose parent is gone stops within a second. Windows
has no fork: there --workers is ignored with a note on standard error and one process
answers (start several serve.py on other ports behind a proxy to use more cores).

A client cannot hold the server: it has --timeout seconds to send its request line and
headers (on a kept-alive connection, its next request) and --body-timeout seconds for the
whole body, else the connection is closed (408 for a late body). A Content-Length that is
missing on a body, negative, not a number or larger than --max-body-mb is refused (400 or
413, then the connection closes, as the body's end is unknown). At most --max-connections
connections are answered at once, each on its own thread; one more gets 503 at once.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import select
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__:  # imported as MLDesk's template module (tests, the layering check)
    from . import predict as bundle
else:  # run from a bundle: its predict.py sits beside this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import predict as bundle  # type: ignore[import-not-found, no-redef]  # mypy sees the package's copy above

MAX_BODY_MB = 64            # a request body larger than this is refused with 413
HEADER_TIMEOUT = 10.0       # seconds to send the request line and headers (or, kept alive, the next request)
BODY_TIMEOUT = 60.0         # seconds to send the whole body
MAX_CONNECTIONS = 32        # connections answered at once (one thread each); more get 503
LINGER_SECONDS = 1.0        # after refusing a body: how long unread bytes are drained before closing
LINGER_BYTES = 4 << 20
RESTART_AFTER = 10.0        # --workers: a worker dying sooner after its start stops serve.py instead of a restart


class BadRequest(Exception):
    pass


def _plain(value):
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def answer(model, signature, frame) -> dict:
    """The JSON answer for `frame`; bundle.RowsRefused when the rows break the signature."""
    warnings = bundle.check_rows(signature, frame)
    predictions = bundle.predict_frame(model, frame)
    out = {"predictions": [_plain(v) for v in predictions["prediction"].tolist()]}
    proba = [c for c in predictions.columns if c.startswith("proba_")]
    if proba:
        names = [c[len("proba_"):] for c in proba]
        rows = predictions[proba].to_numpy().tolist()
        out["probabilities"] = [dict(zip(names, row)) for row in rows]
    if warnings:
        out["warnings"] = warnings
    return out


def _kind(content_type: str) -> str:
    return (content_type or "application/json").split(";")[0].strip().lower()


def parse_request(content_type: str, body: bytes):
    kind = _kind(content_type)
    if kind in ("text/csv", "application/csv"):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("The CSV body is not UTF-8 text.") from None
        return bundle.read_csv(io.StringIO(text))
    if kind != "application/json":
        raise BadRequest(f"Content type '{kind}' is not supported; send application/json or text/csv.")
    return bundle.frame_from_json(_document(body))


def _document(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON ({exc}).") from None


def respond(model, signature, quick: QuickPath | None, content_type: str, body: bytes) -> dict:
    """The JSON answer to a request body: by `quick` when it can, else by `parse_request` and `answer`."""
    if quick is not None and quick.ready and _kind(content_type) == "application/json":
        document = _document(body)
        payload = quick.answer(document)
        return payload if payload is not None else answer(model, signature, bundle.frame_from_json(document))
    return answer(model, signature, parse_request(content_type, body))


_EXACT_INTS = 1 << 53   # larger ints go the general way: a float64 does not hold them all, pandas may keep them whole


class QuickPath:
    """One clean JSON row answered without pandas, exactly as `answer` would (see the module's docstring).

    `answer(document)` gives the JSON answer, or None: then the general way must answer (it
    also gives every warning and error). Built from the fitted pipeline and the signature;
    `ready` False (with `reason`) when the pipeline is not of a shape this path knows or its
    check at start found a difference.
    """

    MEMO_LIMIT = 4096   # distinct category combinations remembered per group (beyond: computed each time)

    def __init__(self, model, signature) -> None:
        self.model, self.signature = model, signature
        self.ready = False
        try:
            self.reason = self._build() or self._self_check()
            self.ready = self.reason is None
        except Exception as exc:  # whatever a pipeline of another shape raises here: the general way answers
            self.ready, self.reason = False, f"{type(exc).__name__}: {bundle._short(exc)}"

    # -- built once --------------------------------------------------------------------------

    def _build(self) -> str | None:
        """None when the pipeline has MLDesk's shape (the groups and checks set up), else why not."""
        import numpy as np
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        from desktop_app.core.training.transformers import AsCategories, AsNumbers, MedianImputer, RecipeTransformer

        steps = [step for _, step in self.model.steps]
        if (len(steps) != 3 or not isinstance(steps[0], RecipeTransformer)
                or not isinstance(steps[1], ColumnTransformer)):
            return "the pipeline is not recipe, columns, model"
        recipe, prepare, self.estimator = steps
        if recipe.recipe or self.signature.recipe:
            return "the pipeline repeats data fixes on the rows"
        if getattr(prepare, "sparse_output_", True) or prepare.transformer_weights:
            return "the columns step gives a sparse or weighted matrix"
        specs = {spec.name: spec for spec in self.signature.columns}
        if any(not spec.used_by_model for spec in specs.values()) or set(recipe.columns) != set(specs):
            return "the signature holds columns the model does not use"
        self.names = frozenset(self.signature.names)
        self.groups: list[tuple] = []
        grouped: list[str] = []
        for name, transformer, columns in prepare.transformers_:
            if isinstance(transformer, str) and transformer == "drop":
                continue
            if (not isinstance(transformer, Pipeline) or not isinstance(columns, list) or not columns
                    or not all(isinstance(c, str) and c in specs for c in columns)):
                return f"the columns step '{name}' is not one this path knows"
            first, rest = transformer.steps[0][1], [step for _, step in transformer.steps[1:]]
            kinds = {str(specs[c].kind) for c in columns}
            if isinstance(first, AsNumbers) and kinds == {"numeric"}:
                operations: list[tuple] = []
                for step in rest:
                    if (type(step) in (SimpleImputer, MedianImputer) and not step.add_indicator
                            and isinstance(step.missing_values, float) and math.isnan(step.missing_values)
                            and step.statistics_.dtype == np.float64 and np.isfinite(step.statistics_).all()):
                        operations.append(("fill", step.statistics_.reshape(1, -1)))
                    elif type(step) is StandardScaler and step.with_mean and step.with_std:
                        operations.append(("scale", np.asarray(step.mean_, dtype=np.float64),
                                           np.asarray(step.scale_, dtype=np.float64)))
                    else:
                        return f"the numbers step {type(step).__name__} of '{name}' is not one this path knows"
                checks: list[tuple] = []
                for c in columns:
                    spec = specs[c]
                    bounded = spec.minimum is not None and spec.maximum is not None
                    checks.append((c, spec.allows_missing, float(spec.minimum) if bounded else -math.inf,
                                   float(spec.maximum) if bounded else math.inf))
                self.groups.append((True, checks, operations))
            elif isinstance(first, AsCategories) and kinds <= {"categorical", "boolean"}:
                checks = []   # (column, gaps allowed, the known categories or None: not checked)
                for c in columns:
                    spec = specs[c]
                    known = (frozenset(spec.categories) if spec.categories is not None and spec.categories_complete
                             else None)
                    checks.append((c, spec.allows_missing, known))
                self.groups.append((False, checks, (transformer, columns, {})))
            else:
                return f"the columns step '{name}' is not numbers or categories"
            grouped += columns
        if sorted(grouped) != sorted(specs):
            return "the model's columns are not each in one group"
        self.has_proba = hasattr(self.estimator, "predict_proba")
        kind = type(self.estimator)
        self.labels_from_proba = kind.__module__.startswith("sklearn.") and kind.__name__ in (
            "LogisticRegression", "HistGradientBoostingClassifier")
        classes = getattr(self.model, "classes_", None) if self.has_proba else None
        self.classes = None if classes is None else [bundle._label(value) for value in classes]
        if self.classes is not None and len(set(self.classes)) != len(self.classes):
            return "two classes have the same name"
        return None

    # -- per request ---------------------------------------------------------------------------

    def answer(self, document) -> dict | None:
        """The JSON answer to `document`, or None when the general way must answer."""
        row = self._row(document)
        if row is None or not self.names <= row.keys():
            return None
        try:
            X = self._matrix(row)
            if X is None:
                return None
            return self._predict(X)
        except Exception:  # the general way meets the same problem and says it as it always has
            return None

    @staticmethod
    def _row(document) -> dict | None:
        """The one row of `document` as {column: value}, for the request forms frame_from_json takes (same order)."""
        if isinstance(document, dict):
            if "dataframe_split" in document:
                split = document["dataframe_split"]
                if not isinstance(split, dict) or "data" not in split:
                    return None
                return QuickPath._split_row(split["data"], split.get("columns"))
            if "dataframe_records" in document:
                return QuickPath._record(document["dataframe_records"])
            for key in ("instances", "inputs"):
                if key in document:
                    return QuickPath._record(document[key])
            if "columns" in document and "data" in document:
                return QuickPath._split_row(document["data"], document["columns"])
            return None
        if isinstance(document, list):
            return QuickPath._record(document)
        return None

    @staticmethod
    def _split_row(data, columns) -> dict | None:
        if type(data) is not list or len(data) != 1 or type(data[0]) is not list or type(columns) is not list:
            return None
        values = data[0]
        if len(values) != len(columns) or not all(type(c) is str for c in columns):
            return None
        row = dict(zip(columns, values))
        return row if len(row) == len(columns) else None  # a column named twice: the general way

    @staticmethod
    def _record(records) -> dict | None:
        if type(records) is not list or len(records) != 1 or type(records[0]) is not dict:
            return None
        return records[0]

    def _matrix(self, row: dict):
        """The row as the model sees it (what the pipeline's steps before the model give), or None when the
        row is not clean: a value the validation would warn about or refuse, or a type this path leaves alone."""
        import numpy as np

        parts = []
        for numeric, checks, how in self.groups:
            if numeric:
                values = []
                for name, gaps_ok, low, high in checks:
                    value = row[name]
                    kind = type(value)
                    if kind is float:
                        if not low <= value <= high:   # outside the range, or not finite
                            return None
                    elif kind is int:
                        if not -_EXACT_INTS < value < _EXACT_INTS:
                            return None
                        value = float(value)
                        if not low <= value <= high:
                            return None
                    elif value is None and gaps_ok:
                        value = math.nan
                    else:
                        return None
                    values.append(value)
                x = np.array([values], dtype=np.float64)
                for operation in how:   # the same float operations as SimpleImputer and StandardScaler
                    if operation[0] == "fill":
                        x = np.where(np.isnan(x), operation[1], x)
                    else:
                        x -= operation[1]
                        x /= operation[2]
                parts.append(x)
            else:
                values = []
                for name, gaps_ok, known in checks:
                    value = row[name]
                    if type(value) is str:
                        if known is not None and value not in known:
                            return None
                    elif not (value is None and gaps_ok):
                        return None
                    values.append(value)
                transformer, columns, memo = how
                key = tuple(values)
                part = memo.get(key)
                if part is None:
                    part = self._categories(transformer, columns, values)
                    if len(memo) < self.MEMO_LIMIT:
                        memo[key] = part
                parts.append(part)
        return np.hstack(parts)

    @staticmethod
    def _categories(transformer, columns: list[str], values: list):
        """The category group's own fitted steps on the one row (a frame built as frame_from_json builds it)."""
        import pandas as pd
        from scipy import sparse

        part = transformer.transform(pd.DataFrame([values], columns=columns))
        return part.toarray() if sparse.issparse(part) else part   # as ColumnTransformer stacks a dense output

    def _predict(self, X) -> dict | None:
        """What `answer` builds from predict_frame's columns, from the model's own predict and predict_proba."""
        import numpy as np

        proba = labels = None
        classes = self.classes
        if classes is not None:
            proba = np.asarray(self.estimator.predict_proba(X), dtype=np.float64)
            if not np.isfinite(proba).all():
                return None
            if self.labels_from_proba:
                labels = self._labels(proba)
        if labels is None:
            labels = np.asarray(self.estimator.predict(X))
        out = {"predictions": [_plain(v) for v in labels.tolist()]}
        if classes is not None and proba is not None:
            out["probabilities"] = [dict(zip(classes, row)) for row in proba.tolist()]
        return out

    def _labels(self, proba):
        """predict's labels read off predict_proba's probabilities, or None when they might differ.

        Only for estimators whose predict is `scores > 0` (two classes) or the first argmax of the scores,
        and whose predict_proba is an increasing function of the same scores (expit, softmax):
        LogisticRegression and HistGradientBoostingClassifier. A probability above one half (below)
        then means a score above 0 (below), and a strictly largest probability the strictly largest
        score, whatever the rounding. At exactly one half, or a tie for the largest, predict decides.
        """

        if proba.shape[1] == 2:
            positive = proba[:, 1]
            if (positive == 0.5).any():
                return None
            return self.estimator.classes_[(positive > 0.5).astype(int)]
        best = proba.max(axis=1)
        if ((proba == best[:, None]).sum(axis=1) != 1).any():
            return None
        return self.estimator.classes_[proba.argmax(axis=1)]

    # -- checked once ----------------------------------------------------------------------------

    def _self_check(self) -> str | None:
        """None when this path and the general one agree bit for bit on rows made from the signature."""
        import numpy as np

        rows = self._check_rows()
        taken = 0
        head = self.model[:-1]
        for row in rows:
            for document in ({"dataframe_split": {"columns": list(row), "data": [list(row.values())]}},
                             {"dataframe_records": [row]}):
                quick = self.answer(document)
                if quick is None:
                    continue
                taken += 1
                frame = bundle.frame_from_json(document)
                general = answer(self.model, self.signature, frame)
                if json.dumps(quick) != json.dumps(general):
                    return f"its answer differs from the general one ({json.dumps(quick)[:120]})"
                ours, theirs = self._matrix(row), head.transform(frame)
                if (not isinstance(theirs, np.ndarray) or ours.dtype != theirs.dtype or ours.shape != theirs.shape
                        or ours.tobytes() != theirs.tobytes()):
                    return "the matrix it gives the model differs from the pipeline's"
        return None if taken else "no row made from the signature took it"

    def _check_rows(self) -> list[dict]:
        """Rows of the training ranges and categories: low, high and middle numbers (as JSON ints and floats),
        each known category in turn, and a row of gaps where training had gaps."""
        specs = list(self.signature.columns)
        widest = max([len(s.categories) for s in specs if s.categories] + [3])
        rows = []
        for i in range(min(widest, 12)):
            row: dict = {}
            for spec in specs:
                if str(spec.kind) == "numeric":
                    low = spec.minimum if spec.minimum is not None else 0.0
                    high = spec.maximum if spec.maximum is not None else low + 1.0
                    middle = (low + high) / 2
                    rounded = round(middle)
                    whole = rounded if low <= rounded <= high else middle
                    row[spec.name] = [float(low), float(high), middle, whole][i % 4]
                elif spec.categories:
                    row[spec.name] = str(spec.categories[i % len(spec.categories)])
                else:
                    row[spec.name] = None
            rows.append(row)
        rows.append({name: (None if spec.allows_missing else value)
                     for (name, value), spec in zip(rows[0].items(), specs)})
        return rows


def body_length(values: list[str], limit: int) -> tuple[int, int | None, str]:
    """(length, error status, message) from the Content-Length header(s); status None when the length is fine.

    Only plain digits are a length: int() would also take "-1", "+5" and "1_000".
    """
    if not values:
        return 0, None, ""
    if len({v.strip() for v in values}) > 1:
        return 0, 400, "The request has several different Content-Length headers; send one."
    text = values[0].strip()
    if text.startswith("-") and text[1:].isdigit() and text[1:].isascii():
        return 0, 400, "The Content-Length header is negative; send the body's length in bytes."
    if not (text.isdigit() and text.isascii()):
        return 0, 400, f"The Content-Length header ({text[:40]!r}) is not a number of bytes."
    if len(text) > 18 or int(text) > limit:
        return 0, 413, (f"The body ({text[:40]} bytes) is larger than this server takes ({limit >> 20} MB); "
                        "send fewer rows per request, or start serve.py with a larger --max-body-mb.")
    return int(text), None, ""


class DeadlineReader(io.RawIOBase):
    """The connection's socket, read under a deadline for the whole of a request part (headers, body).

    A socket timeout alone bounds each wait, not the total: a client sending one byte every few
    seconds would hold its thread for ever. Before each read the timeout is set to what is left.
    """

    def __init__(self, sock: socket.socket, write_timeout: float) -> None:
        self._sock = sock
        self._write_timeout = write_timeout
        self.deadline = 0.0  # time.monotonic() by which the part being read must have arrived

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the client took too long to send its request")
        self._sock.settimeout(left)
        try:
            return self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(self._write_timeout)  # what the answer's writes may take


class ParentGone(Exception):
    """A worker's parent process is gone (killed): the worker stops too."""


class BoundedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with at most `max_connections` handler threads; a connection beyond gets 503.

    As one of several workers (`become_worker`), it shares the listening socket, non-blocking: every
    worker wakes for a new connection, and one answering more connections than another leaves it to
    the other for up to WORKER_YIELD seconds (taking it after all if nobody does), so that N kept-alive
    clients spread over N workers. An accept that finds the connection taken returns at once.
    """

    daemon_threads = True
    block_on_close = False      # Ctrl+C stops at once, not after the slowest client's timeout
    request_queue_size = 128
    WORKER_YIELD = 0.05         # seconds a busier worker leaves a new connection to a less busy one

    def __init__(self, address, handler, *, max_connections: int, quiet: bool) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)
        self.max_connections = max_connections
        self.quiet = quiet
        self._active = 0
        self._lock = threading.Lock()
        self._board = None          # worker mode: shared memory, one count of open connections per worker
        self._index = 0
        self._parent: int | None = None

    @staticmethod
    def mark_starting(board, index: int) -> None:
        """A worker not answering yet counts as busier than any: nobody leaves it a connection."""
        board[8 * index:8 * index + 8] = (1 << 62).to_bytes(8, "little", signed=True)

    def become_worker(self, board, index: int, parent: int) -> None:
        """From now on this process answers as worker `index` (its count on the board: it answers)."""
        self._board, self._index, self._parent = board, index, parent
        self._count(0)

    def _count(self, delta: int) -> None:
        with self._lock:
            self._active += delta
            if self._board is not None:
                self._board[8 * self._index:8 * self._index + 8] = self._active.to_bytes(8, "little", signed=True)

    def _busier_than_another(self) -> bool:
        board, mine = self._board, self._active
        if board is None:
            return False
        return any(int.from_bytes(board[i:i + 8], "little", signed=True) < mine
                   for i in range(0, len(board), 8) if i != 8 * self._index)

    def get_request(self):
        if self._board is not None:
            deadline = time.monotonic() + self.WORKER_YIELD
            while self._busier_than_another() and time.monotonic() < deadline:
                if not select.select([self.socket], [], [], 0.002)[0]:
                    break   # another worker took it: the accept below finds nothing and returns
        request, address = self.socket.accept()   # a worker that lost the race: BlockingIOError, ignored
        request.setblocking(True)                  # whatever the listening socket's mode passed on
        return request, address

    def service_actions(self) -> None:
        super().service_actions()
        if self._parent is not None and os.getppid() != self._parent:
            raise ParentGone

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse_busy(request)
            return
        self._count(+1)
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: give the slot back
            self._count(-1)
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self._count(-1)
            self._slots.release()  # before the client sees the connection end: its next one finds the slot free
            self.shutdown_request(request)

    def _refuse_busy(self, request: socket.socket) -> None:
        """503 written from the listening thread without waiting on the client (it must never block here)."""
        payload = json.dumps({"error_code": "SERVICE_UNAVAILABLE", "message": (
            f"The server is answering {self.max_connections} connections already; retry in a moment.")}).encode()
        head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode()
        try:
            request.setblocking(False)
            request.send(head + payload)   # a fresh connection's send buffer takes it whole
            request.shutdown(socket.SHUT_WR)
            _drain_ready(request)
        except OSError:
            pass
        finally:
            request.close()
        self._log("503: more than %d connections at once", self.max_connections)

    def shutdown_request(self, request) -> None:
        """Close a connection, reading first what the client already sent (closing with unread input sends
        a reset, and the client may then lose the answer still in its buffers)."""
        try:
            request.shutdown(socket.SHUT_WR)
            _drain_ready(request)
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request, client_address) -> None:
        """A connection that failed (reset, broken pipe): one line, never a traceback."""
        exc = sys.exc_info()[1]
        self._log("connection from %s failed: %s", client_address[0], f"{type(exc).__name__}: {exc}")

    def _log(self, format: str, *args) -> None:  # noqa: A002
        if not self.quiet:
            sys.stderr.write(f"[{time.strftime('%d/%b/%Y %H:%M:%S')}] {format % args}\n")


def _drain_ready(sock: socket.socket) -> None:
    """Read what has already arrived, without waiting (the socket is being closed: its mode no longer matters;
    a non-blocking socket rather than MSG_DONTWAIT, which Windows lacks)."""
    sock.setblocking(False)
    for _ in range(16):
        try:
            if not sock.recv(65536):
                return
        except (BlockingIOError, InterruptedError):
            return


def _linger(sock: socket.socket) -> None:
    """After an answer that ends the connection before its body was read (413, 400 on a bad length, 408):
    stop sending, then read until the client closes, LINGER_SECONDS or LINGER_BYTES, whichever comes first,
    so that the client (perhaps still sending its body) gets to read the answer."""
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        return
    deadline, read = time.monotonic() + LINGER_SECONDS, 0
    while read < LINGER_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError):
            return
        if not chunk:
            return
        read += len(chunk)


def make_handler(model, signature, *, quiet: bool, max_body: int = MAX_BODY_MB << 20,
                 header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT,
                 quick: QuickPath | None = None):
    """The request handler class; `quick` (a ready QuickPath) answers the one-row JSON requests it can."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "MLDeskBundle/1"
        # Each answer goes out in one write (_send), and Nagle's algorithm is off all the same: a keep-alive
        # client's delayed ACK must never hold an answer back (~40 ms) behind a previous partial packet.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            self.rfile.close()  # the socket file made by StreamRequestHandler; reads go through the deadline
            self._reader = DeadlineReader(self.connection, body_timeout)
            self.rfile = io.BufferedReader(self._reader)

        def handle_one_request(self) -> None:
            self._reader.deadline = time.monotonic() + header_timeout
            super().handle_one_request()

        def _send(self, status: int, payload: dict, close: bool = False) -> None:
            data = json.dumps(payload, allow_nan=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            if self.request_version == "HTTP/0.9":  # no headers then: the body alone, as end_headers would
                self.wfile.write(data)
                return
            # The end of the headers and the body: one send (send_header fills the standard library's buffer).
            self._headers_buffer.append(b"\r\n" + data)  # type: ignore[attr-defined]
            self.flush_headers()

        def _error(self, status: int, code: str, message: str, close: bool = False) -> None:
            self._send(status, {"error_code": code, "message": message}, close)
            if close:
                _linger(self.connection)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """The standard library's own refusals (a garbled request line, too many headers, an unknown
            method) as the same one-line JSON, and the connection closed: what follows cannot be trusted."""
            if self.request_version == "HTTP/0.9":  # a garbled line reads as HTTP/0.9, which has no headers
                self.request_version = "HTTP/1.1"
            try:
                text = message or HTTPStatus(code).phrase
            except ValueError:
                text = "Bad request"
            self._error(code, "BAD_REQUEST" if code < 500 else "NOT_IMPLEMENTED",
                        f"{text.rstrip('.')}; send POST /invocations or GET /ping over HTTP/1.1.", close=True)

        def do_GET(self) -> None:  # noqa: N802
            if self.headers.get("Content-Length", "0").strip() != "0" or "Transfer-Encoding" in self.headers:
                self.close_connection = True  # a body nobody reads would be taken for the next request
            if self.path.split("?")[0] in ("/ping", "/health"):
                self._send(200, {"status": "ok", "model": bundle.MODEL_LABEL})
            else:
                self._error(404, "NOT_FOUND", f"There is nothing at {self.path}; use GET /ping or POST /invocations.")

        def do_POST(self) -> None:  # noqa: N802
            if "Transfer-Encoding" in self.headers:
                self._error(411, "BAD_REQUEST", "Chunked bodies are not taken; send a Content-Length header.",
                            close=True)
                return
            length, status, message = body_length(self.headers.get_all("Content-Length") or [], max_body)
            if status is not None:  # the body's end is unknown or too far: answer, then close
                self._error(status, "BAD_REQUEST", message, close=True)
                return
            self._reader.deadline = time.monotonic() + body_timeout
            try:
                body = self.rfile.read(length)
            except TimeoutError:
                body = None
            if body is None or len(body) < length:
                self._error(408, "BAD_REQUEST", f"The body did not arrive within {body_timeout:g} s "
                            f"(Content-Length said {length:,} bytes).", close=True)
                return
            if self.path.split("?")[0] != "/invocations":  # read first: the connection stays usable
                self._error(404, "NOT_FOUND", f"There is nothing at {self.path}; POST to /invocations.")
                return
            try:
                payload = respond(model, signature, quick, self.headers.get("Content-Type", ""), body)
            except bundle.RowsRefused as exc:  # the sentences `mldesk predict` gives for these rows
                self._send(400, {"error_code": "BAD_REQUEST", "message": str(exc), "problems": exc.problems})
                return
            except (BadRequest, bundle.BundleError) as exc:
                self._error(400, "BAD_REQUEST", str(exc))
                return
            except (ValueError, TypeError, KeyError) as exc:  # values the model cannot take
                self._error(400, "BAD_REQUEST", f"The rows cannot be scored: {type(exc).__name__}: {exc}")
                return
            except Exception as exc:  # a bug: say so, keep serving
                self._error(500, "INTERNAL_ERROR", f"{type(exc).__name__}: {exc}")
                return
            self._send(200, payload)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            if not quiet:
                super().log_message(format, *args)

    return Handler


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text} is not above 0")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Serve {bundle.MODEL_LABEL} (an MLDesk bundle) over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--threads", type=int, default=None,
                        help="native (OpenMP, BLAS) threads per prediction; default 1, or OMP_NUM_THREADS if set")
    parser.add_argument("--max-body-mb", type=_positive(int), default=MAX_BODY_MB, metavar="MB",
                        help=f"largest request body taken, in MB; larger ones get 413 (default {MAX_BODY_MB})")
    parser.add_argument("--timeout", type=_positive(float), default=HEADER_TIMEOUT, metavar="SECONDS",
                        help="time a client has to send its request line and headers, and the longest a kept-alive "
                             f"connection waits for its next request (default {HEADER_TIMEOUT:g})")
    parser.add_argument("--body-timeout", type=_positive(float), default=BODY_TIMEOUT, metavar="SECONDS",
                        help=f"time a client has to send a whole request body; later gets 408 (default "
                             f"{BODY_TIMEOUT:g})")
    parser.add_argument("--max-connections", type=_positive(int), default=MAX_CONNECTIONS, metavar="N",
                        help=f"connections answered at once, one thread each; more get 503 (default "
                             f"{MAX_CONNECTIONS}; with --workers, per worker)")
    parser.add_argument("--workers", type=_positive(int), default=1, metavar="N",
                        help="processes answering requests, forked once the model is loaded and sharing the port, so "
                             "that several clients use several cores (default 1; Linux and macOS: Windows has no "
                             "fork, so one process answers there)")
    args = parser.parse_args(argv)
    workers = args.workers
    if workers > 1 and not hasattr(os, "fork"):
        print(f"note: --workers {workers} needs fork(), which this system ({sys.platform}) does not have; one process "
              "answers (start several serve.py on other ports behind a proxy to use more cores).", file=sys.stderr)
        workers = 1
    # Requests are answered on threads, a few rows each: one native thread per request beats several
    # competing (OpenMP threads spin while they wait). Set before numpy and scikit-learn load, so that
    # it holds in every request thread (a limit set at run time would hold in this thread only).
    threads = str(args.threads or os.environ.get("OMP_NUM_THREADS") or 1)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = threads
    try:
        model = bundle.load_model()
        signature = bundle.load_signature()
    except bundle.BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # whatever a damaged bundle raises: one sentence, not a traceback
        print(f"error: The model could not be loaded ({type(exc).__name__}: {bundle._short(exc)}); export it "
              "again.", file=sys.stderr)
        return 1

    def handler(first: bool = True):
        """The handler class, with the one-row path checked in this process (a worker: after the fork, so
        that the parent never runs the native libraries' threads before forking)."""
        quick = QuickPath(model, signature)
        if not quick.ready and first:
            print(f"note: one-row requests take the general way ({quick.reason}).", file=sys.stderr, flush=True)
        return make_handler(model, signature, quiet=args.quiet, max_body=args.max_body_mb << 20,
                            header_timeout=args.timeout, body_timeout=args.body_timeout,
                            quick=quick if quick.ready else None)

    try:
        server = BoundedServer((args.host, args.port), handler() if workers == 1 else BaseHTTPRequestHandler,
                               max_connections=args.max_connections, quiet=args.quiet)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); choose another --port.",
              file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    # Bound, the address is getsockname()'s, a text host; typeshed also allows bytes (what bind() takes).
    where = f"http://{host}:{port}"  # type: ignore[str-bytes-safe]
    many = f", {workers} workers" if workers > 1 else ""

    def announce() -> None:
        print(f"Serving {bundle.MODEL_LABEL} on {where} (POST /invocations, GET /ping{many})", flush=True)

    if workers > 1:
        return _run_workers(server, workers, handler, announce)
    announce()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _run_workers(server: BoundedServer, count: int, handler, announce) -> int:
    """Fork `count` workers on the listening socket and watch them; `announce()` once they all answer. A worker
    that dies is replaced, unless it died within RESTART_AFTER seconds of its start (then all stop, status 1);
    SIGTERM or Ctrl+C stops them all."""
    import mmap
    import signal

    board = mmap.mmap(-1, 8 * count)     # shared with the workers: each one's number of open connections
    server.socket.setblocking(False)
    children: dict[int, tuple[int, float]] = {}   # pid -> (worker number, start time)

    def start(index: int, ready: int | None) -> None:
        BoundedServer.mark_starting(board, index)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker: serve until stopped, never return into the parent's code
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                server.RequestHandlerClass = handler(first=index == 0)
                server.become_worker(board, index, parent=os.getppid())
                if ready is not None:
                    os.write(ready, b".")
                    os.close(ready)
                server.serve_forever()
                code = 0
            except (KeyboardInterrupt, ParentGone):
                code = 0
            except Exception as exc:
                print(f"error: worker {index + 1} stopped ({type(exc).__name__}: {bundle._short(exc)}).",
                      file=sys.stderr, flush=True)
            finally:
                os._exit(code)
        children[pid] = (index, time.monotonic())

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    status = 0
    signal.signal(signal.SIGTERM, stop)
    try:
        read_end, write_end = os.pipe()
        for index in range(count):
            start(index, write_end)
        os.close(write_end)
        answered = b""
        while len(answered) < count:   # each worker writes one byte once it answers (none if it dies first)
            chunk = os.read(read_end, count)
            if not chunk:
                break
            answered += chunk
        os.close(read_end)
        if len(answered) == count:
            announce()
        while children:
            pid, code = os.wait()
            if pid not in children:
                continue
            index, started = children.pop(pid)
            code = os.waitstatus_to_exitcode(code)
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            after = time.monotonic() - started
            if after < RESTART_AFTER:   # failing as it starts: starting it again would fail again
                print(f"error: worker {index + 1} (process {pid}) stopped ({how}) {after:.1f} s after its start; "
                      "serve.py stops.", file=sys.stderr, flush=True)
                status = 1
                break
            print(f"error: worker {index + 1} (process {pid}) stopped ({how}); starting another.", file=sys.stderr,
                  flush=True)
            start(index, None)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        server.server_close()
    return status


if __name__ == "__main__":
    sys.exit(main())
