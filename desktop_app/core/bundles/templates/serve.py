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
                        for a classifier, "probabilities": [{"<class>": p, ...}, ...] per row, and
                        "warnings": [...] when the rows hold categories or numbers training never saw
    A bad request gets 400 with {"error_code": "BAD_REQUEST", "message": "..."}: rows that break
    the model's signature (a missing column, text in a number column) are refused with the
    sentences `mldesk predict` prints, by the same validation code (vendored in code/), all of
    them in "problems": [...].

The model is loaded once, at start, by predict.py's `load_model` (hash check against
SHA256SUMS and the export's allow-list); requests are answered on threads, HTTP/1.1
keep-alive. It listens on 127.0.0.1 unless told otherwise.

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


class BoundedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with at most `max_connections` handler threads; a connection beyond gets 503."""

    daemon_threads = True
    block_on_close = False      # Ctrl+C stops at once, not after the slowest client's timeout
    request_queue_size = 128

    def __init__(self, address, handler, *, max_connections: int, quiet: bool) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)
        self.max_connections = max_connections
        self.quiet = quiet

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse_busy(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: give the slot back
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
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
    """Read what has already arrived, without waiting."""
    for _ in range(16):
        try:
            if not sock.recv(65536, socket.MSG_DONTWAIT):
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
                 header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "MLDeskBundle/1"
        # Headers and body go out in two writes: with Nagle's algorithm on, a keep-alive client's
        # delayed ACK would hold every answer back ~40 ms.
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
            self.end_headers()
            self.wfile.write(data)

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
                frame = parse_request(self.headers.get("Content-Type", ""), body)
                payload = answer(model, signature, frame)
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
                             f"{MAX_CONNECTIONS})")
    args = parser.parse_args(argv)
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
    handler = make_handler(model, signature, quiet=args.quiet, max_body=args.max_body_mb << 20,
                           header_timeout=args.timeout, body_timeout=args.body_timeout)
    try:
        server = BoundedServer((args.host, args.port), handler, max_connections=args.max_connections,
                               quiet=args.quiet)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); choose another --port.",
              file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    # Bound, the address is getsockname()'s, a text host; typeshed also allows bytes (what bind() takes).
    where = f"http://{host}:{port}"  # type: ignore[str-bytes-safe]
    print(f"Serving {bundle.MODEL_LABEL} on {where} (POST /invocations, GET /ping)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
