"""serve.py's one-row path (QuickPath) and --workers: the same answers as the general way, to the last digit.

The one-row path is run in this process on the exported model (fast: no server), against
serve.answer on predict.frame_from_json's frame, which is what serve.py answered every request
with before the path existed. The workers are then run as a user would run them, and their
answers compared with the same general way, bad requests included.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import math
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from desktop_app.core.bundles.templates import predict, serve
from desktop_app.core.scoring.signature import InputSignature
from tests.core.bundle_helpers import MODEL, clean_env, csv_rows, export_heart

GRACE = 15.0   # how long a loaded machine may take before a server is deemed stuck

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    with export_heart(tmp_path_factory.mktemp("bundles")) as (project, result):
        pipeline = project.scoring.pipeline(MODEL)
        signature = InputSignature.from_dict(json.loads((result.path / "signature.json").read_text("utf-8")))
        yield pipeline, signature, result.path


def _records(n: int = 40) -> list[dict]:
    return json.loads(csv_rows(n).to_json(orient="records"))


def _forms(row: dict) -> list:
    """The one row in every JSON form frame_from_json takes."""
    split = {"columns": list(row), "data": [list(row.values())]}
    return [{"dataframe_split": split}, {"dataframe_records": [row]}, {"instances": [row]}, {"inputs": [row]},
            split, [row]]


def _general(pipeline, signature, document) -> str:
    return json.dumps(serve.answer(pipeline, signature, predict.frame_from_json(document)))


def _expected(pipeline, signature, body: bytes) -> tuple[int, str]:
    """(status, body) serve.py gave before the one-row path: the general way, errors as its handler words them."""
    try:
        return 200, json.dumps(serve.respond(pipeline, signature, None, "application/json", body))
    except predict.RowsRefused as exc:
        return 400, json.dumps({"error_code": "BAD_REQUEST", "message": str(exc), "problems": exc.problems})
    except (serve.BadRequest, predict.BundleError) as exc:
        return 400, json.dumps({"error_code": "BAD_REQUEST", "message": str(exc)})


def _edge_rows(signature) -> list[dict]:
    """Clean rows at the ends of the training ranges, numbers as JSON ints and floats, gaps where training had them."""
    base = _records(1)[0]
    rows = []
    for spec in signature.columns:
        if str(spec.kind) == "numeric":
            low, high = spec.minimum, spec.maximum
            for value in (low, high, int(high), low + (high - low) / 3):
                rows.append(base | {spec.name: value})
        elif spec.categories:
            rows += [base | {spec.name: category} for category in spec.categories]
        if spec.allows_missing:
            rows.append(base | {spec.name: None})
    return rows


def test_one_row_path_answers_as_the_general_way_to_the_last_digit(exported):
    pipeline, signature, _ = exported
    quick = serve.QuickPath(pipeline, signature)
    assert quick.ready, quick.reason
    rows = _records() + _edge_rows(signature)
    for i, row in enumerate(rows):
        for document in _forms(row) if i < 3 else _forms(row)[i % 2:][:1]:
            got = quick.answer(document)
            assert got is not None, document
            assert json.dumps(got) == _general(pipeline, signature, document), document


def test_rows_the_validation_speaks_of_and_other_requests_go_the_general_way(exported):
    pipeline, signature, _ = exported
    quick = serve.QuickPath(pipeline, signature)
    row = _records(1)[0]
    numeric = next(s for s in signature.columns if str(s.kind) == "numeric" and not s.allows_missing)
    category = next(s for s in signature.columns if s.categories)
    declined = [
        row | {numeric.name: numeric.maximum + 1},     # out of range: a warning to give
        row | {numeric.name: None},                    # a gap training never had: a warning
        row | {numeric.name: "42"},                    # text in a number column: what pandas makes of it
        row | {numeric.name: True},
        row | {numeric.name: float("nan")},
        row | {numeric.name: 2 ** 60},                 # beyond a float64's exact integers
        row | {category.name: "never seen"},           # an unseen category: a warning
        row | {category.name: 1},
        {k: v for k, v in row.items() if k != numeric.name},  # a missing column: an error
    ]
    for bad in declined:
        for document in _forms(bad)[:2]:
            assert quick.answer(document) is None, bad
    two = {"dataframe_split": {"columns": list(row), "data": [list(row.values())] * 2}}
    twice = {"dataframe_split": {"columns": [*row, numeric.name], "data": [[*row.values(), 50]]}}
    for document in (two, twice, {"dataframe_split": {"columns": list(row), "data": []}}, {"rows": [row]}, 5):
        assert quick.answer(document) is None


def test_a_path_that_would_answer_differently_is_turned_off_at_start(exported):
    pipeline, signature, _ = exported

    class OneUlpOff(serve.QuickPath):
        def _predict(self, X):
            out = super()._predict(X)
            first = out["probabilities"][0]
            name = next(iter(first))
            first[name] = math.nextafter(first[name], math.inf)
            return out

    quick = OneUlpOff(pipeline, signature)
    assert not quick.ready and "differs" in quick.reason
    with_recipe = dataclasses.replace(signature, recipe=({"op": "trim"},))
    off = serve.QuickPath(pipeline, with_recipe)
    assert not off.ready and "data fixes" in off.reason


# -- the server, with workers ----------------------------------------------------------------------


@contextlib.contextmanager
def _server(bundle, cwd, *flags):
    process = subprocess.Popen([sys.executable, str(bundle / "serve.py"), "--port", "0", "--quiet", *flags],
                               cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "on http://127.0.0.1:" in line, process.stderr.read()
        yield process, int(line.split("http://127.0.0.1:")[1].split()[0])
    finally:
        if process.poll() is None:
            process.terminate()
        _, stderr = process.communicate(timeout=GRACE)
    assert "Traceback" not in stderr, stderr


def _post(connection: http.client.HTTPConnection, body: bytes) -> tuple[int, str]:
    connection.request("POST", "/invocations", body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read().decode()


def _workers(process: subprocess.Popen, count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline:
        children = psutil.Process(process.pid).children()
        if len(children) == count:
            return children
        time.sleep(0.05)
    raise AssertionError(f"serve.py --workers {count} has {len(children)} worker processes")


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers forks; on Windows one process answers")
def test_two_workers_share_the_connections_answer_as_before_and_stop_with_the_parent(exported, tmp_path):
    pipeline, signature, bundle = exported
    row = _records(1)[0]
    good = [json.dumps(document).encode() for document in _forms(row)[:2]]
    bad = [b"{not json", json.dumps({"dataframe_records": [{"age": 50}]}).encode(),
           json.dumps({"dataframe_records": [row | {"age": "abc"}]}).encode()]
    warned = json.dumps({"dataframe_records": [row | {"gender": "Other"}]}).encode()
    with _server(bundle, tmp_path, "--workers", "2") as (process, port):
        workers = _workers(process, 2)
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=GRACE) for _ in range(4)]
        try:
            for connection in connections:   # one after another, each kept open: the less busy worker takes the next
                assert _post(connection, good[0])[0] == 200
            holders = {w.pid for w in workers for c in w.net_connections("tcp") if c.laddr.port == port
                       and c.status == psutil.CONN_ESTABLISHED}
            assert holders == {w.pid for w in workers}, holders
            for connection in connections:
                for body in [*good, *bad, warned]:
                    assert _post(connection, body) == _expected(pipeline, signature, body)
        finally:
            for connection in connections:
                connection.close()
        process.terminate()
        assert process.wait(timeout=GRACE) == 0
        assert _gone([w.pid for w in workers])
    with _server(bundle, tmp_path, "--workers", "2") as (process, port):   # the parent killed outright
        workers = _workers(process, 2)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=GRACE)
        assert _gone([w.pid for w in workers]), "the workers kept serving after their parent was killed"
