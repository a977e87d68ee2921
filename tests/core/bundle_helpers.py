"""What the bundle tests share: one exported model, rows to score, and running predict.py and serve.py.

Each bundle test module exports its own bundle (a module-scoped fixture calling `export_heart`),
so that a module runs alone; the helpers here run the bundle's scripts the way a user would,
with no PYTHONPATH, from a folder outside the bundle.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import DEFAULT_MISSING_MARKERS
from desktop_app.core.tracking.entities import RunSpec
from tests.conftest import SAMPLE_CSV

MODEL = "heart-risk@1"


@contextlib.contextmanager
def export_heart(root: Path) -> Iterator[tuple]:
    """heart-risk@1 (logistic regression) registered and exported (verified) into `root`/out: (project, result)."""
    from desktop_app.core.project import Project

    with Project.create(root / "proj") as project:
        project.datasets.import_file(SAMPLE_CSV, name="heart")
        run = project.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", seed=3))
        project.registry.register(run.id, "heart-risk", alias="production")
        yield project, project.bundles.export("heart-risk@production", root / "out")


def csv_rows(n: int = 200) -> pd.DataFrame:
    """The first `n` rows of the sample data without the target, as a user's file would hold them."""
    return pd.read_csv(SAMPLE_CSV, na_values=list(DEFAULT_MISSING_MARKERS)).drop(columns=["heart_disease"]).head(n)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_predict(python: str, bundle: Path, *args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([python, str(bundle / "predict.py"), *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, timeout=300, **kwargs)


def expected(project, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The app's labels and probabilities for `frame`."""
    pipeline = project.scoring.pipeline(MODEL)
    return pipeline.predict(frame), pipeline.predict_proba(frame)


def assert_same(got: pd.DataFrame, labels: np.ndarray, proba: np.ndarray) -> None:
    assert list(got.columns[-3:]) == ["prediction", "proba_No", "proba_Yes"]
    assert list(got["prediction"]) == list(labels)
    np.testing.assert_allclose(got[["proba_No", "proba_Yes"]].to_numpy(), proba, rtol=0, atol=1e-9)


def app_messages(project, frame: pd.DataFrame, severity: str) -> list[str]:
    """The sentences `mldesk predict` (the app's validation) gives for `frame` at `severity`."""
    return [i.message for i in project.scoring.validate(MODEL, frame).of(severity)]


@contextlib.contextmanager
def serving(bundle: Path, cwd: Path, *flags: str, quiet: bool = True) -> Iterator[int]:
    """serve.py of `bundle` on 127.0.0.1 (a free port), with `flags`; yields the port.

    When the block ends without an error, the server's standard error must hold no traceback.
    """
    process = subprocess.Popen([sys.executable, str(bundle / "serve.py"), "--port", "0", *flags]
                               + (["--quiet"] if quiet else []), cwd=cwd, env=clean_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "on http://127.0.0.1:" in line, process.stderr.read()
        yield int(line.split("http://127.0.0.1:")[1].split()[0])
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr, stderr


def request(port: int, method: str, path: str, body: bytes | None = None,
            content_type: str = "application/json") -> tuple[int, dict]:
    """(status, JSON answer) of one request on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": content_type} if body else {})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()
