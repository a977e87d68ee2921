"""Smoke test of the standalone build: `python packaging/smoke.py dist/mldesk` exits 0 when every check passes.

The frozen executable runs with no Python on PATH (PATH is an empty folder; PYTHONPATH, PYTHONHOME and
VIRTUAL_ENV are unset) and HOME/XDG folders in a temporary folder, so nothing of the checkout, of the
virtual environment or of the user's settings can stand in for what the build lacks:

  --version       the versions of MLDesk and its libraries from the build's own metadata (median of 5 runs)
  doctor          the installation check: every library loads, the shipped files and the user guide are there
  init, import    a project, the sample table the build carries (its own copy in desktop_app/resources)
  check           the quality checks, report saved
  train           a random forest with 3-fold CV (scikit-learn, scipy, joblib threads), in the CLI's process
  register        the run as heart-risk v1, alias production
  export          the bundle (the frozen app skips running predict.py itself: no interpreter to run it)
  predict.py      the exported bundle scored outside MLDesk by a real Python that has the bundle's
                  requirements (this Python by default, its versions checked against requirements.txt;
                  --fresh-venv: a new virtual environment with `pip install -r requirements.txt`), its output
                  compared with `mldesk predict` of the frozen build: same labels, probabilities within 1e-9
  drift           a batch of new rows against heart-risk@production
  window          offscreen (QT_QPA_PLATFORM=offscreen): the welcome page and the sample's Data step grabbed to
                  PNG and checked not blank, the seconds from process start to the painted welcome page
                  (median of --window-runs new processes; --cold first evicts the build's files from the page
                  cache, so each start reads them from disk), the user guide found, and one training run through
                  the window's run queue in a spawned worker process (multiprocessing in a frozen executable:
                  freeze_support)
  desktop entry   Linux: install-desktop-entry.sh (with XDG_DATA_HOME in the work folder) writes an entry
                  whose Exec is this build's executable, and the icon

Prints one line per check and a summary; `--keep` leaves the work folder (project, bundle, PNGs) in place.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

TOLERANCE = 1e-9
TARGET = "heart_disease"
MODEL = "heart-risk"


@dataclass
class Smoke:
    build: Path
    work: Path
    env: dict[str, str]
    results: list[tuple[str, bool, str]] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def executable(self) -> Path:
        return self.build / ("mldesk.exe" if sys.platform == "win32" else "mldesk")

    def mldesk(self, *args: str, timeout: float = 600,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.executable), *args], cwd=self.work, env=env or self.env, capture_output=True,
                              text=True, timeout=timeout)

    def record(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, ok, detail))
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
        return ok

    def command(self, name: str, *args: str, expect: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess | None:
        started = time.perf_counter()
        done = self.mldesk(*args)
        seconds = time.perf_counter() - started
        if done.returncode not in expect:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            self.record(name, False, f"exit {done.returncode} ({seconds:.1f} s): {' | '.join(tail)}")
            return None
        self.record(name, True, f"{seconds:.1f} s")
        return done


def frozen_env(work: Path) -> dict[str, str]:
    """The environment of the frozen runs: no Python reachable, settings and logs inside `work`."""
    empty = work / "empty-path"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE")
           and not k.startswith(("QT_", "MLDESK_"))}
    home = work / "home"
    home.mkdir()
    env.update(PATH=str(empty), HOME=str(home), USERPROFILE=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local" / "state"), QT_QPA_PLATFORM="offscreen")
    if sys.platform == "win32":   # the system's DLLs, no Python
        system32 = os.path.join(os.environ.get("SystemRoot", r"C:\Windows"), "System32")
        env["PATH"] = os.pathsep.join([str(empty), system32])
    return env


def python_on_path(env: dict[str, str]) -> str | None:
    for name in ("python3", "python", "py"):
        found = shutil.which(name, path=env["PATH"])
        if found:
            return found
    return None


def find_sample(build: Path) -> Path | None:
    found = sorted(build.rglob("sample_data/heart.csv"))
    return found[0] if found else None


def check_version(smoke: Smoke, runs: int = 5) -> None:
    times, done = [], None
    for _ in range(runs + 1):   # the first run warms the file cache
        started = time.perf_counter()
        done = smoke.mldesk("--version")
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times[1:])
    smoke.figures["mldesk --version (s, median of 5)"] = seconds
    lines = done.stdout.strip().splitlines()
    missing = [line for line in lines[1:] if "not installed" in line and not line.startswith("psycopg")]
    ok = done.returncode == 0 and bool(lines) and lines[0].startswith("mldesk ") and not missing
    detail = f"{lines[0] if lines else '(nothing)'}, {len(lines) - 1} more lines, median {seconds:.3f} s"
    if missing:
        detail += f"; metadata missing: {'; '.join(missing)}"
    smoke.record("mldesk --version", ok, detail)


def check_cli(smoke: Smoke, sample: Path) -> dict[str, str] | None:
    """init → import → check → train → register → export → drift; returns paths for the later checks."""
    project = str(smoke.work / "project")
    if not smoke.command("init", "init", project, "--name", "Smoke"):
        return None
    if not smoke.command("import the sample", "import", project, str(sample), "--name", "heart"):
        return None
    smoke.command("check", "check", project, "heart", "--target", TARGET)
    done = smoke.command("train (random forest, 3-fold CV)", "train", project, "heart", "--target", TARGET,
                         "--model", "random_forest", "--param", "n_estimators=60", "--cv", "3", "--json")
    if done is None:
        return None
    run = json.loads(done.stdout)
    smoke.record("train: run finished with metrics", run.get("status") == "finished" and bool(run.get("metrics")),
                 f"roc_auc {run.get('metrics', {}).get('roc_auc', float('nan')):.3f}")
    if not smoke.command("register", "register", project, run["run"], "--name", MODEL, "--alias", "production"):
        return None
    bundles = smoke.work / "bundles"
    done = smoke.command("export", "export", project, f"{MODEL}@production", str(bundles), "--json")
    if done is None:
        return None
    exported = json.loads(done.stdout)
    folder = Path(exported["path"])
    verification = exported.get("verification") or {}
    smoke.record("export: bundle written; the frozen app skips running its predict.py",
                 (folder / "predict.py").is_file() and (folder / "model.skops").is_file()
                 and verification.get("skipped") is True, f"{folder.name}: {verification.get('reason', '')}")
    batch = smoke.work / "batch.csv"
    rows = sample.read_text(encoding="utf-8").splitlines()
    batch.write_text("\n".join(rows[:1] + rows[1:1001]) + "\n", encoding="utf-8")
    done = smoke.command("drift", "drift", project, f"{MODEL}@production", str(batch), "--json", expect=(0, 3))
    if done is not None:
        result = json.loads(done.stdout)
        smoke.record("drift: report", "dataset_drift" in result and bool(result.get("columns")),
                     f"dataset drift {result.get('dataset_drift')}, {len(result.get('columns', []))} columns tested, "
                     f"exit {done.returncode}")
    scored = smoke.work / "scored_by_app.csv"
    smoke.command("predict (frozen app)", "predict", project, f"{MODEL}@production", str(batch), "--out", str(scored))
    return {"project": project, "bundle": str(folder), "batch": str(batch), "scored": str(scored)}


def bundle_python(smoke: Smoke, bundle: Path, fresh: bool) -> str | None:
    """A Python with the bundle's requirements: a new venv (--fresh-venv) or this one, its versions checked."""
    requirements = bundle / "requirements.txt"
    if fresh:
        venv = smoke.work / "bundle-venv"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
        smoke.figures["fresh venv for the bundle (s)"] = seconds
        if not smoke.record("bundle's requirements in a fresh venv", done.returncode == 0,
                            f"{seconds:.0f} s" if done.returncode == 0 else done.stderr.strip()[-300:]):
            return None
        return str(python)
    from importlib import metadata

    wrong = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            try:
                have = metadata.version(name.split("[")[0])
            except metadata.PackageNotFoundError:
                have = None
            if have != version:
                wrong.append(f"{name} {have} (wants {version})")
    smoke.record(f"bundle's requirements met by {sys.executable}", not wrong, "; ".join(wrong))
    return sys.executable


