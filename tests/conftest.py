"""Shared fixtures. Qt tests set QT_QPA_PLATFORM themselves (tests/ui/conftest.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CSV = REPO / "resources" / "sample_data" / "heart.csv"


@pytest.fixture(autouse=True, scope="session")
def crash_logs(tmp_path_factory):
    """The folder unexpected errors log to (core.crash_log): the tests', not the user's (subprocesses inherit it)."""
    from desktop_app.core.crash_log import LOG_DIR_ENV

    folder = tmp_path_factory.mktemp("crash-logs")
    previous = os.environ.get(LOG_DIR_ENV)
    os.environ[LOG_DIR_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(LOG_DIR_ENV, None)
    else:
        os.environ[LOG_DIR_ENV] = previous


# -- the team database (PostgreSQL) ------------------------------------------------------------
# A server is used when MLDESK_TEST_POSTGRES_URL names one; otherwise the run starts its own
# (tests/pg_server.py) the first time a test asks for it. Without either, those tests are skipped
# with the reason — and fail under CI=true: a green CI run must have tried them.
SERVER_ENV = "MLDESK_TEST_POSTGRES_URL"

# The core suite runs on both backends: each test of these modules once on SQLite files and once
# with its projects in a fresh PostgreSQL database. MLDESK_TEST_BACKEND=postgresql puts every test
# on PostgreSQL (to explore). A test about the local SQLite file itself is marked `sqlite_only`.
BOTH_BACKENDS = ("tests/core/test_store.py", "tests/core/test_datasets.py", "tests/core/test_tracking.py",
                 "tests/core/test_registry.py", "tests/core/test_registry_edges.py", "tests/core/test_registry_gate.py",
                 "tests/core/monitor/")
BACKEND_ENV = "MLDESK_TEST_BACKEND"


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: a test of the local SQLite file (skipped on PostgreSQL)")


def pytest_generate_tests(metafunc):
    where = Path(metafunc.definition.path).relative_to(REPO).as_posix()
    if "module_backend" in metafunc.fixturenames and any(where.startswith(m) for m in BOTH_BACKENDS):
        # module scope: a module's shared project (built once by a module fixture) is built per backend
        metafunc.parametrize("module_backend", ["sqlite", "postgresql"], indirect=True, scope="module")


@pytest.fixture(scope="session")
def postgres_server():
    """(URL of the test server, or None, and why not)."""
    given = os.environ.get(SERVER_ENV, "").strip()
    if given:
        yield given, ""
        return
    from tests import pg_server as local

    try:
        server = local.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        yield None, f"no PostgreSQL server ({exc}); set {SERVER_ENV} or install PostgreSQL"
        return
    saved = {name: os.environ.get(name) for name in server.environment}
    os.environ.update(server.environment)  # `mldesk` subprocesses find the password file too
    yield server.url, ""
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def pg_server(postgres_server) -> str:
    """The test server's URL (its maintenance database), for tests that make their own databases."""
    url, why = postgres_server
    if url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    return url


@pytest.fixture
def pg_url(pg_server):
    """The URL of a new, empty database on the test server, dropped after the test."""
    from tests.pg import create_database, drop_database

    url = create_database(pg_server)
    yield url
    drop_database(url)


class Backend:
    """Where a module's projects keep their records: `new_url()` is None for SQLite files, else a
    fresh PostgreSQL database (one per project: a second project in one database would join the first)."""

    def __init__(self, name: str, server: str | None) -> None:
        self.name, self._server, self._made = name, server, []

    def new_url(self) -> str | None:
        if self._server is None:
            return None
        from tests.pg import create_database

        self._made.append(create_database(self._server))
        return self._made[-1]

    def drop(self) -> None:
        from tests.pg import drop_database

        for url in self._made:
            drop_database(url)


@pytest.fixture(scope="module")
def module_backend(request, postgres_server):
    """The backend of this module's tests (parametrised for BOTH_BACKENDS, else MLDESK_TEST_BACKEND)."""
    name = getattr(request, "param", None) or os.environ.get(BACKEND_ENV, "sqlite")
    if name != "postgresql":
        yield Backend("sqlite", None)
        return
    url, why = postgres_server
    if url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    backend = Backend("postgresql", url)
    yield backend
    backend.drop()


@pytest.fixture(autouse=True)
def database_backend(request, module_backend, monkeypatch):
    """The backend of this test's projects: SQLite files, or a fresh PostgreSQL database
    (MLDESK_DATABASE_URL, so every project the test creates lives there)."""
    if module_backend.name != "postgresql":
        yield "sqlite"
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("a test of the local SQLite file")
    monkeypatch.setenv("MLDESK_DATABASE_URL", request.getfixturevalue("pg_url"))
    yield "postgresql"


@pytest.fixture
def project(tmp_path):
    from desktop_app.core.project import Project

    with Project.create(tmp_path / "proj", name="Test project") as opened:
        yield opened


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV
