"""Who and where: recorded on every change for the audit trail."""

from __future__ import annotations

import getpass
import os
import socket
from functools import cache


@cache
def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


@cache
def current_host() -> str:
    return socket.gethostname() or "unknown"
