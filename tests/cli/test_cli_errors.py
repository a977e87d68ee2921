"""Every `mldesk` command, given bad arguments or a damaged project, answers with one sentence.

A table of cases, each run as a subprocess the way a script runs `mldesk`: every command
against a missing project, a file or a plain folder in the project's place, unknown
datasets, runs and models, out-of-range numbers for each numeric flag, files that are
folders, and projects damaged on purpose (a garbage, truncated or page-damaged mldesk.db,
a missing or tampered object, `objects/` replaced by a file). Each must end with:

- the right exit code: 2 for a mistake in the command line, 1 for bad input;
- nothing on stdout;
- one line on stderr, starting "mldesk", ending with punctuation, with no traceback;
- a sentence of its own (a fragment of it is named per case), never the catch-all
  "unexpected error" that `main()` keeps for bugs.

One healthy project (the sample imported, a run, a registered model) is built once for the
module and copied for each kind of damage; the cases run two at a time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.ui.system_check import NO_DISPLAY
from tests.cli.helpers import SAMPLE

USAGE, BAD = 2, 1
# The module's setup runs every case (about 200 processes, two at a time): minutes on a loaded machine.
pytestmark = pytest.mark.timeout(1200)


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]      # `{name}` placeholders are filled from the `world` fixture
    code: int
    fragment: str              # a piece of the expected sentence


def case(id: str, args: str | tuple[str, ...], code: int, fragment: str) -> Case:
    return Case(id, tuple(args.split()) if isinstance(args, str) else args, code, fragment)


# A minimal valid call of each command that takes a project, with {p} for the project.
MINIMAL = {
    "import": "import {p} {csv}",
    "datasets": "datasets {p}",
    "check": "check {p} heart",
    "fix": "fix {p} heart --apply duplicate_rows",
    "train": "train {p} heart --target heart_disease --model logistic_regression",
    "runs": "runs {p}",
    "compare": "compare {p} {run} {run}",
    "register": "register {p} {run} --name hr",
    "models": "models {p}",
    "export": "export {p} hr {out}/bundle",
    "predict": "predict {p} hr {csv}",
    "drift": "drift {p} hr {csv}",
    "explain": "explain {p} hr {csv}",
    "dossier": "dossier {p} hr {out}/dossier.html",
    "pipeline": "pipeline runs {p} monthly",
    "doctor": "doctor {p}",
    "audit": "audit verify {p}",
    "sync": "sync {p} --status",
    "upgrade": "upgrade {p}",
    # an unreachable server: the project is refused before the URL is tried
    "push-to-db": "push-to-db {p} postgresql+psycopg://mldesk@127.0.0.1:1/x",
}

NO_PROJECT = [
    # where the project should be: nothing, a file, a folder that is not a project
    *(case(f"{name}-missing-project", call.replace("{p}", "{nowhere}"), BAD, "There is no folder")
      for name, call in MINIMAL.items()),
    *(case(f"{name}-file-as-project", call.replace("{p}", "{csv}"), BAD,
           "heart.csv is a file, not a project folder") for name, call in MINIMAL.items()),
    *(case(f"{name}-plain-folder", call.replace("{p}", "{plain}"), BAD, "is not an MLDesk project")
      for name, call in MINIMAL.items()),
    case("init-into-a-file", "init {csv}", BAD, "is a file"),
    case("init-existing-project", "init {healthy}", BAD, "already holds an MLDesk project"),
    case("init-empty-name", ("init", "{out}/new", "--name", ""), USAGE, "the name must not be empty"),
    case("gui-without-display", "gui {healthy}", BAD, NO_DISPLAY),
    case("no-command-without-display", "", BAD, NO_DISPLAY),
]

UNKNOWN_THINGS = [
    case("check-unknown-dataset", "check {healthy} nosuch", BAD, "There is no dataset 'nosuch'"),
    case("check-unknown-version", "check {healthy} heart@99", BAD, "has no version 99"),
    case("check-bad-version", "check {healthy} heart@x", BAD, "is not a version number"),
    case("check-unknown-target", "check {healthy} heart --target nosuch", BAD, "'nosuch'"),
    case("fix-unknown-finding", "fix {healthy} heart --apply nosuch", BAD, "no fixable finding 'nosuch'"),
    case("train-unknown-dataset", "train {healthy} nosuch --target heart_disease --model logistic_regression",
         BAD, "There is no dataset 'nosuch'"),
    case("train-unknown-target", "train {healthy} heart --target nosuch --model logistic_regression",
         BAD, "no column 'nosuch'"),
    case("train-unknown-model", "train {healthy} heart --target heart_disease --model magic_forest",
         BAD, "'magic_forest'"),
    case("train-unknown-param", "train {healthy} heart --target heart_disease --model logistic_regression "
         "--param depth=3", BAD, "has no parameter 'depth'"),
    case("train-unknown-time-column", "train {healthy} heart --target heart_disease --model logistic_regression "
         "--time-column nosuch", BAD, "'nosuch'"),
    case("train-unknown-positive-class", "train {healthy} heart --target heart_disease --model logistic_regression "
         "--positive nosuch", BAD, "'nosuch' is not a value of the target"),
    case("runs-unknown-experiment", "runs {healthy} --experiment nosuch", BAD, "There is no experiment 'nosuch'"),
    case("runs-unknown-sort-metric", "runs {healthy} --sort nosuch", USAGE, "--sort nosuch: no such metric"),
    case("compare-unknown-run", "compare {healthy} abcdef0123 {run}", BAD, "There is no run 'abcdef0123'"),
    case("compare-short-prefix", "compare {healthy} abc {run}", BAD, "at least 6 characters"),
    case("register-unknown-run", "register {healthy} abcdef0123 --name hr", BAD, "There is no run 'abcdef0123'"),
    case("register-empty-name", ("register", "{healthy}", "{run}", "--name", ""), BAD, "model name is empty"),
    case("register-bad-name", ("register", "{healthy}", "{run}", "--name", "a/b"), BAD, "characters"),
    case("register-bad-rule", "register {healthy} {run} --name hr2 --require recall", BAD, "is not a KPI rule"),
    case("register-failing-rule", "register {healthy} {run} --name hr2 --require recall>=0.99", BAD, "recall"),
    case("models-unknown-model", "models {healthy} nosuch", BAD, "There is no model 'nosuch'"),
    case("models-unknown-version", "models {healthy} hr --archive 99", BAD, "has no version 99"),
    case("models-bad-alias", "models {healthy} hr --alias staging=x", USAGE, "is not a version number"),
    case("models-bad-gate", "models {healthy} hr --gate recall>>1", BAD, "is not a KPI rule"),
    case("models-change-without-model", "models {healthy} --archive 1", USAGE, "name the MODEL"),
    case("export-unknown-model", "export {healthy} nosuch {out}/b", BAD, "There is no model 'nosuch'"),
    case("export-into-a-file", "export {healthy} hr {csv}", BAD, "is a file"),
    case("predict-unknown-model", "predict {healthy} nosuch {csv}", BAD, "There is no model 'nosuch'"),
    case("predict-unknown-version", "predict {healthy} hr@7 {csv}", BAD, "7"),
    case("drift-unknown-model", "drift {healthy} nosuch {csv}", BAD, "There is no model 'nosuch'"),
    case("explain-unknown-model", "explain {healthy} nosuch {csv}", BAD, "There is no model 'nosuch'"),
    case("dossier-unknown-model", "dossier {healthy} nosuch {out}/d.html", BAD, "There is no model 'nosuch'"),
    case("pipeline-unknown", "pipeline run {healthy} nosuch", BAD, "There is no pipeline 'nosuch'"),
    case("pipeline-save-from-unknown-model", "pipeline save {healthy} m --from nosuch@1", BAD,
         "There is no model 'nosuch'"),
    case("pipeline-without-action", "pipeline", USAGE, "name what to do"),
    case("sync-never-linked", "sync {healthy}", BAD, "not linked to a shared folder yet"),
    case("sync-status-with-folder", "sync {healthy} {folder} --status", USAGE, "give no FOLDER with it"),
    case("clone-from-a-plain-folder", "clone {plain} {out}/clone", BAD, "is not an MLDesk shared folder"),
    case("clone-from-nowhere", "clone {nowhere} {out}/clone", BAD, "is not an MLDesk shared folder"),
    case("push-to-db-unreachable-server", MINIMAL["push-to-db"].replace("{p}", "{healthy}"), BAD,
         "cannot be reached (connection refused)"),
    case("push-to-db-password-in-url", "push-to-db {healthy} postgresql+psycopg://ana:s3cret@127.0.0.1:1/x", BAD,
         "holds a password"),
    case("push-to-db-not-a-server", "push-to-db {healthy} sqlite:///{out}/x.db", BAD, "is not one"),
    case("push-to-db-without-url", "push-to-db {healthy}", USAGE, "the following arguments are required: URL"),
]

BAD_FILES = [
    case("import-missing-file", "import {healthy} {missing_csv}", BAD, "no file"),
    case("import-folder-as-file", "import {healthy} {folder}", BAD, "folder"),
    case("import-empty-file", "import {healthy} {empty_csv}", BAD, "empty"),
    case("predict-missing-file", "predict {healthy} hr {missing_csv}", BAD, "There is no file"),
    case("predict-folder-as-file", "predict {healthy} hr {folder}", BAD, "is a folder"),
    case("predict-empty-file", "predict {healthy} hr {empty_csv}", BAD, "empty"),
    case("predict-out-is-a-folder", "predict {healthy} hr {csv} --out {folder}", BAD, "is a folder"),
    case("predict-out-in-no-folder", "predict {healthy} hr {csv} --out {nowhere}/p.csv", BAD, "no folder"),
    case("predict-json-without-out", "predict {healthy} hr {csv} --json", USAGE, "give --out FILE"),
    case("drift-missing-file", "drift {healthy} hr {missing_csv}", BAD, "There is no file"),
    case("drift-folder-as-file", "drift {healthy} hr {folder}", BAD, "is a folder"),
    case("drift-html-in-no-folder", "drift {healthy} hr {csv} --html {nowhere}/d.html", BAD, "There is no folder"),
    case("drift-html-is-a-folder", "drift {healthy} hr {csv} --html {folder}", BAD, "is a folder"),
    case("check-html-in-no-folder", "check {healthy} heart --html {nowhere}/r.html", BAD, "There is no folder"),
    case("check-html-is-a-folder", "check {healthy} heart --html {folder}", BAD, "is a folder"),
    case("sync-through-a-file", "sync {healthy} {csv}", BAD, "is a file; choose a folder"),
    case("sync-into-a-folder-of-other-files", "sync {healthy} {plain_with_files}", BAD, "already holds other files"),
    case("sync-under-no-folder", "sync {healthy} {nowhere}/shared", BAD, "There is no folder"),
    # root reads any file, so an unreadable one can only be made for other users
    *([case("predict-unreadable-file", "predict {healthy} hr {unreadable}", BAD, "cannot be read"),
       case("drift-unreadable-file", "drift {healthy} hr {unreadable}", BAD, "cannot be read")]
      if hasattr(os, "geteuid") and os.geteuid() != 0 else []),
]

TRAIN = "train {healthy} heart --target heart_disease --model logistic_regression"
BAD_NUMBERS = [
    case("train-negative-C", f"{TRAIN} --param C=-5", BAD, "Parameter C of logistic_regression"),
    case("train-text-C", f"{TRAIN} --param C=abc", BAD, "Parameter C"),
    case("train-zero-trees", "train {healthy} heart --target heart_disease --model random_forest "
         "--param n_estimators=0", BAD, "n_estimators"),
    case("train-more-neighbours-than-rows", "train {healthy} heart --target heart_disease --model k_neighbors "
         "--param n_neighbors=10000", BAD, "n_neighbors is 10,000 but this fit has only"),
    case("train-param-without-value", f"{TRAIN} --param C", USAGE, "--param takes"),
    case("train-test-size-above-1", f"{TRAIN} --test-size 1.5", USAGE, "--test-size"),
    case("train-test-size-0", f"{TRAIN} --test-size 0", USAGE, "--test-size"),
    case("train-test-size-text", f"{TRAIN} --test-size lots", USAGE, "'lots' is not a number"),
    case("train-cv-1", f"{TRAIN} --cv 1", USAGE, "--cv: the number of folds must be at least 2"),
    case("train-cv-negative", f"{TRAIN} --cv -3", USAGE, "--cv"),
    case("train-trials-0", f"{TRAIN} --search random --trials 0", USAGE, "--trials"),
    case("train-time-budget-negative", f"{TRAIN} --search random --time-budget -1", USAGE, "--time-budget"),
    case("train-time-budget-nan", f"{TRAIN} --search random --time-budget nan", USAGE, "not a finite number"),
    case("train-seed-negative", f"{TRAIN} --seed -1", USAGE, "--seed"),
    case("train-seed-too-large", f"{TRAIN} --seed 99999999999", USAGE, "--seed"),
    case("train-empty-experiment", (*TRAIN.split(), "--experiment", " "), USAGE, "must not be empty"),
    case("train-empty-target", ("train", "{healthy}", "heart", "--target", "", "--model", "logistic_regression"),
         USAGE, "must not be empty"),
    case("train-class-weight-regression", "train {healthy} heart --target age --model ridge "
         "--class-weight balanced", BAD, "Class weights apply only to classification"),
    case("train-bad-task", f"{TRAIN} --task clustering", USAGE, "invalid choice"),
    case("check-threshold-out-of-range", "check {healthy} heart --threshold rare_share=5", BAD, "rare_share"),
    case("check-threshold-text", "check {healthy} heart --threshold rare_share=lots", USAGE, "is not a number"),
    case("check-threshold-unknown", "check {healthy} heart --threshold bogus=1", USAGE, "not a threshold"),
    case("models-negative-history", "models {healthy} hr --history -1", USAGE, "--history"),
    case("models-archive-text", "models {healthy} hr --archive one", USAGE, "--archive"),
    case("drift-empty-name", ("drift", "{healthy}", "hr", "{csv}", "--name", ""), USAGE, "must not be empty"),
    case("drift-bad-fail-on", "drift {healthy} hr {csv} --fail-on everything", USAGE, "invalid choice"),
    case("import-empty-sep", ("import", "{healthy}", "{csv}", "--sep", ""), USAGE, "--sep"),
    case("import-two-char-sep", ("import", "{healthy}", "{csv}", "--sep", ",,"), USAGE, "--sep"),
    case("import-empty-decimal", ("import", "{healthy}", "{csv}", "--decimal", ""), USAGE, "--decimal"),
    case("audit-without-action", "audit", USAGE, "the following arguments are required: ACTION"),
    case("audit-unknown-action", "audit check {healthy}", USAGE, "invalid choice: 'check'"),
    case("unknown-command", "frobnicate {healthy}", USAGE, "invalid choice"),
    case("missing-arguments", "train", USAGE, "the following arguments are required"),
]

# Damaged projects. A database that is not one fails as the project opens, one path for every
# command: a few commands show it. A damaged page fails in whichever query reaches it, so every
# command that reads those tables is run (`doctor` is left out: reporting damage is its job, exit 3;
# `audit verify` reads only the audit table, which is left whole). Objects: every command that reads one.
OPENERS = ["datasets", "train", "predict", "export", "import", "audit"]
DATABASE_READERS = ["datasets", "runs", "models", "check", "train", "register", "compare", "predict", "drift",
                    "export", "fix", "import"]
OBJECT_READERS = ["check", "fix", "train", "predict", "drift", "export"]
DAMAGED = [
    *(case(f"{name}-garbage-db", MINIMAL[name].replace("{p}", "{db_garbage}"), BAD, "mldesk.db")
      for name in OPENERS),
    *(case(f"{name}-truncated-db", MINIMAL[name].replace("{p}", "{db_truncated}"), BAD, "mldesk.db")
      for name in OPENERS),
    *(case(f"{name}-damaged-db-page", MINIMAL[name].replace("{p}", "{db_page}"), BAD, "damaged")
      for name in DATABASE_READERS),
    *(case(f"{name}-missing-object", MINIMAL[name].replace("{p}", "{obj_missing}"), BAD, "is missing")
      for name in OBJECT_READERS),
    *(case(f"{name}-tampered-object", MINIMAL[name].replace("{p}", "{obj_tampered}"), BAD, "is damaged")
      for name in OBJECT_READERS),
    *(case(f"{name}-objects-is-a-file", MINIMAL[name].replace("{p}", "{obj_file}"), BAD, "objects folder")
      for name in ("datasets", "import", "train", "models", "doctor", "audit")),
]

CASES = NO_PROJECT + UNKNOWN_THINGS + BAD_FILES + BAD_NUMBERS + DAMAGED


def _environment() -> dict[str, str]:
    """The test's environment without a display, so that `gui` answers instead of opening a window."""
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def _mldesk(args, env=None, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env or _environment())


