"""Registry rows found in a session and turned into entities: what every registry operation shares.

Functions taking the caller's session (no class, no mixin), so that `RegistryService` reads
as its operations and a write transaction and a read use the same lookups:

    model_by_name(session, "heart-risk")        the model's row, or ModelNotFoundError naming the models
    version_row(session, model, 3)              version 3, or an error listing the versions
    alias_row(session, model, "production")     the alias, or an error listing the aliases
    resolve_rows(session, "heart-risk@production")   name, name@N, name@alias, a version id or prefix
    model_entity(session, model) / version_entity(session, model, row)   the plain objects handed out

Every "not found" is a sentence that lists what there is, so a typo is fixed from the message.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.registry import gate
from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
from desktop_app.core.registry.errors import ModelNotFoundError
from desktop_app.core.store.models import (
    DatasetRow,
    DatasetVersionRow,
    ModelAliasRow,
    ModelVersionRow,
    RegisteredModelRow,
    RunRow,
)

ACTIVE, ARCHIVED = "active", "archived"
MIN_ID_PREFIX = 6
_ID_LIKE = re.compile(r"^[0-9a-fA-F-]+$")


def find_model(session: Session, name: str, *, lock: bool = False) -> RegisteredModelRow | None:
    """The model named `name` (surrounding spaces ignored), or None.

    With `lock`, its row stays locked until the unit of work ends (SELECT … FOR UPDATE; SQLite's
    write transactions are serialised already): every change of a model takes it first.
    """
    name = (name or "").strip()
    query = select(RegisteredModelRow).where(RegisteredModelRow.name == name)
    if lock:  # read again once locked: another writer may have changed it while this one waited
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def model_by_name(session: Session, name: str, *, lock: bool = False) -> RegisteredModelRow:
    """The model named `name` (locked with `lock`); ModelNotFoundError naming the project's models when none."""
    row = find_model(session, name, lock=lock)
    if row is None:
        raise _no_model(session, (name or "").strip())
    return row


def version_row(session: Session, model: RegisteredModelRow, number: int) -> ModelVersionRow:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise ModelNotFoundError(f"'{number}' is not a version number of {model.name}; give 1, 2, …") from None
    row = session.scalars(select(ModelVersionRow).where(
        ModelVersionRow.model_id == model.id, ModelVersionRow.number == number)).first()
    if row is None:
        numbers = list(session.scalars(select(ModelVersionRow.number).where(
            ModelVersionRow.model_id == model.id).order_by(ModelVersionRow.number)))
        raise ModelNotFoundError(f"{model.name} has no version {number}; its versions are "
                                 f"{_listing([str(n) for n in numbers])}.")
    return row


def alias_row(session: Session, model: RegisteredModelRow, alias: str) -> ModelAliasRow:
    row = session.scalars(select(ModelAliasRow).where(
        ModelAliasRow.model_id == model.id, ModelAliasRow.name == alias)).first()
    if row is None:
        pairs = session.execute(select(ModelAliasRow.name, ModelVersionRow.number).join(
            ModelVersionRow, ModelAliasRow.version_id == ModelVersionRow.id).where(
            ModelAliasRow.model_id == model.id).order_by(ModelAliasRow.name)).all()
        known = f"its aliases are {_listing([f'{a} (v{n})' for a, n in pairs])}" if pairs else \
            "it has no alias yet"
        raise ModelNotFoundError(f"{model.name} has no alias '{alias}'; {known}.")
    return row


