"""`mldesk doctor`, `mldesk audit verify`, and the note any command prints after clearing a crash's leftovers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from desktop_app.core.identity import current_host
from desktop_app.core.owners import host_tag
from tests.cli.helpers import mldesk


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _leave_a_staging_file(project) -> None:
    (project / "objects" / "tmp" / f"stage-{host_tag(current_host())}.{_dead_pid()}.1.beef.parquet").write_bytes(
        b"half a snapshot")


def test_a_command_says_on_stderr_what_it_cleared_and_keeps_stdout_clean(heart_proj):
    _leave_a_staging_file(heart_proj)
    done = mldesk("datasets", heart_proj, "--json")
    assert [d["name"] for d in json.loads(done.stdout)["datasets"]] == ["heart"]
    assert done.stderr.startswith("mldesk: note: Removed 1 unfinished stored file")
    assert mldesk("datasets", heart_proj).stderr == ""  # cleared once


def test_doctor_repairs_then_reports_a_sound_project(heart_proj):
    _leave_a_staging_file(heart_proj)
    report = json.loads(mldesk("doctor", heart_proj, "--json").stdout)
    assert report["healthy"] and len(report["repaired"]) == 1
    assert any("audit trail is intact" in line for line in report["checked"])
    assert "The project is sound." in mldesk("doctor", heart_proj).stdout


def test_doctor_and_audit_verify_exit_3_on_an_altered_trail(heart_proj):
    con = sqlite3.connect(heart_proj / "mldesk.db")
    con.execute("UPDATE audit_events SET reason = 'nobody did this' WHERE action = 'dataset.import'")
    con.commit()
    con.close()
    verify = mldesk("audit", "verify", heart_proj, check_code=3)
    assert verify.stdout.startswith("The audit trail has been altered") and "dataset.import" in verify.stdout
    report = json.loads(mldesk("audit", "verify", heart_proj, "--json", check_code=3).stdout)
    assert not report["intact"] and report["breaks"][0]["action"] == "dataset.import"
    doctor = json.loads(mldesk("doctor", heart_proj, "--json", check_code=3).stdout)
    assert any("altered" in p for p in doctor["problems"])


def test_audit_verify_prints_the_chain_head(heart_proj):
    report = json.loads(mldesk("audit", "verify", heart_proj, "--json").stdout)
    assert report["intact"] and report["events"] == 3
    (head,) = report["heads"]
    assert head["seq"] == 3 and len(head["hash"]) == 64
    assert head["hash"] in mldesk("audit", "verify", heart_proj).stdout


def test_doctor_without_a_project_checks_the_installation():
    done = mldesk("doctor")
    assert "ok:       All 16 libraries MLDesk needs are installed and load." in done.stdout
    assert "sample table are in place" in done.stdout and "The user guide is in place" in done.stdout
    assert done.stdout.rstrip().endswith("The installation is sound.")
    report = json.loads(mldesk("doctor", "--json").stdout)
    assert report["healthy"] and report["installation"]["problems"] == []
    assert report["installation"]["window"]   # a sentence either way; no display is no fault of the CLI


def test_version_names_python_and_every_library():
    from desktop_app import __version__
    from desktop_app.core.installation import DISTRIBUTIONS

    lines = mldesk("--version").stdout.splitlines()
    assert lines[0] == f"mldesk {__version__}"
    names = [line.split()[0] for line in lines[1:]]
    assert names[0] == "Python" and [d for d, _ in DISTRIBUTIONS] == names[1:len(DISTRIBUTIONS) + 1]
    assert not any(line.endswith("not installed") for line in lines[1:len(DISTRIBUTIONS) + 1])


def test_a_reader_that_goes_away_is_no_error(tmp_path):
    """`mldesk --version | head -1`: the pipe closes before mldesk writes; no message, no crash log."""
    env = dict(__import__("os").environ, MLDESK_LOG_DIR=str(tmp_path / "logs"))
    child = subprocess.Popen([sys.executable, "-m", "desktop_app.cli", "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    child.stdout.close()   # before the child has started: its first write finds no reader
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=60) == 1
    assert stderr == "" and not (tmp_path / "logs").exists()