def _ok(*args) -> str:
    done = _mldesk(args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _checkpointed_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    with sqlite3.connect(target / "mldesk.db") as db:  # everything in the main file, so damage there counts
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for extra in ("mldesk.db-wal", "mldesk.db-shm"):
        (target / extra).unlink(missing_ok=True)
    return target


def _damage_table_pages(database: Path, tables=("datasets", "runs", "registered_models", "model_versions")) -> None:
    """Overwrite the first bytes of these tables' root pages: pages after the first, mid-file."""
    with sqlite3.connect(database) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        roots = dict(db.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").fetchall())
    db.close()
    with open(database, "r+b") as handle:
        for table in tables:
            assert roots[table] > 1
            handle.seek((roots[table] - 1) * page_size)
            handle.write(b"\xff" * 64)


def _object(project: Path, sha256: str) -> Path:
    return project / "objects" / sha256[:2] / sha256[2:]


@pytest.fixture(scope="module")
def world(tmp_path_factory, crash_logs):
    """The healthy project, its damaged copies and the paths the cases refer to."""
    import json

    root = tmp_path_factory.mktemp("cli-errors")
    healthy = root / "healthy"
    _ok("init", healthy)
    dataset = json.loads(_ok("import", healthy, SAMPLE, "--json"))
    run = json.loads(_ok("train", healthy, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                         "--json"))
    model = json.loads(_ok("register", healthy, run["run"][:8], "--name", "hr", "--alias", "production", "--json"))
    places = {"healthy": healthy, "run": run["run"][:8], "csv": SAMPLE, "nowhere": root / "nowhere",
              "plain": root / "plain", "folder": root / "a-folder", "missing_csv": root / "missing.csv",
              "empty_csv": root / "empty.csv", "out": root / "out"}
    for folder in ("plain", "folder", "out"):
        places[folder].mkdir()
    places["plain_with_files"] = root / "plain-with-files"
    places["plain_with_files"].mkdir()
    (places["plain_with_files"] / "notes.txt").write_text("someone else's file")
    places["empty_csv"].write_bytes(b"")
    places["unreadable"] = root / "unreadable.csv"
    shutil.copyfile(SAMPLE, places["unreadable"])
    places["unreadable"].chmod(0)

    garbage = _checkpointed_copy(healthy, root / "db-garbage")
    (garbage / "mldesk.db").write_bytes(os.urandom(64 * 1024))
    truncated = _checkpointed_copy(healthy, root / "db-truncated")
    with open(truncated / "mldesk.db", "r+b") as handle:
        handle.truncate(3000)
    page = _checkpointed_copy(healthy, root / "db-page")
    _damage_table_pages(page / "mldesk.db")

    snapshot, fitted = dataset["sha256"], model["model_sha256"]
    missing = _checkpointed_copy(healthy, root / "obj-missing")
    for sha in (snapshot, fitted):
        _object(missing, sha).unlink()
    tampered = _checkpointed_copy(healthy, root / "obj-tampered")
    for sha in (snapshot, fitted):
        path = _object(tampered, sha)
        path.chmod(0o644)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    objects_file = _checkpointed_copy(healthy, root / "obj-file")
    shutil.rmtree(objects_file / "objects")
    (objects_file / "objects").write_text("not a folder")

    places.update(db_garbage=garbage, db_truncated=truncated, db_page=page, obj_missing=missing,
                  obj_tampered=tampered, obj_file=objects_file)
    return places


@pytest.fixture(scope="module")
def outcomes(world):
    """Every case run once, two at a time (the machine has two cores)."""
    def run(c: Case):
        return c.id, _mldesk([a.format(**world) for a in c.args])

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, CASES))


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id) for c in CASES])
def test_one_sentence_and_the_right_exit_code(c: Case, outcomes, world):
    done = outcomes[c.id]
    err = done.stderr
    assert "Traceback" not in err, err
    assert done.returncode == c.code, err
    assert done.stdout == "", done.stdout
    assert err.count("\n") == 1 and err.endswith("\n"), err
    line = err.rstrip("\n")
    assert line.startswith("mldesk") and line[-1] in ".!?)…", line
    assert "unexpected error" not in line, line  # a sentence of its own, not the catch-all
    assert c.fragment.format(**world) in line, line


