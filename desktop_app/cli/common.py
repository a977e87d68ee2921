"""What every `mldesk` command shares: exit codes, JSON and progress printing, argument parsing helpers."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
EXIT_DRIFT = 3  # `mldesk drift`: the batch has drifted (the command itself worked)


class UsageError(Exception):
    """A mistake in the command line itself: usage is printed, exit code 2."""


def usage_error(message: str) -> UsageError:
    return UsageError(message)


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
