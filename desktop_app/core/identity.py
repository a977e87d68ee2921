"""Who and where: recorded on every change for the audit trail.

The user is the operating system's account of this process — the POSIX account of the
effective uid, or the Windows logon account — never an environment variable: `LOGNAME`,
`USER` and `USERNAME` can be set to anything by anyone (`LOGNAME=nobody mldesk …`), and
the audit trail must name who really acted.
"""

from __future__ import annotations

import os
import socket
import sys
from functools import cache


@cache
def current_user() -> str:
    if sys.platform == "win32":
        try:
            return os.getlogin()  # GetUserNameW: the account of this process's token
        except OSError:
            return "unknown"
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # an account with no passwd entry (some containers): its number is the truth
        return f"uid {uid}"


@cache
def current_host() -> str:
    return socket.gethostname() or "unknown"
