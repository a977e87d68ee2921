"""The Team place's words: what the last sync sent and received, what waits and why, what needs the user.

Plain functions over the core's sync status and report (no Qt), so that tests read them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.ui.text.formatting import plural, relative_time
from desktop_app.ui.widgets.conflict_dialog import conflict_sentence, gate_words, version_text

if TYPE_CHECKING:
    from desktop_app.core.sync.service import Conflict, SyncStatus

NOT_SHARED = "This project is not shared with a team yet"
HOW_TO_LINK = ("Choose a folder the team can reach — a network drive, or a folder that OneDrive, Dropbox or "
               "Syncthing copies between computers. Pick an empty folder to start sharing, or the folder this "
               "project is already shared through. Nothing there is ever overwritten: each computer adds its own "
               "files.")
HOW_TO_JOIN = ("How a colleague joins: on the welcome page (or File ▸ Join a team from a shared folder…) they pick "
               "the shared folder and a new folder on their own computer; MLDesk copies the project there, opens "
               "it, and keeps it in step at every sync.")



def in_team_database(where: str) -> str:
    return f"This project is shared through the team database {where}"


def team_database_hint(objects: str) -> str:
    """What a project in a team database means for the analyst, and how a colleague joins it."""
    return ("Every workstation reads and writes the project's records in the team database, so colleagues see each "
            "change as soon as it is saved: no folder sync is needed, and there is nothing to link. The team's "
            f"stored files (data snapshots, models) are in {objects}.\n\nHow a colleague joins: New project ▸ Team "
            "database, with the same URL (their own user, and their password in their PostgreSQL password file).")


@dataclass(frozen=True)
class Attention:
    """One thing in the "needs attention" list."""

    kind: str                 # "conflict", "waiting", "stray", "note"
    title: str
    sentence: str
    conflict: Conflict | None = None


def exchanged(report: dict[str, Any] | None) -> str:
    """What the last sync sent and received, in one line."""
    if not report:
        return "Nothing exchanged yet."
    sent, received = int(report.get("published") or 0), int(report.get("applied") or 0)
    files_out, files_in = int(report.get("objects_sent") or 0), int(report.get("objects_received") or 0)
    if not (sent or received or files_out or files_in):
        return "Nothing to send or receive: this computer and the team's folder were already in step."
    out = f"sent {plural(sent, 'change')}" + (f" ({plural(files_out, 'stored file')})" if files_out else "")
    got = f"received {plural(received, 'change')}" + (f" ({plural(files_in, 'stored file')})" if files_in else "")
    text = f"{out if sent else 'nothing to send'}; {got if received else 'nothing received'}."
    return text[0].upper() + text[1:]


def to_send(pending: int) -> str:
    if not pending:
        return "Everything made on this computer has been sent."
    return f"{plural(pending, 'change')} made on this computer will be sent at the next sync."


def attention(status: SyncStatus | None, report: dict[str, Any] | None) -> list[Attention]:
    """Conflicts first, then what waits to be received, files left alone in the folder, and notes."""
    items: list[Attention] = []
    for conflict in status.conflicts if status is not None else []:
        choices = " or ".join(version_text(v.value) for v in conflict.values)
        what = f"{conflict.model}@{conflict.alias}" if conflict.alias else f"{conflict.model}: {conflict.kind}"
        items.append(Attention("conflict", f"{what}: {choices}",
                               "\n\n".join([conflict_sentence(conflict), *moves(conflict)]), conflict))
    waiting = status.waiting if status is not None else list((report or {}).get("waiting", []))
    for item in waiting:
        title = f"Batch {item.get('batch')} from workstation {str(item.get('workstation', ''))[:8]}"
        sentence = item.get("message") or f"{title} waits: {item.get('reason')}."
        items.append(Attention("waiting", title, f"{sentence} It is received at a later sync, once it is complete; "
                                                 "nothing after it from that workstation is applied before it."))
    for stray in (report or {}).get("strays", []):
        name, _, why = str(stray).partition(": ")
        items.append(Attention("stray", name, f"{stray} MLDesk never changes or deletes it."))
    for note in (report or {}).get("notes", []):
        items.append(Attention("note", note if len(note) <= 70 else note[:69] + "…", note))
    return items


def moves(conflict: Conflict) -> list[str]:
    """Each side of a conflict in a line: what, who, where, when, why."""
    lines = []
    for value in conflict.values:
        when = relative_time(value.at) if value.at is not None else "at an unknown time"
        gate = gate_words(value.gate_passed)[0] if conflict.alias else ""
        reason = f"“{value.reason}”" if value.reason else "no reason given"
        change = f"{version_text(value.before)} → {version_text(value.value)}" if conflict.alias else str(value.value)
        lines.append(f"• {change} by {value.user} on {value.host}, {when}: {reason}" + (f" ({gate})" if gate else ""))
    return lines


KIND_TITLES = {"conflict": "Conflicts", "waiting": "Waiting to be received", "stray": "Stray files (left alone)",
               "note": "Notes from the last sync"}
KIND_TIPS = {"conflict": "Settings changed on two computers at once: choose which change counts",
             "waiting": "The team's changes that cannot be received yet, and why",
             "stray": "Files in the shared folder that MLDesk did not write: never applied, changed or deleted",
             "note": "What the last sync wants you to know"}
