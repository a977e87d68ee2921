"""`mldesk push-to-db`: move a local project into an empty team database (core.team_move)."""

from __future__ import annotations

import argparse

from desktop_app.cli.common import EXIT_OK, add_json_flag, print_json, stderr_progress


def cmd_push_to_db(args: argparse.Namespace) -> int:
    from desktop_app.core.team_move import MOVED_FILE, push_to_database

    report = push_to_database(args.project, args.url, objects=args.objects, progress=stderr_progress())
    if args.json:
        print_json(report.to_dict())
        return EXIT_OK
    records = sum(report.records.values())
    print(f"Moved '{report.project}' to the team database {report.database}: {records:,} records, "
          f"{report.objects_copied + report.objects_present:,} stored files ({report.objects_copied:,} copied, "
          f"{report.objects_present:,} already there) in {report.objects_folder}; every count and hash verified. "
          f"{report.audit}")
    print(f"{args.project} now opens the team database; its old file is kept as {MOVED_FILE}. Attach other "
          "workstations with: mldesk init FOLDER --db URL")
    if report.shared_folder:
        print(f"note: the shared folder {report.shared_folder} this project was synced through no longer applies; "
              "the team database replaces it.")
    return EXIT_OK


def add_commands(command) -> None:
    push = command("push-to-db", cmd_push_to_db,
                   "move a local project into an empty team database (records and stored files, verified)")
    push.add_argument("project", metavar="PROJECT")
    push.add_argument("url", metavar="URL",
                      help="the empty team database, postgresql+psycopg://USER@HOST:PORT/DATABASE (the password "
                           "comes from ~/.pgpass or PGPASSWORD)")
    push.add_argument("--objects", metavar="DIR",
                      help="the team's objects folder, reached by every workstation (default: the project's own "
                           "objects folder)")
    add_json_flag(push)