def resolve_rows(session: Session, ref: str) -> tuple[RegisteredModelRow, ModelVersionRow]:
    if not ref:
        raise ModelNotFoundError("No model was named; give NAME, NAME@VERSION or NAME@ALIAS.")
    if "@" in ref:
        name, _, selector = ref.partition("@")
        model = model_by_name(session, name)
        selector = selector.strip()
        if not selector:
            raise ModelNotFoundError(f"'{ref}' names no version; write {model.name}@3 (a version number) or "
                                     f"{model.name}@production (an alias).")
        if selector.isdigit():
            return model, version_row(session, model, int(selector))
        alias = alias_row(session, model, selector.lower())
        return model, session.get_one(ModelVersionRow, alias.version_id)
    named = find_model(session, ref)
    if named is not None:
        row = session.scalars(select(ModelVersionRow).where(
            ModelVersionRow.model_id == named.id, ModelVersionRow.status == ACTIVE).order_by(
            ModelVersionRow.number.desc())).first()
        if row is None:
            raise ModelNotFoundError(f"Every version of {named.name} is archived; restore one, or name an "
                                     f"archived one as {named.name}@N.")
        return named, row
    if len(ref) >= MIN_ID_PREFIX and _ID_LIKE.match(ref):
        row = session.get(ModelVersionRow, ref)
        if row is None:
            rows = session.scalars(select(ModelVersionRow).where(
                ModelVersionRow.id.startswith(ref, autoescape=True)).limit(2)).all()
            if len(rows) > 1:
                raise ModelNotFoundError(f"More than one model version id starts with '{ref}'; give more "
                                         "characters of it.")
            row = rows[0] if rows else None
        if row is not None:
            return session.get_one(RegisteredModelRow, row.model_id), row
    raise _no_model(session, ref)


def model_entity(session: Session, model: RegisteredModelRow) -> RegisteredModel:
    versions = version_entities(session, model)
    active = [v.number for v in versions if not v.archived]
    aliases = {a: v.number for v in versions for a in v.aliases}
    return RegisteredModel(
        id=model.id, name=model.name, description=model.description or "", tags=dict(model.tags or {}),
        kpi_gate=gate.rules_from_json(model.kpi_gate), drift_settings=dict(model.drift_settings or {}),
        aliases=dict(sorted(aliases.items())), latest_version=max(active) if active else None,
        created_at=model.created_at, created_by=model.created_by, versions=tuple(versions),
    )


def version_entity(session: Session, model: RegisteredModelRow, row: ModelVersionRow) -> ModelVersion:
    return version_entities(session, model, [row])[0]


def version_entities(session: Session, model: RegisteredModelRow,
                     rows: list[ModelVersionRow] | None = None) -> list[ModelVersion]:
    if rows is None:
        rows = list(session.scalars(select(ModelVersionRow).where(
            ModelVersionRow.model_id == model.id).order_by(ModelVersionRow.number)))
    if not rows:
        return []
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias in session.scalars(select(ModelAliasRow).where(ModelAliasRow.model_id == model.id).order_by(
            ModelAliasRow.name)):
        aliases[alias.version_id].append(alias.name)
    runs = {
        run.id: (run, f"{dataset_name}@{number}")
        for run, dataset_name, number in session.execute(
            select(RunRow, DatasetRow.name, DatasetVersionRow.number)
            .join(DatasetVersionRow, RunRow.dataset_version_id == DatasetVersionRow.id)
            .join(DatasetRow, DatasetVersionRow.dataset_id == DatasetRow.id)
            .where(RunRow.id.in_([r.run_id for r in rows]))
        ).all()
    }
    out = []
    for row in rows:
        run, dataset_label = runs[row.run_id]
        out.append(ModelVersion(
            id=row.id, model_id=model.id, model_name=model.name, number=row.number, run_id=row.run_id,
            model_sha256=row.model_sha256, dataset_version_id=run.dataset_version_id,
            dataset_label=dataset_label, target=run.target, task=run.task, algorithm=run.algorithm,
            metrics={k: v for k, v in (run.metrics or {}).items() if v is not None},
            description=row.description or "", tags=dict(row.tags or {}), status=row.status,
            aliases=tuple(aliases.get(row.id, ())), created_at=row.created_at, created_by=row.created_by,
            host=row.host,
        ))
    return out


def _no_model(session: Session, name: str) -> ModelNotFoundError:
    names = sorted(session.scalars(select(RegisteredModelRow.name)), key=str.casefold)
    if not names:
        return ModelNotFoundError(f"There is no model '{name}': no model is registered in this project yet; "
                                  "register a finished run first.")
    return ModelNotFoundError(f"There is no model '{name}' in this project; its models are: {_listing(names)}.")


def _listing(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
