"""What the screenshot scripts (make_*.py) share: an offscreen Qt application with settings of its
own, the main window at one size, the sample project (heart.csv) with its models trained in this
process, and grabbing a widget into a PNG.

The size is set in one place, here: every script calls `options()` first, which reads `--size WxH`
(default: the size the user guide shows, 1280×800 unless the script says otherwise) and `--out DIR`.
`save()` then names each picture for its size:

    the script's default size   <name>.png          (the guide's pictures)
    1024×700 (a laptop)         <name>_small.png
    any other size              <name>_<W>x<H>.png

    python docs/screenshots/make_screenshots.py --size 1024x700
    python docs/screenshots/make_all.py                  # every script, the guide's sizes and 1024×700

Import it before anything from PySide6: it sets QT_QPA_PLATFORM=offscreen and puts the repository
on sys.path.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"
TARGET = "heart_disease"
MODEL = "heart-risk"
GUIDE_SIZE = (1280, 800)   # the size of most of the guide's pictures
SMALL_SIZE = (1024, 700)   # a laptop: the other size every step is looked at
SIZE = GUIDE_SIZE          # the window's size in this process, set by options()
SUFFIX = ""                # added to every picture's name by save(), set by options()
OUT = HERE                 # where save() writes the pictures, set by options() (--out)


def parse_size(text: str) -> tuple[int, int]:
    """'1024x700' (or '1024×700') → (1024, 700)."""
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 1024x700") from None
    if width < 200 or height < 200:
        raise argparse.ArgumentTypeError(f"{text!r} is too small for the window")
    return width, height


def suffix_for(size: tuple[int, int], default: tuple[int, int] = GUIDE_SIZE) -> str:
    """The ending of a picture's name at `size`: '' at the script's default, '_small' at 1024×700, else '_WxH'."""
    if tuple(size) == tuple(default):
        return ""
    if tuple(size) == SMALL_SIZE:
        return "_small"
    return f"_{size[0]}x{size[1]}"


def options(description: str | None = None, default: tuple[int, int] = GUIDE_SIZE,
            argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line (--size WxH, --out DIR) and set SIZE, SUFFIX and OUT for this process."""
    global SIZE, SUFFIX, OUT
    parser = argparse.ArgumentParser(description=(description or "").strip().splitlines()[0] if description else None)
    parser.add_argument("--size", type=parse_size, default=default, metavar="WxH",
                        help=f"the window's size (default {default[0]}x{default[1]}, as in the user guide); "
                             f"pictures at {SMALL_SIZE[0]}x{SMALL_SIZE[1]} are named <name>_small.png, "
                             "at other sizes <name>_WxH.png")
    parser.add_argument("--out", type=Path, default=HERE, metavar="DIR",
                        help="write the pictures here instead of docs/screenshots/ (to look at, not for the guide)")
    args = parser.parse_args(argv)
    SIZE, SUFFIX, OUT = tuple(args.size), suffix_for(args.size, default), args.out.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    return args


def fit(size: tuple[int, int]) -> tuple[int, int]:
    """A dialog's size `size`, made no larger than the window's SIZE (a dialog fits the screen it opens on)."""
    return min(size[0], SIZE[0]), min(size[1], SIZE[1])


def start(prefix: str):
    """(app, work): the QApplication, configured as the app does, and a new temp folder `prefix…` that
    holds its settings (cleared, so your own recent projects are untouched) and the projects."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    work = Path(tempfile.mkdtemp(prefix=prefix))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication([])
    from desktop_app.ui.app import configure_application

    configure_application(app)
    QSettings().clear()
    return app, work


def open_window(app, project=None):
    """The main window at SIZE, shown; with `project` set in it and its loading done."""
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    wait_until(app, window.isVisible)
    if project is not None:
        window.set_project(project)
        wait_until(app, lambda: not window.runner.tasks)
    return window


def wait_until(app, condition, timeout: float = 60.0) -> None:
    """Process events until `condition()` holds (TimeoutError after `timeout` s), then a few more."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def hide_caret(app, window) -> None:
    """Give the focus to `window`'s focused field again and wait into the hidden half of its text
    cursor's blink: a grab then shows no caret (grabbed at any moment, it shows one half the time)."""
    from PySide6.QtWidgets import QApplication

    field = window.focusWidget()
    if field is None:
        return
    field.clearFocus()
    field.setFocus()
    shown_for = QApplication.cursorFlashTime() / 2000   # seconds; then hidden as long
    until = time.monotonic() + shown_for * 1.2
    wait_until(app, lambda: time.monotonic() >= until)


def save(widget, name: str, folder: Path | None = None) -> Path:
    """Grab `widget` into `folder`/`name` with SUFFIX before '.png' (`folder`: OUT, docs/screenshots/ unless
    --out says otherwise) and say so."""
    stem, dot, ext = name.rpartition(".")
    path = (folder or OUT) / f"{stem}{SUFFIX}{dot}{ext}"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return path


def heart_project(folder: Path):
    """(project, version): a new project "Heart study" in `folder` with the sample imported as heart@1."""
    from desktop_app.core.project import Project

    project = Project.create(folder, "Heart study")
    return project, project.datasets.import_file(SAMPLE, name="heart").version


def train_heart(project, version, algorithm: str = "logistic_regression", **options):
    """A run of `algorithm` predicting heart_disease from `version`, trained in this process."""
    from desktop_app.core.tracking.entities import RunSpec

    return project.runs.train(RunSpec(version.id, TARGET, algorithm, **options))


def plain_and_balanced(project, version):
    """(plain, balanced): logistic regression without and with balanced class weights — the sample's
    story (recall ≈ 0.08 → ≈ 0.74)."""
    return train_heart(project, version), train_heart(project, version, class_weight="balanced")