def check_bundle(smoke: Smoke, paths: dict[str, str], fresh: bool) -> None:
    bundle = Path(paths["bundle"])
    python = bundle_python(smoke, bundle, fresh)
    if python is None:
        return
    out = smoke.work / "scored_by_bundle.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    started = time.perf_counter()
    done = subprocess.run([python, str(bundle / "predict.py"), paths["batch"]], capture_output=True, text=True,
                          env=env, cwd=smoke.work)
    seconds = time.perf_counter() - started
    if not smoke.record("bundle's predict.py", done.returncode == 0,
                        f"{seconds:.1f} s" if done.returncode == 0 else done.stderr.strip()[-300:]):
        return
    out.write_text(done.stdout, encoding="utf-8")
    smoke.record("bundle's predict.py = mldesk predict", *same_predictions(out, Path(paths["scored"])))


def same_predictions(bundle_csv: Path, app_csv: Path) -> tuple[bool, str]:
    """Labels identical and probabilities within TOLERANCE, on the columns both files have."""
    if not app_csv.is_file():
        return False, "mldesk predict wrote nothing"
    with bundle_csv.open(encoding="utf-8") as a, app_csv.open(encoding="utf-8") as b:
        left, right = list(csv.DictReader(a)), list(csv.DictReader(b))
    shared = [c for c in (left[0] if left else {}) if c == "prediction" or c.startswith("proba_")]
    shared = [c for c in shared if right and c in right[0]]
    if len(left) != len(right) or "prediction" not in shared:
        return False, f"{len(left)} vs {len(right)} rows, shared columns {shared}"
    worst = 0.0
    for x, y in zip(left, right):
        if x["prediction"] != y["prediction"]:
            return False, f"prediction {x['prediction']} vs {y['prediction']}"
        for column in shared[1:]:
            worst = max(worst, abs(float(x[column]) - float(y[column])))
    return worst <= TOLERANCE, f"{len(left)} rows, columns {', '.join(shared)}, largest difference {worst:.1e}"


