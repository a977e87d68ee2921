"""What every `mldesk` command shares: exit codes, JSON and progress printing, argument parsing helpers.

The argument types here refuse a bad value while the command line is parsed (exit 2,
one sentence), before a project is opened or a run recorded: a negative time budget or
a test share of 1.5 is a mistake in the command, not a failed run.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
EXIT_DRIFT = 3  # `mldesk drift`: the batch has drifted (the command itself worked)


class UsageError(Exception):
    """A mistake in the command line itself: one sentence pointing at `--help`, exit code 2."""


def usage_error(message: str) -> UsageError:
    return UsageError(message)


def usage_sentence(prog: str, message: str) -> str:
    """A usage error as one line: what is wrong, and where the usage is."""
    return f"{prog}: error: {message.rstrip().rstrip('.')}; `{prog} --help` shows the usage."


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence on stderr (exit 2) instead of the usage block.

    Scripts read stderr as one sentence per error (DESIGN.md: the CLI contract); the full
    usage stays one `--help` away, and the sentence says so.
    """

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, usage_sentence(self.prog, message) + "\n")


def whole_number(low: int, high: int | None = None, what: str = "a whole number") -> Callable[[str], int]:
    """An argparse type: an integer in [low, high]."""
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high:,}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{what} must be {bound}, not {value}")
        return value

    return parse


def _number(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def share(text: str) -> float:
    """An argparse type: a share strictly between 0 and 1 (a test share of 0 or 1 leaves nothing to fit or test)."""
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"the share must be between 0 and 1 (for example 0.25), not {text}")
    return value


def seconds(text: str) -> float:
    """An argparse type: a positive number of seconds."""
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"the time must be a positive number of seconds, not {text}")
    return value


def non_empty(text: str) -> str:
    """An argparse type: a name that is not empty or blank (it is shown and looked up later)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the name must not be empty")
    return text.strip()


def input_file(text: str, what: str) -> Path:
    """A file a command will read: a folder in its place, or a file it may not read, gets its own
    sentence (exit 1). A missing file is left to the reader, whose sentence the window shares.
    """
    from desktop_app.core.errors import MLDeskError

    path = Path(text).expanduser()
    if path.is_dir():
        raise MLDeskError(f"{what} {path} is a folder; give a CSV, Excel or Parquet file.")
    if path.exists():
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise MLDeskError(f"{what} {path} cannot be read ({(exc.strerror or str(exc)).lower()}); "
                              "check its permissions or copy it somewhere you can read it.") from None
    return path


def output_file(text: str, option: str, example: str) -> Path:
    """The file an option will write, checked before any work: its folder exists and it is not a folder.

    Raises an MLDeskError (exit 1): the path is well formed, it just cannot be used here.
    """
    from desktop_app.core.errors import MLDeskError

    path = Path(text).expanduser()
    if path.is_dir():
        raise MLDeskError(f"{option} {path} is a folder; give the name of the file to write, e.g. {path / example}.")
    if not path.parent.is_dir():
        raise MLDeskError(f"There is no folder {path.parent} for {option}; create it or choose an existing folder.")
    return path


def write_failed(path: Path, exc: OSError, saved: str):
    """The sentence for an output file that could not be written after the work was saved."""
    from desktop_app.core.errors import MLDeskError

    return MLDeskError(f"{saved}, but {path} cannot be written ({(exc.strerror or str(exc)).lower()}); "
                       "choose another file.")


# scikit-learn and numpy take seeds in [0, 2**32 - 1]; refuse others before a run is recorded.
seed = whole_number(0, 2**32 - 1, "the seed")


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def stderr_progress() -> Callable[[float, str], None]:
    """A percentage on stderr when it is a terminal; silence in scripts and pipes."""
    if not sys.stderr.isatty():
        return lambda fraction, message: None
    last = [-1]

    def report(fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if percent != last[0]:
            last[0] = percent
            sys.stderr.write(f"\r{percent:3d}%  {message[:60]:<60}")
            sys.stderr.flush()
            if fraction >= 1.0:
                sys.stderr.write("\n")

    return report


def version_json(version) -> dict[str, Any]:
    return {
        "dataset": version.dataset_name,
        "version": version.number,
        "id": version.id,
        "sha256": version.sha256,
        "rows": version.rows,
        "columns": version.n_columns,
        "kinds": {c.name: str(c.kind) for c in version.columns},
        "source": version.source_name,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
        "parent": version.parent_id,
    }


def metric(value: Any, spec: str = ".4g") -> str:
    """A number as the tables print it; a dash when there is none."""
    return "—" if value is None else format(value, spec)


def column_width(header: str, cells) -> int:
    """The width of a table column: its longest cell or header, plus two spaces."""
    return max([len(header)] + [len(cell) for cell in cells]) + 2


def open_project(path: str):
    """The project at `path`, opened; what was cleared after processes that stopped mid-work is
    said on stderr (one line each), so a script's stdout and --json stay as they are."""
    from desktop_app.core.project import Project

    project = Project.open(path)
    for line in project.recovered:
        print(f"mldesk: note: {line}", file=sys.stderr)
    return project


def add_json_flag(parser, help_text: str = "print one JSON document") -> None:
    parser.add_argument("--json", action="store_true", help=help_text)


def parse_pair(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise usage_error(f"{option} takes COLUMN=VALUE, not '{text}'")
    return key, value


def parse_kind(text: str) -> tuple[str, str]:
    from desktop_app.core.data.settings import ColumnKind

    column, kind = parse_pair(text, "--kind")
    allowed = [str(k) for k in ColumnKind]
    if kind not in allowed:
        raise usage_error(f"--kind {text}: '{kind}' is not a column kind; use one of {', '.join(allowed)}")
    return column, kind
