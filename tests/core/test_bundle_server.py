"""The bundle's serve.py against slow, lying and oversized clients, on 127.0.0.1 with raw sockets.

Each abuse is followed by a well-behaved client that must get /ping and a prediction. The
server runs with short limits (flags) so that what it gives up on, it gives up on quickly;
every wait below is bounded by those limits plus GRACE, which only a stuck server exceeds.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import time

import pytest

from tests.core.bundle_helpers import csv_rows, expected, export_heart, request, serving

TIMEOUT = 1.0            # --timeout: request line and headers
BODY_TIMEOUT = 1.5       # --body-timeout
MAX_BODY_MB = 128        # --max-body-mb: above the 100 MB the lying client announces
GRACE = 15.0             # beyond a limit, how long a loaded machine may take before the server is deemed stuck
FLAGS = ("--timeout", str(TIMEOUT), "--body-timeout", str(BODY_TIMEOUT), "--max-body-mb", str(MAX_BODY_MB))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    with export_heart(tmp_path_factory.mktemp("bundles")) as (project, result):
        yield project, result


@pytest.fixture(scope="module")
def port(exported, tmp_path_factory):
    """A server that logs (not --quiet), so that a traceback on its standard error would fail the module."""
    _, result = exported
    with serving(result.path, tmp_path_factory.mktemp("serve"), *FLAGS, quiet=False) as port:
        yield port


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=GRACE)


def _read_answer(sock: socket.socket, within: float = GRACE, stream=None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one HTTP answer read from `sock` (AssertionError if it closes first).

    Pass the same `stream` (`sock.makefile("rb")`) to read several answers that may arrive in one packet.
    """
    sock.settimeout(within)
    stream = stream or sock.makefile("rb")
    status_line = stream.readline()
    assert status_line, "the server closed the connection without an answer"
    headers = {k.lower(): v for k, v in http.client.parse_headers(stream).items()}
    body = stream.read(int(headers["content-length"]))
    return int(status_line.split()[1]), headers, body


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` within `seconds` (whatever it sends first is read and dropped)."""
    deadline = time.monotonic() + seconds
    for _ in range(10_000):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            return False
    return False


def _one_line_json(body: bytes) -> dict:
    assert b"\n" not in body.strip()
    return json.loads(body)


def _assert_healthy(project, port: int) -> None:
    """/ping and a valid prediction, each on a new connection."""
    assert request(port, "GET", "/ping")[0] == 200
    frame = csv_rows(3)
    status, answer = request(port, "POST", "/invocations",
                             json.dumps({"dataframe_split": json.loads(frame.to_json(orient="split",
                                                                                     index=False))}).encode())
    assert status == 200 and answer["predictions"] == list(expected(project, frame)[0]), answer


def _post_head(length: str, path: str = "/invocations") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


# -- lying and malformed lengths -----------------------------------------------------------------


def test_a_client_announcing_100_mb_and_sending_10_bytes_gets_408_and_is_dropped(exported, port):
    project, _ = exported
    with _connect(port) as liar:
        liar.sendall(_post_head(str(100 << 20)) + b'{"datafra')
        _assert_healthy(project, port)           # the liar holds one thread, not the server
        status, headers, body = _read_answer(liar, BODY_TIMEOUT + GRACE)
        assert status == 408 and headers["connection"] == "close"
        assert "did not arrive within 1.5 s" in _one_line_json(body)["message"]
        assert _closed_within(liar, GRACE)
    _assert_healthy(project, port)


@pytest.mark.parametrize("length, status, words", [
    ("-1", 400, "is negative"),
    ("abc", 400, "is not a number"),
    ("+5", 400, "is not a number"),
    ("1_000", 400, "is not a number"),
    ("10" * 30, 413, "larger than this server takes (128 MB)"),
    (str((MAX_BODY_MB << 20) + 1), 413, "--max-body-mb"),
])
def test_negative_malformed_and_oversized_lengths_are_refused_in_one_line(exported, port, length, status, words):
    project, _ = exported
    with _connect(port) as client:
        client.sendall(_post_head(length) + b"{}")
        got, headers, body = _read_answer(client)
        assert got == status and headers["connection"] == "close"
        answer = _one_line_json(body)
        assert answer["error_code"] == "BAD_REQUEST" and words in answer["message"]
        assert _closed_within(client, GRACE)
    _assert_healthy(project, port)


def test_a_client_still_sending_an_oversized_body_reads_its_413(exported, port):
    """The server answers before reading the body, then drains what keeps coming so its answer is not reset away."""
    project, _ = exported
    with _connect(port) as client:
        client.sendall(_post_head(str(200 << 20)))
        client.setblocking(False)
        sent = 0
        for _ in range(64):                      # up to 4 MB, as long as the server takes it
            try:
                sent += client.send(b"x" * 65536)
            except BlockingIOError:
                break
        status, _, body = _read_answer(client)
        assert status == 413 and "larger than this server takes" in _one_line_json(body)["message"] and sent
    _assert_healthy(project, port)


def test_a_chunked_body_is_refused_with_411(exported, port):
    project, _ = exported
    with _connect(port) as client:
        client.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"5\r\nhello\r\n0\r\n\r\n")
        status, headers, body = _read_answer(client)
        assert status == 411 and "Content-Length" in _one_line_json(body)["message"]
        assert _closed_within(client, GRACE)
    _assert_healthy(project, port)


@pytest.mark.parametrize("raw, status, words", [
    (b"HELLO\r\n\r\n", 400, "Bad request syntax"),
    (b"DELETE /ping HTTP/1.1\r\nHost: x\r\n\r\n", 501, "Unsupported method ('DELETE')"),
    (b"GET /ping HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", 431, "Too many headers"),
], ids=["garbled", "unknown-method", "too-many-headers"])
def test_what_the_standard_library_refuses_is_answered_in_one_line_of_json(exported, port, raw, status, words):
    project, _ = exported
    with _connect(port) as client:
        client.sendall(raw)
        got, headers, body = _read_answer(client)
        assert got == status and headers["content-type"] == "application/json"
        assert words in _one_line_json(body)["message"]
        assert _closed_within(client, GRACE)
    _assert_healthy(project, port)


# -- slow clients --------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [b"", b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"],
                         ids=["nothing", "half-headers"])
def test_a_silent_client_is_dropped_after_the_header_timeout(exported, port, sent):
    project, _ = exported
    with _connect(port) as client:
        client.sendall(sent)
        _assert_healthy(project, port)
        assert _closed_within(client, TIMEOUT + GRACE)
    _assert_healthy(project, port)


def test_a_client_dripping_its_headers_is_dropped_at_the_deadline_not_reset_by_each_byte(exported, port):
    """One byte every 0.2 s: each wait is short, but the headers' total time is bounded."""
    project, _ = exported
    drip = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 10_000
    started = time.monotonic()
    with _connect(port) as client:
        closed = False
        for byte in drip[: int((TIMEOUT + GRACE) / 0.2)]:
            readable, _, _ = select.select([client], [], [], 0.2)   # paces the drip; wakes when the server acts
            if readable:
                closed = client.recv(65536) == b""
                break
            try:
                client.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed, "the server kept reading a request that took longer than its header timeout"
    assert time.monotonic() - started >= TIMEOUT
    _assert_healthy(project, port)


# -- keep-alive ----------------------------------------------------------------------------------


def test_keep_alive_holds_for_a_well_behaved_client(exported, port):
    project, _ = exported
    frame = csv_rows(5)
    good = json.dumps({"dataframe_records": json.loads(frame.to_json(orient="records"))}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=GRACE)
    try:
        connection.connect()
        first = connection.sock
        for method, path, body, status in [("GET", "/ping", None, 200), ("POST", "/invocations", good, 200),
                                           ("POST", "/invocations", b"{oops", 400), ("POST", "/elsewhere", good, 404),
                                           ("POST", "/invocations", good, 200)]:
            connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read())
            assert response.status == status and not response.will_close, answer
            assert connection.sock is first                  # the same connection all along
        assert answer["predictions"] == list(expected(project, frame)[0])
    finally:
        connection.close()
    with _connect(port) as client:                           # two requests in one write: both answered in order
        client.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        stream = client.makefile("rb")
        assert _read_answer(client, stream=stream)[0] == 200 and _read_answer(client, stream=stream)[0] == 404


# -- the thread bound ----------------------------------------------------------------------------


def test_connections_beyond_the_bound_get_503_and_the_idle_ones_are_dropped(exported, tmp_path):
    """3 connections at once; 3 idle clients take them all, the next get 503 at once, not a thread."""
    project, result = exported
    header_timeout = 5.0   # long enough that the idle clients surely still hold their threads when the others come
    with serving(result.path, tmp_path, "--max-connections", "3", "--timeout", str(header_timeout)) as port:
        idle = [_connect(port) for _ in range(3)]
        try:
            for _ in range(4):
                with _connect(port) as late:
                    late.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
                    status, headers, body = _read_answer(late)
                    assert status == 503 and headers["retry-after"] == "1" and headers["connection"] == "close"
                    assert "answering 3 connections already" in _one_line_json(body)["message"]
            assert all(_closed_within(sock, header_timeout + GRACE) for sock in idle)
        finally:
            for sock in idle:
                sock.close()
        _assert_healthy(project, port)