def test_the_table_covers_every_command():
    listed = _ok("--help")
    section = listed.split("COMMAND\n", 2)[-1].split("\n\n")[0]
    commands = {line.split()[0] for line in section.splitlines() if line[:4] == "    " and line[4:5].isalpha()}
    assert commands, listed
    covered = {c.args[0] for c in CASES if c.args}
    assert commands <= covered, f"add cases for {sorted(commands - covered)}"


def test_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


# -- the catch-all itself: a bug is one sentence naming a log file that holds the traceback ----------------

def test_a_bug_in_a_command_is_one_sentence_naming_its_log(monkeypatch, capsys, tmp_path):
    from desktop_app import cli
    from desktop_app.cli import data

    monkeypatch.setenv("MLDESK_LOG_DIR", str(tmp_path / "logs"))

    def broken(args):
        raise ValueError("no axis named 3 for object type DataFrame")

    monkeypatch.setattr(data, "cmd_datasets", broken)
    assert cli.main(["datasets", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    logs = list((tmp_path / "logs").glob("mldesk-*.log"))
    assert len(logs) == 1
    assert captured.err == (f"mldesk: unexpected error (ValueError: no axis named 3 for object type DataFrame); "
                            f"details were written to {logs[0]} — please include that file when reporting it.\n")
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken" in text and "mldesk datasets" in text


def test_a_bug_when_no_log_can_be_written_is_still_one_sentence(monkeypatch, capsys, tmp_path):
    from desktop_app import cli
    from desktop_app.cli import data

    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("MLDESK_LOG_DIR", str(blocker / "logs"))
    monkeypatch.setattr(data, "cmd_datasets", lambda args: {}["missing"])
    assert cli.main(["datasets", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mldesk: unexpected error (KeyError: 'missing'); its details could not be written")
    assert err.count("\n") == 1 and err.rstrip().endswith(".")


def test_a_failed_run_is_reported_on_stderr_and_kept_for_json_readers(world):
    import json

    done = _mldesk(["train", world["healthy"], "heart", "--target", "heart_disease", "--model",
                    "logistic_regression", "--positive", "nosuch", "--json"])
    assert done.returncode == 1
    assert done.stderr.startswith("mldesk: run ") and " failed: " in done.stderr and done.stderr.count("\n") == 1
    assert json.loads(done.stdout)["status"] == "failed"  # a script still learns the recorded run's id


def test_a_file_that_cannot_be_read_is_named(monkeypatch, tmp_path):
    # as root every file is readable, so the refusal is staged here; the table runs it for real as a user
    from desktop_app.cli import common
    from desktop_app.core.errors import MLDeskError

    data = tmp_path / "rows.csv"
    data.write_text("a\n1\n")

    def refuse(path, mode="r", *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(common, "open", refuse, raising=False)
    with pytest.raises(MLDeskError) as refused:
        common.input_file(str(data), "FILE")
    assert str(refused.value) == (f"FILE {data} cannot be read (permission denied); check its permissions or "
                                  "copy it somewhere you can read it.")


def test_a_run_that_fails_unexpectedly_names_the_log_of_its_traceback(world, monkeypatch, capsys, tmp_path):
    from desktop_app import cli
    from desktop_app.core.tracking.service import RunService

    def broken(self, run, progress):
        raise IndexError("index 12 is out of bounds for axis 1 with size 12")

    monkeypatch.setenv("MLDESK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(RunService, "_train", broken)
    code = cli.main(["train", str(world["healthy"]), "heart", "--target", "heart_disease", "--model",
                     "logistic_regression", "--experiment", "broken"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    logs = list((tmp_path / "logs").glob("mldesk-*.log"))
    assert len(logs) == 1 and "in broken" in logs[0].read_text(encoding="utf-8")
    assert captured.err.startswith("mldesk: run ") and captured.err.count("\n") == 1
    assert (f"failed: Training stopped with an unexpected error: IndexError: index 12 is out of bounds for axis 1 "
            f"with size 12; details were written to {logs[0]} — please include that file when reporting it.\n"
            ) in captured.err
