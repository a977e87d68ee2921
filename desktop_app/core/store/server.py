"""A database server (PostgreSQL, issue 13): how to connect, and its failures as one sentence.

A team database is reached over the network, so it fails in ways a local file does not: a
wrong host or port, a server that is down, a wrong password, a database that does not exist,
a connection lost in the middle of a unit of work. Each becomes a `ProjectError` naming the
database as people do (host:port/database): never the URL, which may carry a password.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from desktop_app.core.errors import ProjectError

CONNECT_TIMEOUT_S = 10


def engine_options(url: str) -> dict[str, Any]:
    """`create_engine` options for a server: a pooled connection the server dropped (restart, idle
    timeout) is noticed and replaced on checkout, not reported on the next unit of work; an
    unreachable host fails within seconds instead of the operating system's minutes."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if make_url(url).get_driver_name() == "psycopg":
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    return options


def where(url: str) -> str:
    """host:port/database — no user, no password — for messages and logs."""
    parsed = make_url(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.host or 'localhost'}{port}/{parsed.database or ''}"


# (words in the driver's message, why in the user's words); the first that matches wins.
_UNREACHABLE = (
    (("failed to resolve host", "could not translate host name", "name or service not known"), "unknown host"),
    (("connection refused",), "connection refused"),
    (("timeout expired", "timed out"), f"no answer within {CONNECT_TIMEOUT_S} s"),
    (("no route to host", "network is unreachable"), "no route to the host"),
)
_LOST = ("terminating connection", "server closed the connection", "connection is closed", "connection is lost",
         "connection already closed", "consuming input failed", "ssl syscall error", "eof detected")
_AUTH = ("password authentication failed", "no password supplied", "authentication failed")


def problem(url: str, exc: sa_exc.DBAPIError) -> ProjectError | None:
    """The user's sentence for a server failure of the database at `url`, if `exc` is one."""
    if not isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return None  # a statement's own error (a constraint, a missing table) is not the server's
    message = str(exc.orig).lower()
    at = where(url)
    parsed = make_url(url)
    if 'database "' in message and "does not exist" in message:
        return ProjectError(f"There is no database '{parsed.database}' on the server {at.rsplit('/', 1)[0]}; "
                            "check the database name in the URL, or ask the server's administrator to create it.")
    if any(words in message for words in _AUTH) or ('role "' in message and "does not exist" in message):
        return ProjectError(f"The team database at {at} refused the user '{parsed.username or ''}' (wrong password "
                            "or unknown user); check the user in the URL and the password in your PostgreSQL "
                            "password file (~/.pgpass, or PGPASSFILE) or PGPASSWORD, then try again.")
    for words, why in _UNREACHABLE:
        if any(word in message for word in words):
            return ProjectError(f"The team database at {at} cannot be reached ({why}); nothing was saved — check "
                                "the server is running and the URL, then try again.")
    if any(word in message for word in _LOST) or getattr(exc, "connection_invalidated", False):
        return ProjectError(f"The connection to the team database at {at} was lost (the server closed it); "
                            "nothing of this change was saved — check the server is running, then try again.")
    return None
