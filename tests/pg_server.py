"""A throw-away PostgreSQL server for the team-database tests, started by the test run itself.

The README's test command is all CI runs, so the suite starts its own server when the machine has
PostgreSQL's programs (`initdb`, `pg_ctl`: Debian's `postgresql` package) and no server was given in
MLDESK_TEST_POSTGRES_URL: a new cluster in a temporary folder, on a free loopback port, password
authentication (the password in a password file, as users keep theirs), stopped and removed at
the end. PostgreSQL refuses to run as root, so as root it runs as the `postgres` account.

By hand, for a shell or a benchmark:

    eval "$(.venv/bin/python -m tests.pg_server start)"   # exports MLDESK_TEST_POSTGRES_URL, PGPASSFILE
    .venv/bin/python -m tests.pg_server stop
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = Path(tempfile.gettempdir()) / "mldesk-test-postgres.state"


def binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl` (the newest Debian version first), or None."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name),
                         reverse=True):
        if (Path(folder) / "initdb").is_file():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    folder: Path
    bin: Path
    url: str
    passfile: Path

    @property
    def environment(self) -> dict[str, str]:
        return {"MLDESK_TEST_POSTGRES_URL": self.url, "PGPASSFILE": str(self.passfile)}

    def stop(self) -> None:
        _run(self.bin, "pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_server_account() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def _run(bin_folder: Path, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*_as_server_account(), str(bin_folder / program), *args], capture_output=True,
                          text=True, timeout=120)
    if check and done.returncode != 0:
        raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")
    return done


def start() -> Server:
    """A new server, ready for connections; raises RuntimeError when the machine cannot run one."""
    bin_folder = binaries()
    if bin_folder is None:
        raise RuntimeError("PostgreSQL's programs (initdb, pg_ctl) are not installed: "
                           "apt-get install postgresql, or set MLDESK_TEST_POSTGRES_URL")
    folder = Path(tempfile.mkdtemp(prefix="mldesk-pg-"))
    folder.chmod(0o755)
    password, port = secrets.token_hex(12), _free_port()
    pwfile = folder / "initdb-password"
    pwfile.write_text(password + "\n")
    if _as_server_account():
        shutil.chown(folder, "postgres")
        shutil.chown(pwfile, "postgres")
    pwfile.chmod(0o600)
    server = Server(folder, bin_folder, f"postgresql+psycopg://mldesk@127.0.0.1:{port}/postgres", folder / "pgpass")
    try:
        _run(bin_folder, "initdb", "-D", str(folder / "data"), "-U", "mldesk", f"--pwfile={pwfile}",
             "-A", "scram-sha-256")
        # fsync off: a test server's data is thrown away; many connections: concurrent workstations
        _run(bin_folder, "pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w", "-t", "60",
             "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
             "start")
    except BaseException:
        server.stop()
        raise
    server.passfile.write_text(f"127.0.0.1:{port}:*:mldesk:{password}\n")
    server.passfile.chmod(0o600)
    return server


def main(argv: list[str]) -> int:
    if argv[1:] == ["start"]:
        server = start()
        STATE_FILE.write_text(f"{server.folder}\n{server.bin}\n")
        for name, value in server.environment.items():
            print(f"export {name}={value}")
        return 0
    if argv[1:] == ["stop"] and STATE_FILE.exists():
        folder, bin_folder = STATE_FILE.read_text().split()
        Server(Path(folder), Path(bin_folder), "", Path()).stop()
        STATE_FILE.unlink()
        return 0
    print("usage: python -m tests.pg_server start|stop", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
