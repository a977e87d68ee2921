#!/usr/bin/env python3
"""Serve this bundle's model over HTTP, without MLDesk (standard library server).

    python serve.py [--host 127.0.0.1] [--port 8080]

    GET  /ping          200 when the model is loaded (also /health)
    POST /invocations   MLflow's request forms:
                          application/json  {"dataframe_split": {"columns": [...], "data": [[...], ...]}}
                                            {"dataframe_records": [{"column": value, ...}, ...]}
                                            ({"instances": [...]} and {"inputs": [...]} as records)
                          text/csv          a CSV table with a header line
                        answer: {"predictions": [label, ...]} as `mlflow models serve` gives it, plus,
                        for a classifier, "probabilities": [{"<class>": p, ...}, ...] per row
    A bad request gets 400 with {"error_code": "BAD_REQUEST", "message": "..."}.

The model is loaded once, at start, by predict.py's `load_model` (hash check against
SHA256SUMS and the export's allow-list); requests are answered on threads
(ThreadingHTTPServer, HTTP/1.1 keep-alive). It listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__:  # imported as MLDesk's template module (tests, the layering check)
    from . import predict as bundle
else:  # run from a bundle: its predict.py sits beside this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import predict as bundle

MAX_BODY_BYTES = 256 << 20


class BadRequest(Exception):
    pass


def _plain(value):
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def answer(model, frame) -> dict:
    predictions = bundle.predict_frame(model, frame)
    out = {"predictions": [_plain(v) for v in predictions["prediction"].tolist()]}
    proba = [c for c in predictions.columns if c.startswith("proba_")]
    if proba:
        names = [c[len("proba_"):] for c in proba]
        rows = predictions[proba].to_numpy().tolist()
        out["probabilities"] = [dict(zip(names, row)) for row in rows]
    return out


def parse_request(content_type: str, body: bytes):
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv"):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("The CSV body is not UTF-8 text.") from None
        return bundle.read_csv(io.StringIO(text))
    if kind != "application/json":
        raise BadRequest(f"Content type '{kind}' is not supported; send application/json or text/csv.")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The body is not valid JSON ({exc}).") from None
    return bundle.frame_from_json(document)


def make_handler(model, quiet: bool):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "MLDeskBundle/1"
        # Headers and body go out in two writes: with Nagle's algorithm on, a keep-alive client's
        # delayed ACK would hold every answer back ~40 ms.
        disable_nagle_algorithm = True

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, allow_nan=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: str, message: str) -> None:
            self._send(status, {"error_code": code, "message": message})

        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] in ("/ping", "/health"):
                self._send(200, {"status": "ok", "model": bundle.MODEL_LABEL})
            else:
                self._error(404, "NOT_FOUND", f"There is nothing at {self.path}; use GET /ping or POST /invocations.")

        def do_POST(self) -> None:  # noqa: N802
            if self.path.split("?")[0] != "/invocations":
                self._error(404, "NOT_FOUND", f"There is nothing at {self.path}; POST to /invocations.")
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                self._error(400, "BAD_REQUEST", "The Content-Length header is not a number.")
                return
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                self._error(413, "BAD_REQUEST", f"The body is larger than {MAX_BODY_BYTES >> 20} MB; send fewer rows.")
                return
            body = self.rfile.read(length)
            try:
                frame = parse_request(self.headers.get("Content-Type", ""), body)
                payload = answer(model, frame)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Serve {bundle.MODEL_LABEL} (an MLDesk bundle) over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--threads", type=int, default=None,
                        help="native (OpenMP, BLAS) threads per prediction; default 1, or OMP_NUM_THREADS if set")
    args = parser.parse_args(argv)
    # Requests are answered on threads, a few rows each: one native thread per request beats several
    # competing (OpenMP threads spin while they wait). Set before numpy and scikit-learn load, so that
    # it holds in every request thread (a limit set at run time would hold in this thread only).
    threads = str(args.threads or os.environ.get("OMP_NUM_THREADS") or 1)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = threads
    try:
        model = bundle.load_model()
    except bundle.BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        server = ThreadingHTTPServer((args.host, args.port), make_handler(model, args.quiet))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); choose another --port.",
              file=sys.stderr)
        return 1
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"Serving {bundle.MODEL_LABEL} on http://{host}:{port} (POST /invocations, GET /ping)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
