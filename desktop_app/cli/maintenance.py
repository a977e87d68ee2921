"""`mldesk doctor`, `mldesk audit verify` and `mldesk upgrade`: is the project sound, is its audit
trail intact, and bringing a team database's schema to this MLDesk's.

Both exit 0 when all is well and 3 when they found something the user must act on (the
command itself worked, as `drift`'s 3 means drift was found); 1 is kept for bad input.
"""

from __future__ import annotations

import argparse

from desktop_app.cli.common import EXIT_OK, add_json_flag, open_project, print_json, stderr_progress

EXIT_FOUND = 3


def cmd_doctor(args: argparse.Namespace) -> int:
    from desktop_app.core.doctor import DoctorReport, examine

    installation, window, window_opens = _installation_check()
    report = DoctorReport()
    if args.project is not None:
        report = examine(args.project, repair=not args.no_repair, progress=stderr_progress())
    problems = installation.problems + report.problems
    if args.json:
        print_json({**report.to_dict(), "healthy": not problems, "problems": list(problems),
                    "installation": {"checked": list(installation.checked), "problems": list(installation.problems),
                                     "window": window}})
    else:
        for line in report.repaired:
            print(f"repaired: {line}")
        for line in installation.checked + report.checked:
            print(f"ok:       {line}")
        print(f"{'ok:' if window_opens else 'note:':<10}{window}")
        for line in problems:
            print(f"PROBLEM:  {line}")
        if not problems:
            print("The installation is sound." if args.project is None else
                  "The project is sound." if not report.repaired else "The project is sound again.")
    return EXIT_OK if not problems else EXIT_FOUND


def _installation_check():
    """The installation's report, one sentence on whether the window can open here, and whether it can (not
    a fault when it cannot: the CLI needs no display)."""
    from desktop_app.core.installation import InstallationReport, check_installation
    from desktop_app.ui.shell.guide_files import GuideMissing, guide_path
    from desktop_app.ui.system_check import window_problem

    report = check_installation()
    try:
        guide = f"The user guide is in place ({guide_path()})."
        report = InstallationReport(report.checked + (guide,), report.problems)
    except GuideMissing as exc:
        report = InstallationReport(report.checked, report.problems + (str(exc),))
    problem = window_problem()
    window = "The window can open here." if problem is None else f"The window cannot open here: {problem}"
    return report, window, problem is None


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        report = project.verify_audit()
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.summary())
        for problem in report.breaks:
            print(f"  {problem.sentence()}")
        for head in report.heads:
            print(f"  chain of workstation {head.origin[:8]}: {head.seq:,} events, head {head.hash}")
    return EXIT_OK if report.intact else EXIT_FOUND


def cmd_upgrade(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    with Project.open(args.project, upgrade=True) as project:
        revision = project.db.current_revision()
        where = project.team_database or str(project.path)
    if args.json:
        print_json({"project": str(args.project), "database": where, "schema": revision})
    else:
        print(f"The project's database {where} is at schema {revision}, the one this MLDesk uses.")
    return EXIT_OK


def add_commands(command) -> None:
    doctor = command("doctor", cmd_doctor,
                     "check this installation and a project through and through, and clear what a crash "
                     "left (exit 3 when a problem remains)")
    doctor.add_argument("project", metavar="PROJECT", nargs="?",
                        help="the project to check (without it, only the installation is checked)")
    doctor.add_argument("--no-repair", action="store_true",
                        help="only report: mark no run interrupted and remove no leftover files")
    add_json_flag(doctor)

    audit = command("audit", None, "the audit trail")
    verbs = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = verbs.add_parser("verify", help="check that no audit event was changed, removed or inserted "
                                             "(exit 3 when the chain is broken)",
                              description="Check that no audit event was changed, removed or inserted; print "
                                          "where the chain breaks, and each chain's head for your records.")
    verify.set_defaults(handler=cmd_audit_verify)
    verify.add_argument("project", metavar="PROJECT")
    add_json_flag(verify)

    upgrade = command("upgrade", cmd_upgrade,
                      "bring a team database's schema to this MLDesk's (once, after every workstation has "
                      "this version; local projects upgrade as they open)")
    upgrade.add_argument("project", metavar="PROJECT")
    add_json_flag(upgrade)
