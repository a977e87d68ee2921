"""The `mldesk` command: argument parsing and printing, nothing else.

Every command takes the project folder first, prints a human summary, or one JSON
document with --json. A user's mistake is one sentence on stderr and exit code 1
(2 for usage errors); never a traceback. Anything unforeseen is one sentence too, naming
the log file that holds its traceback (`core.crash_log`), exit code 1. Heavy libraries
are imported inside the commands so `mldesk --help` stays instant.

One module per group of commands, each with an `add_commands(command)` that declares
its sub-commands; `common` holds what they share.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from desktop_app import __version__
from desktop_app.cli import bundles, data, explain, maintenance, monitor, pipelines, registry, sync, team, training
from desktop_app.cli.common import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, OneLineParser, UsageError, usage_sentence

# In workflow order; `mldesk --help` lists the commands this way.
COMMAND_GROUPS = (data, training, registry, explain, bundles, monitor, pipelines, sync, team, maintenance)


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop_app.ui.app import main as gui_main

    return gui_main(project_path=getattr(args, "project", None))


class VersionAction(argparse.Action):
    """`mldesk --version`: the first line as before ('mldesk 0.1.0'), then what a support request needs."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from desktop_app.core.installation import versions_text

        print(f"mldesk {__version__}")
        print("\n".join(versions_text().splitlines()[1:]))   # its first line is MLDesk's, printed above
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="mldesk",
        description="MLDesk: load data, check it, train and compare models, register, export, monitor drift.",
        epilog="Run without a command to open the window.",
    )
    parser.add_argument("--version", action=VersionAction,
                        help="show MLDesk's version, Python's and every library's, and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    gui = command("gui", cmd_gui, "open the window (on PROJECT, or the welcome page)")
    gui.add_argument("project", nargs="?", metavar="PROJECT")
    for group in COMMAND_GROUPS:
        group.add_commands(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; whatever goes wrong ends as one sentence on stderr and an exit code."""
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (`mldesk runs P | head`): nothing to say, nothing to log
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # so the exit's flush fails quietly
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug or a failure nobody foresaw: one sentence here, the traceback in a log
        from desktop_app.core.crash_log import report_unexpected

        command = " ".join(["mldesk", *(sys.argv[1:] if argv is None else list(argv))][:2])
        sentence, _ = report_unexpected(exc, context=command)
        print(f"mldesk: {sentence}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = cmd_gui if args.command is None else args.handler  # no command: the window
    from desktop_app.core.errors import MLDeskError

    try:
        return handler(args)
    except UsageError as exc:
        print(usage_sentence(f"mldesk {args.command or 'gui'}", str(exc)), file=sys.stderr)
        return EXIT_USAGE
    except MLDeskError as exc:
        print(f"mldesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `mldesk check … --json | head`: the reader left, not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("mldesk: interrupted; nothing was saved.", file=sys.stderr)
        return 130
