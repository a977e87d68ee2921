"""`mldesk register`, `models`: the model registry (versions, aliases, KPI gates, history)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop_app.cli.common import (
    EXIT_OK,
    add_json_flag,
    column_width,
    metric,
    open_project,
    print_json,
    usage_error,
    whole_number,
)

# Metrics shown in the human tables, in this order, when the versions have them.
SHOWN_METRICS = ("recall", "roc_auc", "f1", "accuracy", "r2", "rmse")


def version_json(version, failures: list[str] | None = None) -> dict[str, Any]:
    document = {
        "model": version.model_name, "version": version.number, "label": version.label, "id": version.id,
        "run": version.run_id, "status": version.status, "aliases": list(version.aliases),
        "algorithm": version.algorithm, "task": version.task, "target": version.target,
        "dataset": version.dataset_label, "dataset_version_id": version.dataset_version_id,
        "model_sha256": version.model_sha256, "metrics": version.metrics, "description": version.description,
        "tags": version.tags, "created_at": version.created_at.isoformat(), "created_by": version.created_by,
        "host": version.host,
    }
    if failures is not None:
        document["gate"] = {"passed": not failures, "failures": failures}
    return document


def _gate_failures(model, version) -> list[str]:
    from desktop_app.core.registry.gate import check_gate

    return check_gate(model.kpi_gate, version.metrics)


def model_json(model, detail: bool = False) -> dict[str, Any]:
    return {
        "model": model.name, "id": model.id, "description": model.description, "tags": model.tags,
        "gate": [str(rule) for rule in model.kpi_gate], "aliases": model.aliases,
        "latest_version": model.latest_version, "versions_count": len(model.versions),
        "created_at": model.created_at.isoformat(), "created_by": model.created_by,
        "versions": [version_json(v, _gate_failures(model, v)) for v in model.versions] if detail else
        [{"version": v.number, "status": v.status, "aliases": list(v.aliases), "run": v.run_id,
          "metrics": v.metrics} for v in model.versions],
    }


def event_json(event) -> dict[str, Any]:
    return {"at": event.at.isoformat(), "user": event.user, "host": event.host, "action": event.action,
            "entity_type": event.entity_type, "entity_id": event.entity_id, "before": event.before,
            "after": event.after, "reason": event.reason}


def _before_register(registry, name: str, alias: str | None) -> tuple[list[str], Any]:
    """(the model's gate, the version holding `alias`) before registering; ([], None) for a new model."""
    from desktop_app.core.errors import NotFoundError

    try:
        model = registry.get_model(name)
    except NotFoundError:
        return [], None
    holder = alias and model.aliases.get(alias.strip())
    return [str(r) for r in model.kpi_gate], (registry.get_version(model.name, holder) if holder else None)


def _gate_sentence(model: str, before: list[str], after: list[str], required: list[str]) -> str:
    if before != after:
        return (f"KPI gate of {model} set to {', '.join(after)}" if not before else
                f"KPI gate of {model} changed from {', '.join(before)} to {', '.join(after)}")
    if before and set(required) - set(before):
        return (f"{model} keeps its KPI gate {', '.join(before)} (checked too); add --set-gate to make "
                f"{', '.join(required)} its gate instead")
    return ""


def cmd_register(args: argparse.Namespace) -> int:
    from desktop_app.core.registry.alias_check import warning_text, worse_metrics

    if args.set_gate and not args.require:
        raise usage_error("--set-gate needs the rules: --require METRIC>=VALUE --set-gate")
    with open_project(args.project) as project:
        registry = project.registry
        gate_before, holder = _before_register(registry, args.name, args.alias)
        version = registry.register(
            args.run, args.name, alias=args.alias, require=args.require, set_gate=args.set_gate,
            description=args.description or "", reason=args.reason or "",
        )
        model = registry.get_model(version.model_name)
        gate_after = [str(r) for r in model.kpi_gate]
    required = [str(r) for r in dict.fromkeys(_parsed(args.require))]
    gate_text = _gate_sentence(version.model_name, gate_before, gate_after, required)
    worse = worse_metrics(model.kpi_gate, holder.metrics, version.metrics) if holder else []
    warning = warning_text(version.model_name, (args.alias or "").strip(), holder.number,
                           version.number, worse) if worse else ""
    if warning:
        print(f"mldesk: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json({**version_json(version), "kpi_gate": {"before": gate_before, "rules": gate_after,
                                                          "changed": gate_before != gate_after, "text": gate_text},
                    **({"warning": warning} if warning else {})})
        return EXIT_OK
    aliases = f" as {', '.join(version.aliases)}" if version.aliases else ""
    print(f"Registered {version.model_name} v{version.number}{aliases}: run {version.run_id[:8]}, "
          f"{version.algorithm} on {version.dataset_label} → {version.target}")
    for name, value in version.metrics.items():
        print(f"  {name:<20}{metric(value)}")
    if gate_text:
        print(gate_text)
    return EXIT_OK