def not_blank(png: Path) -> tuple[bool, str]:
    """Whether the picture has content: many distinct colours and a good share of non-background pixels."""
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    if image.isNull():
        return False, "not a readable PNG"
    width, height = image.width(), image.height()
    background = image.pixel(width - 2, height // 2)
    colours, differing, samples = set(), 0, 0
    for y in range(0, height, 4):
        for x in range(0, width, 4):
            pixel = image.pixel(x, y)
            colours.add(pixel)
            differing += pixel != background
            samples += 1
    share = differing / max(samples, 1)
    return len(colours) >= 16 and share >= 0.05, f"{width}×{height}, {len(colours)} colours, {share:.0%} not background"


def evict(folder: Path) -> bool:
    """Drop the build's files from the page cache (Linux; no root needed, other files untouched), so the
    next start reads them from disk: a cold start. False where the system cannot."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def check_desktop_entry(smoke: Smoke) -> None:
    """Linux: install-desktop-entry.sh puts an entry that starts this build's executable in the menu."""
    script = smoke.build / "install-desktop-entry.sh"
    if not sys.platform.startswith("linux"):
        return
    if not smoke.record("desktop entry, icon and installer in the build", script.is_file()
                        and (smoke.build / "mldesk.desktop").is_file() and (smoke.build / "mldesk.png").is_file()):
        return
    data = smoke.work / "xdg-data"
    done = subprocess.run([str(script)], env=dict(os.environ, XDG_DATA_HOME=str(data)), capture_output=True, text=True)
    entry = data / "applications" / "mldesk.desktop"
    text = entry.read_text(encoding="utf-8") if entry.is_file() else ""
    execs = [line for line in text.splitlines() if line.startswith("Exec=")]
    ok = done.returncode == 0 and execs == [f'Exec="{smoke.executable}" gui %f'] and (
        data / "icons" / "hicolor" / "256x256" / "apps" / "mldesk.png").is_file()
    detail = execs[0] if execs else (done.stderr.strip() or "no entry written")
    validator = shutil.which("desktop-file-validate")
    if ok and validator:
        checked = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        ok = checked.returncode == 0
        detail += f"; desktop-file-validate: {checked.stdout.strip() or 'valid'}"
    smoke.record("install-desktop-entry.sh: the menu entry starts this build", ok, detail)


def check_window(smoke: Smoke, project: str | None, runs: int, cold: bool = False) -> None:
    seconds = []
    for attempt in range(runs):
        if cold and not evict(smoke.build):
            cold = False
        shots = smoke.work / f"window-{attempt}"
        env = dict(smoke.env, MLDESK_SMOKE_WINDOW=str(shots))
        last = attempt == runs - 1
        if last and project:   # the full visit once: the Data step and a training worker
            env.update(MLDESK_SMOKE_PROJECT=project, MLDESK_SMOKE_TRAIN=f"heart:{TARGET}:logistic_regression")
        env["MLDESK_SMOKE_T0"] = repr(time.time())
        done = smoke.mldesk(env=env, timeout=600)
        report_file = shots / "window.json"
        if done.returncode != 0 or not report_file.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            smoke.record("window opens", False, f"exit {done.returncode}: {' | '.join(tail)}")
            return
        report = json.loads(report_file.read_text(encoding="utf-8"))
        seconds.append(report["welcome_seconds"])
    median = statistics.median(seconds)
    kind = "build's files evicted from the page cache first" if cold else "build's files in the page cache"
    smoke.figures[f"frozen window: process start → welcome page painted (s, median of {runs}, {kind})"] = median
    smoke.record("window: welcome page shown", True,
                 f"{', '.join(f'{s:.2f}' for s in seconds)} s; median {median:.2f} s ({kind})")
    smoke.record("window: welcome page not blank", *not_blank(shots / "welcome.png"))
    if project:
        loaded = report.get("project_opened") and report.get("data_loaded")
        smoke.record("window: sample project's Data step loaded", bool(loaded))
        smoke.record("window: Data step not blank", *not_blank(shots / "data.png"))
        run = report.get("worker_run") or {}
        smoke.record("window: training run in a spawned worker (freeze_support)", run.get("status") == "finished",
                     f"status {run.get('status')}{'; ' + run['error'][0] if run.get('error') else ''}")
    if sys.platform.startswith("linux"):
        wanted = os.environ.get("LD_LIBRARY_PATH")
        seen = report.get("children_library_path")
        smoke.record("window: programs it starts (xdg-open) get the user's LD_LIBRARY_PATH, not the build's",
                     seen == wanted, f"{seen!r}")
    guide = report.get("guide", "")
    inside = Path(guide).resolve().is_relative_to(smoke.build.resolve()) if guide else False
    smoke.record("window: user guide found inside the build", inside, guide)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=Path, help="the build folder, e.g. dist/mldesk")
    parser.add_argument("--fresh-venv", action="store_true",
                        help="score the exported bundle in a new virtual environment made from its requirements.txt")
    parser.add_argument("--window-runs", type=int, default=3, help="starts of the window to time (default 3)")
    parser.add_argument("--cold", action="store_true",
                        help="time the window's starts with the build's files evicted from the page cache (Linux)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mldesk-smoke-"))
    smoke = Smoke(args.build.resolve(), work, frozen_env(work))
    started = time.perf_counter()
    try:
        print(f"Smoke test of {smoke.executable} (work folder {work}; load average {load()})", flush=True)
        if not smoke.record("executable present", smoke.executable.is_file(), str(smoke.executable)):
            return 1
        smoke.record("no Python on PATH", python_on_path(smoke.env) is None, f"PATH={smoke.env['PATH']}")
        check_version(smoke)
        done = smoke.command("doctor (the installation: libraries load, shipped files, user guide)", "doctor")
        if done is not None:
            smoke.record("doctor: installation sound", "installation is sound" in done.stdout,
                         " | ".join(line for line in done.stdout.splitlines() if not line.startswith("ok")))
        sample = find_sample(smoke.build)
        paths = None
        if smoke.record("sample table inside the build", sample is not None, str(sample)):
            paths = check_cli(smoke, sample)
        if paths:
            check_bundle(smoke, paths, args.fresh_venv)
        check_desktop_entry(smoke)
        check_window(smoke, paths["project"] if paths else None, max(1, args.window_runs), args.cold)
    finally:
        if args.keep:
            print(f"Work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    failed = [name for name, ok, _ in smoke.results if not ok]
    print(f"\n{len(smoke.results) - len(failed)} of {len(smoke.results)} checks passed in "
          f"{time.perf_counter() - started:.0f} s (load average {load()})")
    for name, value in smoke.figures.items():
        print(f"  {name}: {value:.3f}")
    if failed:
        print("Failed: " + "; ".join(failed))
    return 1 if failed else 0


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (OSError, AttributeError):   # Windows has no load average
        return "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