def _parsed(rules: list[str]):
    from desktop_app.core.registry.gate import parse_rule

    return [parse_rule(r) for r in rules]


def _parse_alias(text: str, option: str = "--alias") -> tuple[str, int]:
    alias, sep, number = text.partition("=")
    if not sep or not alias.strip():
        raise usage_error(f"{option} takes ALIAS=VERSION, e.g. production=2, not '{text}'")
    digits = number.strip().lstrip("vV")
    if not digits.isdigit():
        raise usage_error(f"{option} {text}: '{number.strip()}' is not a version number such as 2 or v2")
    return alias.strip(), int(digits)


def _apply_changes(project, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run the changes asked for, in a fixed order; each is its own saved (and audited) change."""
    registry, name, reason = project.registry, args.model, args.reason or ""
    changes: list[dict[str, Any]] = []
    for number in args.restore:
        v = registry.restore(name, number, reason=reason)
        changes.append({"change": "restore", "version": v.number, "text": f"Restored {v.model_name} v{v.number}"})
    if args.gate or args.no_gate:
        m = registry.set_kpi_gate(name, [] if args.no_gate else args.gate, reason=reason)
        rules = [str(r) for r in m.kpi_gate]
        changes.append({"change": "gate", "rules": rules,
                        "text": f"KPI gate of {m.name}: {', '.join(rules) if rules else 'none'}"})
    for alias, number in (_parse_alias(item) for item in args.alias):
        warnings = registry.alias_warnings(name, alias, number)
        v = registry.set_alias(name, alias, number, reason=reason)
        changes.append({"change": "alias", "alias": alias, "version": v.number,
                        "text": f"Alias '{alias}' of {v.model_name} → v{v.number}",
                        **({"warning": warnings[0]} if warnings else {})})
        for warning in warnings:   # on stderr, so that it is seen even with --json
            print(f"mldesk: warning: {warning}", file=sys.stderr)
    for alias, number in (_parse_alias(item, "--resolve") for item in args.resolve):
        v = registry.resolve_alias_conflict(name, alias, number, reason=reason)
        changes.append({"change": "resolve", "alias": alias, "version": v.number,
                        "text": f"Conflict over '{alias}' of {v.model_name} resolved: → v{v.number}"})
    for alias in args.remove_alias:
        m = registry.remove_alias(name, alias, reason=reason)
        changes.append({"change": "remove_alias", "alias": alias, "text": f"Removed the alias '{alias}' of {m.name}"})
    for number in args.archive:
        v = registry.archive(name, number, reason=reason)
        changes.append({"change": "archive", "version": v.number, "text": f"Archived {v.model_name} v{v.number}"})
    return changes


def _print_model_detail(model, history, changes) -> None:
    for change in changes:
        print(change["text"])
    if changes:
        print()
    gate = ", ".join(str(r) for r in model.kpi_gate) or "none"
    aliases = ", ".join(f"{a} → v{n}" for a, n in model.aliases.items()) or "none"
    print(f"{model.name}   KPI gate: {gate}   aliases: {aliases}")
    if model.description:
        print(f"  {model.description}")
    names = [m for m in SHOWN_METRICS if any(m in v.metrics for v in model.versions)][:3]
    aw = column_width("ALIASES", (", ".join(v.aliases) for v in model.versions))
    algo = column_width("ALGORITHM", (v.algorithm for v in model.versions))
    data = column_width("DATASET", (v.dataset_label for v in model.versions))
    print(f"  {'VERSION':<9}{'STATUS':<10}{'ALIASES':<{aw}}{'RUN':<10}{'ALGORITHM':<{algo}}{'DATASET':<{data}}"
          + "".join(f"{n:>10}" for n in names) + "  GATE")
    for v in model.versions:
        failures = _gate_failures(model, v)
        verdict = "—" if not model.kpi_gate else ("✓" if not failures else "✗ " + "; ".join(failures))
        print(f"  {'v' + str(v.number):<9}{v.status:<10}{', '.join(v.aliases) or '—':<{aw}}{v.run_id[:8]:<10}"
              f"{v.algorithm:<{algo}}{v.dataset_label:<{data}}"
              + "".join(f"{metric(v.metrics.get(n)):>10}" for n in names) + f"  {verdict}")
    if history:
        print("History (newest first)")
    for event in history:
        detail = _event_text(event)
        why = f"  — {event.reason}" if event.reason else ""
        print(f"  {event.at:%Y-%m-%d %H:%M}  {event.user:<12}{event.action:<22}{detail}{why}")


def _event_text(event) -> str:
    before, after = event.before or {}, event.after or {}
    if event.action == "model.alias":
        old, new = before.get("version"), after.get("version")
        worse = f" (worse on {', '.join(after['worse'])})" if after.get("worse") else ""
        return f"{after.get('alias') or before.get('alias')}: {'v' + str(old) if old else '—'} → " \
               f"{'v' + str(new) if new else 'removed'}{worse}"
    if event.action == "model.register":
        return f"v{after.get('version')} from run {str(after.get('run_id', ''))[:8]} ({after.get('dataset')})"
    if event.action == "model.gate":
        return f"{', '.join(before.get('rules') or []) or 'none'} → {', '.join(after.get('rules') or []) or 'none'}"
    if event.action in ("model.archive", "model.restore"):
        return f"{before.get('status')} → {after.get('status')}"
    if event.action == "model.create":
        return str(after.get("name", ""))
    if event.action == "model.export":
        return str(after.get("path", ""))
    return ""


def cmd_models(args: argparse.Namespace) -> int:
    changing = (args.alias or args.remove_alias or args.archive or args.restore or args.gate or args.no_gate
                or args.resolve)
    if changing and not args.model:
        raise usage_error("name the MODEL to change (mldesk models PROJECT MODEL --alias …)")
    if args.gate and args.no_gate:
        raise usage_error("--gate and --no-gate cannot be given together")
    with open_project(args.project) as project:
        if not args.model:
            models = project.registry.models()
            if args.json:
                print_json({"project": project.name, "models": [model_json(m) for m in models]})
                return EXIT_OK
            if not models:
                print(f"No models registered in '{project.name}' yet — register a run with: "
                      f"mldesk register {args.project} RUN --name MODEL")
                return EXIT_OK
            aliases = {m.name: ", ".join(f"{a}→v{n}" for a, n in m.aliases.items()) or "—" for m in models}
            nw = column_width("MODEL", (m.name for m in models))
            aw = column_width("ALIASES", aliases.values())
            print(f"{'MODEL':<{nw}}{'VERSIONS':>8}{'LATEST':>8}  {'ALIASES':<{aw}}GATE")
            for m in models:
                latest = f"v{m.latest_version}" if m.latest_version else "—"
                gate = ", ".join(str(r) for r in m.kpi_gate) or "—"
                print(f"{m.name:<{nw}}{len(m.versions):>8}{latest:>8}  {aliases[m.name]:<{aw}}{gate}")
            return EXIT_OK
        changes = _apply_changes(project, args) if changing else []
        model = project.registry.get_model(args.model)
        history = project.registry.history(model.name, limit=args.history)
        conflicts = project.sync.conflicts(model.name)
        if args.json:
            document = model_json(model, detail=True)
            document["history"] = [event_json(e) for e in history]
            document["changes"] = [{k: v for k, v in c.items() if k != "text"} for c in changes]
            document["conflicts"] = [c.to_dict() for c in conflicts]
            print_json(document)
        else:
            _print_model_detail(model, history, changes)
            for conflict in conflicts:
                print(f"CONFLICT: {conflict.sentence()}")
    return EXIT_OK


def add_commands(command) -> None:
    register = command("register", cmd_register, "register a finished run as the next version of a model")
    register.add_argument("project", metavar="PROJECT")
    register.add_argument("run", metavar="RUN", help="run id (a unique prefix of 6+ characters)")
    register.add_argument("--name", required=True, metavar="MODEL", help="the model's name, e.g. heart-risk")
    register.add_argument("--alias", help="give the new version this alias, e.g. production")
    register.add_argument("--require", action="append", default=[], metavar="METRIC>=VALUE",
                          help="refuse unless the run's test metric meets this, e.g. recall>=0.7 (repeatable); "
                               "a model without a KPI gate keeps these rules as its gate")
    register.add_argument("--set-gate", action="store_true",
                          help="make the --require rules the model's KPI gate, replacing the one it has (audited)")
    register.add_argument("--description", help="what this version is")
    register.add_argument("--reason", help="why (kept in the audit trail; needed to move an existing alias)")
    add_json_flag(register)

    models = command("models", cmd_models,
                     "list registered models; with MODEL, its versions and history (and change aliases, gate)")
    models.add_argument("project", metavar="PROJECT")
    models.add_argument("model", nargs="?", metavar="MODEL", help="show this model in detail")
    models.add_argument("--alias", action="append", default=[], metavar="ALIAS=N",
                        help="point ALIAS at version N (moving an alias needs --reason)")
    models.add_argument("--remove-alias", action="append", default=[], metavar="ALIAS",
                        help="remove an alias (needs --reason)")
    models.add_argument("--archive", action="append", default=[], type=int, metavar="N",
                        help="archive version N (it must hold no alias)")
    models.add_argument("--restore", action="append", default=[], type=int, metavar="N",
                        help="make archived version N active again")
    models.add_argument("--gate", action="append", default=[], metavar="METRIC>=VALUE",
                        help="replace the KPI gate with these rules, e.g. recall>=0.7 (repeatable)")
    models.add_argument("--no-gate", action="store_true", help="remove the KPI gate")
    models.add_argument("--resolve", action="append", default=[], metavar="ALIAS=N",
                        help="settle a conflict over ALIAS (two workstations moved it at once) on version N "
                             "(needs --reason)")
    models.add_argument("--reason", help="why (kept in the audit trail)")
    models.add_argument("--history", type=whole_number(0, what="the number of events"), default=50, metavar="N",
                        help="audit events shown (default 50)")
    add_json_flag(models)
