"""The model registry: named models, numbered versions of finished runs, aliases, KPI gates.

Reached as `project.registry`.

    v = project.registry.register(run.id, "heart-risk", alias="staging")   # heart-risk@1
    project.registry.set_kpi_gate("heart-risk", ["recall>=0.7"], reason="clinical minimum")
    project.registry.set_alias("heart-risk", "production", 1, reason="passed review")
    project.registry.resolve("heart-risk@production")

- Version numbers count from 1 per model. A version points at one finished run (its stored
  model, metrics and lineage); a run is registered at most once per model.
- `resolve(ref)`: `name` is the newest version that is not archived, `name@3` version 3
  (archived or not), `name@production` the alias's version; a version id works too.
- A model's KPI gate is checked (against the run's test metrics) when a version is registered
  and when it takes an alias. Archived versions keep their history and take no alias.
- Every change writes an audit event in the same transaction: model.create, model.register,
  model.alias (set, move and removal: before/after {"alias", "version"}), model.archive,
  model.restore, model.gate, model.describe, model.drift_settings. Model-level events are
  recorded on the model's id, version-level ones on the version's id; `history` gives both.
- `models()` lists models by name (case-insensitive); a model's `versions` are oldest first.

Concurrency (several processes, or workstations on one PostgreSQL database): every change of a
model first locks the model's row (`model_by_name(…, lock=True)`, SELECT … FOR UPDATE), so the
next version number, an alias move and the KPI gate it is checked against are read and written
by one writer at a time, in one transaction. Two first registrations of a new model collide on
its id instead (there is no row to lock yet); `Database.write` runs the loser again.

Finding rows in a session and turning them into entities is `rows.py`'s (shared by every
operation here); this module holds the operations and their audit events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from desktop_app.core.errors import IntegrityError, NotFoundError
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.registry import gate
from desktop_app.core.registry.entities import KpiRule, Lineage, ModelVersion, RegisteredModel
from desktop_app.core.registry.errors import (
    AliasInUseError,
    ArchivedVersionError,
    ReasonRequiredError,
    RegistryError,
    RunNotRegistrableError,
)
from desktop_app.core.registry.names import clean_alias, clean_model_name, clean_tags
from desktop_app.core.registry.rows import (
    ACTIVE,
    ARCHIVED,
    alias_row,
    find_model,
    model_by_name,
    model_entity,
    resolve_rows,
    version_entity,
    version_row,
)
from desktop_app.core.store import audit, changes
from desktop_app.core.store.models import (
    DatasetVersionRow,
    ExperimentRow,
    ModelAliasRow,
    ModelVersionRow,
    RegisteredModelRow,
    RunRow,
    derived_id,
    named_id,
    utcnow,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from desktop_app.core.registry.holdout import HoldoutComparison
    from desktop_app.core.store.database import Database
    from desktop_app.core.store.objects import ObjectStore
    from desktop_app.core.tracking.service import RunService


class RegistryService:
    def __init__(self, db: Database, objects: ObjectStore, runs: RunService) -> None:
        self._db = db
        self._objects = objects
        self._runs = runs

    # -- registering ----------------------------------------------------------------------

    def register(
        self,
        run_ref: str,
        name: str,
        *,
        description: str = "",
        tags: dict | None = None,
        alias: str | None = None,
        reason: str = "",
        require: Iterable[str | KpiRule] | None = None,
        set_gate: bool = False,
    ) -> ModelVersion:
        """Register a finished run as the next version of model `name` (created if new).

        The model's KPI gate and `require` (as `mldesk register --require` gives them) must pass
        on the run's test metrics. A model without a gate keeps `require` as its gate — a rule
        checked once and forgotten would let a later alias move skip it; a model with another
        gate keeps its own unless `set_gate` replaces it (both audited as model.gate).
        `alias` is set on the new version in the same transaction. `description` and `tags`
        describe the version.
        """
        from desktop_app.core.tracking.entities import RunStatus

        name = clean_model_name(name)
        alias = clean_alias(alias) if alias is not None else None
        tags = clean_tags(tags)
        run = self._runs.get(run_ref)
        if run.status != RunStatus.FINISHED:
            detail = " once the problem is fixed" if run.status == RunStatus.FAILED else ""
            raise RunNotRegistrableError(f"Run {run.short_id} is {run.status}, not finished; only a finished run can "
                                         f"be registered — train it again{detail} and register that run.")
        if not run.model_sha256:
            raise RunNotRegistrableError(f"Run {run.short_id} has no stored model; train it again and register "
                                         "that run.")
        try:  # what is registered must be what was trained: the file is checked against its hash
            self._objects.verify(run.model_sha256)
        except (NotFoundError, IntegrityError) as exc:
            raise RunNotRegistrableError(f"The model file of run {run.short_id} cannot be registered: {exc}") from None
        recorded = sorted(k for k, v in run.metrics.items() if v is not None)
        extra = gate.validate_rules(require, recorded or None, f"run {run.short_id}") if require else ()

        def record(session: Session) -> ModelVersion:
            model = find_model(session, name, lock=True)
            created = model is None
            if model is None:
                model = RegisteredModelRow(id=named_id(session.info["project"], "model", name), name=name,
                                           created_by=current_user(), host=current_host())
                session.add(model)
                session.flush()
                audit.record(session, "model.create", "registered_model", model.id,
                             after={"name": name, "run_id": run.id}, reason=reason)
            else:
                same = session.scalars(select(ModelVersionRow).where(
                    ModelVersionRow.model_id == model.id, ModelVersionRow.run_id == run.id)).first()
                if same is not None:
                    raise RunNotRegistrableError(
                        f"Run {run.short_id} is already registered as {model.name} v{same.number}; use that "
                        "version (e.g. give it an alias) instead of registering the run again.")
            number = (session.scalar(select(func.max(ModelVersionRow.number)).where(
                ModelVersionRow.model_id == model.id)) or 0) + 1
            existing = gate.rules_from_json(model.kpi_gate)
            rules = existing + tuple(r for r in extra if r not in existing)
            failures = gate.check_gate(rules, run.metrics)
            if failures:
                raise gate.gate_error(f"Run {run.short_id} (as {model.name} v{number})", failures)
            row = ModelVersionRow(
                id=derived_id(model.id, "run", run.id), stamp=changes.new_stamp(session),
                model_id=model.id, number=number, run_id=run.id, model_sha256=run.model_sha256,
                description=description or "", tags=tags, status=ACTIVE, created_by=current_user(),
                host=current_host(),
            )
            session.add(row)
            session.flush()
            audit.record(session, "model.register", "model_version", row.id, reason=reason, after={
                "model": model.name, "version": number, "run_id": run.id, "model_sha256": run.model_sha256,
                "dataset": run.dataset_label, "dataset_sha256": run.dataset_sha256, "algorithm": run.algorithm,
                "metrics": dict(run.metrics), "gate": [str(r) for r in rules], "description": row.description,
                "tags": tags, "new_model": created,
            })
            if extra and (set_gate or not existing) and set(extra) != set(existing):
                self._write_gate(session, model, extra, reason or f"set when registering v{number}")
            if alias is not None:
                self._move_alias(session, model, row, alias, reason)
            session.flush()
            return version_entity(session, model, row)

        try:  # the version number is taken in one write transaction, retried if another process took it
            return self._db.write(record)
        except DatabaseIntegrityError:
            raise RegistryError(f"Another change to model '{name}' was saved at the same moment; "
                                "try registering again.") from None

    # -- queries --------------------------------------------------------------------------

    def models(self) -> list[RegisteredModel]:
        """Every model with its versions (oldest first), models sorted by name (case-insensitive)."""
        with self._db.read() as session:
            rows = session.scalars(select(RegisteredModelRow)).all()
            rows = sorted(rows, key=lambda r: (r.name.casefold(), r.name))
            return [model_entity(session, r) for r in rows]

    def get_model(self, name: str) -> RegisteredModel:
        with self._db.read() as session:
            return model_entity(session, model_by_name(session, name))

    def resolve(self, ref: str | ModelVersion) -> ModelVersion:
        """`name` (newest non-archived version), `name@3`, `name@alias`, or a version id (or unique prefix)."""
        if isinstance(ref, ModelVersion):
            ref = ref.id
        ref = (ref or "").strip()
        with self._db.read() as session:
            model, row = resolve_rows(session, ref)
            return version_entity(session, model, row)

    def get_version(self, name: str, number: int) -> ModelVersion:
        with self._db.read() as session:
            model = model_by_name(session, name)
            return version_entity(session, model, version_row(session, model, number))

    def history(self, name: str, limit: int = 1000) -> list[audit.AuditEvent]:
        """Audit events of the model and all its versions, newest first."""
        with self._db.read() as session:
            model = model_by_name(session, name)
            ids = [model.id] + list(session.scalars(
                select(ModelVersionRow.id).where(ModelVersionRow.model_id == model.id)))
            return audit.list_events(session, limit=limit, entity_ids=ids)

    def gate_failures(self, version: ModelVersion | str) -> list[str]:
        """How `version` fails its model's current KPI gate ([] when it passes)."""
        version = self.resolve(version)
        model = self.get_model(version.model_name)
        return gate.check_gate(model.kpi_gate, version.metrics)

    def alias_warnings(self, name: str, alias: str, number: int) -> list[str]:
        """Why moving `alias` to version `number` looks like a step back ([] when it does not, or is new)."""
        from desktop_app.core.registry.alias_check import warning_text, worse_metrics

        alias = clean_alias(alias)
        with self._db.read() as session:
            model = model_by_name(session, name)
            row = version_row(session, model, number)
            current = session.scalars(select(ModelAliasRow).where(
                ModelAliasRow.model_id == model.id, ModelAliasRow.name == alias)).first()
            if current is None or current.version_id == row.id:
                return []
            old = session.get_one(ModelVersionRow, current.version_id)
            worse = worse_metrics(gate.rules_from_json(model.kpi_gate), _metrics(session, old), _metrics(session, row))
            return [warning_text(model.name, alias, old.number, row.number, worse)] if worse else []

    # -- aliases --------------------------------------------------------------------------

    def set_alias(self, name: str, alias: str, number: int, reason: str = "") -> ModelVersion:
        """Point `alias` at version `number` (which must be active and pass the KPI gate).

        Moving an alias that already points at another version needs a reason.
        Pointing it where it already points changes nothing.
        """
        return self._set_alias(name, clean_alias(alias), number, reason)

    def _set_alias(self, name: str, alias: str, number: int, reason: str, settle: bool = False) -> ModelVersion:
        def move(session: Session) -> ModelVersion:
            model = model_by_name(session, name, lock=True)  # held to the commit: the gate checked stays in force
            if settle:
                self._check_conflict(session, model, alias, number, reason)
            row = version_row(session, model, number)
            if row.status == ARCHIVED:
                raise ArchivedVersionError(f"{model.name} v{row.number} is archived, so it cannot take the alias "
                                           f"'{alias}'; restore it first or choose an active version.")
            run = session.get_one(RunRow, row.run_id)
            failures = gate.check_gate(gate.rules_from_json(model.kpi_gate), run.metrics or {})
            if failures:
                raise gate.gate_error(f"{model.name} v{row.number}", failures)
            self._move_alias(session, model, row, alias, reason)
            session.flush()
            return version_entity(session, model, row)

        return self._db.write(move)

    def resolve_alias_conflict(self, name: str, alias: str, number: int, reason: str = "") -> ModelVersion:
        """Settle a conflict over `alias` (moved on two workstations at once) on version `number`.

        The choice replaces both moves, so it clears the conflict wherever it is synced.
        """
        return self._set_alias(name, clean_alias(alias), number, reason, settle=True)

    @staticmethod
    def _check_conflict(session: Session, model: RegisteredModelRow, alias: str, number: int, reason: str) -> None:
        if len(changes.heads(session, changes.alias_key(model.id, alias))) < 2:
            raise RegistryError(f"The alias '{alias}' of {model.name} is not in conflict; move it with --alias "
                                "instead.")
        if not (reason or "").strip():
            raise ReasonRequiredError(f"Settling the conflict over '{alias}' of {model.name} needs a reason; say "
                                      f"why v{number} is the right one.")

    def remove_alias(self, name: str, alias: str, reason: str = "") -> RegisteredModel:
        """Remove `alias` from the model (a reason is required, as for a move)."""
        alias = clean_alias(alias)
        with self._db.session() as session:
            model = model_by_name(session, name, lock=True)
            current = alias_row(session, model, alias)
            holder = session.get_one(ModelVersionRow, current.version_id)
            if not (reason or "").strip():
                raise ReasonRequiredError(f"Removing the alias '{alias}' from {model.name} v{holder.number} needs a "
                                          "reason; say why it is removed.")
            session.delete(current)
            event = audit.record(session, "model.alias", "registered_model", model.id, reason=reason.strip(),
                                 before={"alias": alias, "version": holder.number, "version_id": holder.id},
                                 after={"alias": alias, "version": None, "version_id": None})
            changes.record(session, event, changes.alias_key(model.id, alias), {"version_id": None})
            session.flush()
            return model_entity(session, model)

    def _move_alias(self, session: Session, model: RegisteredModelRow, row: ModelVersionRow, alias: str,
                    reason: str) -> None:
        current = session.scalars(select(ModelAliasRow).where(
            ModelAliasRow.model_id == model.id, ModelAliasRow.name == alias)).first()
        reason = (reason or "").strip()
        key = changes.alias_key(model.id, alias)
        before: dict[str, Any] = {"alias": alias, "version": None, "version_id": None}
        if current is not None:
            # Pointing it where it points changes nothing — unless two workstations disagree about it
            # (a conflict): then this choice is recorded, and replaces both (store.changes).
            if current.version_id == row.id and len(changes.heads(session, key)) < 2:
                return
            old = session.get_one(ModelVersionRow, current.version_id)
            if not reason:
                raise ReasonRequiredError(f"Moving the alias '{alias}' of {model.name} from v{old.number} to "
                                          f"v{row.number} needs a reason; say why (e.g. better recall on new data).")
            before = {"alias": alias, "version": old.number, "version_id": old.id, "metrics": _metrics(session, old)}
            current.version_id, current.updated_at, current.updated_by = row.id, utcnow(), current_user()
        else:
            session.add(ModelAliasRow(model_id=model.id, name=alias, version_id=row.id, updated_by=current_user()))
        after: dict[str, Any] = {"alias": alias, "version": row.number, "version_id": row.id,
                                 "metrics": _metrics(session, row)}
        if "metrics" in before:  # a move: what got worse is kept beside the reason given for it
            from desktop_app.core.registry.alias_check import worse_metrics

            after["worse"] = worse_metrics(gate.rules_from_json(model.kpi_gate), before["metrics"], after["metrics"])
        event = audit.record(session, "model.alias", "registered_model", model.id, reason=reason, before=before,
                             after=after)
        changes.record(session, event, key, {"version_id": row.id})

    # -- archive ----------------------------------------------------------------------------

    def archive(self, name: str, number: int, reason: str = "") -> ModelVersion:
        """Archive a version (it keeps its history; `name` alone no longer resolves to it).

        Refused while an alias points at it. Archiving an archived version changes nothing.
        """
        with self._db.session() as session:
            model = model_by_name(session, name, lock=True)  # no alias can move onto it meanwhile
            row = version_row(session, model, number)
            aliases = list(session.scalars(select(ModelAliasRow.name).where(
                ModelAliasRow.version_id == row.id).order_by(ModelAliasRow.name)))
            if aliases:
                names = ", ".join(f"'{a}'" for a in aliases)
                raise AliasInUseError(f"{model.name} v{row.number} holds the alias {names}; move or remove "
                                      f"{'that alias' if len(aliases) == 1 else 'those aliases'} first, then "
                                      "archive it.")
            self._set_status(session, row, ARCHIVED, "model.archive", reason)
            return version_entity(session, model, row)

    def restore(self, name: str, number: int, reason: str = "") -> ModelVersion:
        """Make an archived version active again."""
        with self._db.session() as session:
            model = model_by_name(session, name, lock=True)
            row = version_row(session, model, number)
            self._set_status(session, row, ACTIVE, "model.restore", reason)
            return version_entity(session, model, row)

    @staticmethod
    def _set_status(session: Session, row: ModelVersionRow, status: str, action: str, reason: str) -> None:
        if row.status == status:
            return
        event = audit.record(session, action, "model_version", row.id, reason=(reason or "").strip(),
                             before={"status": row.status}, after={"status": status})
        changes.record(session, event, changes.status_key(row.id), {"status": status})
        row.status = status
        session.flush()

    # -- settings ---------------------------------------------------------------------------

    def set_kpi_gate(self, name: str, rules: Iterable[str | KpiRule], reason: str = "") -> RegisteredModel:
        """Replace the model's KPI gate (an empty list removes it).

        Each rule must name a metric its versions record. Versions registered before keep
        their aliases; `gate_failures(version)` tells which of them fail the new gate.
        """
        rules = list(rules)
        with self._db.session() as session:
            model = model_by_name(session, name, lock=True)
            names: set[str] = set()
            for metrics in session.scalars(select(RunRow.metrics).join(
                    ModelVersionRow, ModelVersionRow.run_id == RunRow.id).where(ModelVersionRow.model_id == model.id)):
                names.update(k for k, v in (metrics or {}).items() if v is not None)
            parsed = gate.validate_rules(rules, sorted(names) or None, f"{model.name}'s versions")
            self._write_gate(session, model, parsed, reason)
            session.flush()
            return model_entity(session, model)

    @staticmethod
    def _write_gate(session: Session, model: RegisteredModelRow, rules: Iterable[KpiRule], reason: str) -> None:
        parsed = tuple(rules)
        before = [str(r) for r in gate.rules_from_json(model.kpi_gate)]
        model.kpi_gate = gate.rules_to_json(parsed)
        event = audit.record(session, "model.gate", "registered_model", model.id, reason=(reason or "").strip(),
                             before={"rules": before}, after={"rules": [str(r) for r in parsed]})
        changes.record(session, event, changes.gate_key(model.id), {"kpi_gate": model.kpi_gate})

    def describe(self, name: str, *, number: int | None = None, description: str | None = None,
                 tags: Mapping[str, Any] | None = None) -> RegisteredModel | ModelVersion:
        """Change the description and/or tags (replacing all of them) of the model, or of version `number`.

        Returns the model, or the version when `number` is given.
        """
        with self._db.session() as session:
            model = model_by_name(session, name, lock=True)
            target: RegisteredModelRow | ModelVersionRow = model
            entity_type = "registered_model"
            if number is not None:
                target, entity_type = version_row(session, model, number), "model_version"
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            if description is not None and description != target.description:
                before["description"], after["description"] = target.description, description
                target.description = description
            if tags is not None:
                cleaned = clean_tags(tags)
                if cleaned != dict(target.tags or {}):
                    before["tags"], after["tags"] = dict(target.tags or {}), cleaned
                    target.tags = cleaned
            if after:
                event = audit.record(session, "model.describe", entity_type, target.id, before=before, after=after)
                changes.record(session, event, changes.describe_key(target.id),
                               {"description": target.description, "tags": dict(target.tags or {})})
            session.flush()
            if isinstance(target, ModelVersionRow):
                return version_entity(session, model, target)
            return model_entity(session, model)

    def set_drift_settings(self, name: str, settings: Mapping[str, Any], reason: str = "") -> RegisteredModel:
        """Store the model's drift settings (keys are the monitor's; an empty dict means its defaults)."""
        try:
            stored: dict[str, Any] = json.loads(json.dumps(dict(settings), allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise RegistryError(f"The drift settings cannot be stored ({exc}); give numbers, text and lists "
                                "only.") from None
        with self._db.session() as session:
            model = model_by_name(session, name, lock=True)
            before = dict(model.drift_settings or {})
            if before != stored:
                model.drift_settings = stored
                event = audit.record(session, "model.drift_settings", "registered_model", model.id,
                                     reason=(reason or "").strip(), before=before, after=stored)
                changes.record(session, event, changes.drift_key(model.id), {"drift_settings": stored})
                session.flush()
            return model_entity(session, model)

    # -- lineage, models and data -------------------------------------------------------------

    def lineage(self, ref: str | ModelVersion) -> Lineage:
        """Version → run → dataset version → its parents back to the imported version."""
        version = self.resolve(ref)
        with self._db.read() as session:
            run = session.get_one(RunRow, version.run_id)
            experiment = session.get(ExperimentRow, run.experiment_id)
            chain: list[dict[str, Any]] = []
            trained_on = session.get_one(DatasetVersionRow, run.dataset_version_id)
            row: DatasetVersionRow | None = trained_on
            seen: set[str] = set()
            while row is not None and row.id not in seen:
                seen.add(row.id)
                parent = session.get(DatasetVersionRow, row.parent_id) if row.parent_id else None
                recipe = list(row.recipe) if row.recipe is not None else None
                inherited = len(parent.recipe or []) if parent is not None else 0
                chain.append({
                    "id": row.id, "label": f"{row.dataset.name}@{row.number}", "sha256": row.sha256,
                    "rows": row.rows, "columns": row.n_columns, "recipe": recipe,
                    "steps": (recipe or [])[inherited:] if recipe is not None else None,
                    "source_name": row.source_name, "source_sha256": row.source_sha256,
                    "created_at": row.created_at.isoformat(), "created_by": row.created_by,
                })
                row = parent
            chain.reverse()
            return Lineage(
                version=version, run_id=run.id, experiment=experiment.name if experiment else "",
                algorithm=run.algorithm, params=dict(run.params or {}), seed=run.seed,
                dataset_label=f"{trained_on.dataset.name}@{trained_on.number}", dataset_sha256=trained_on.sha256,
                source_name=trained_on.source_name, source_sha256=trained_on.source_sha256,
                dataset_chain=tuple(chain), environment=dict(run.environment or {}),
            )

    def load_model(self, version: ModelVersion | str) -> Any:
        """The version's fitted pipeline, verified against its hash and loaded with the app's allow-list."""
        from desktop_app.core.training.model_io import load_model

        if isinstance(version, str):
            version = self.resolve(version)
        return load_model(self._objects.read_bytes(version.model_sha256))

    def holdout_rows(self, version: ModelVersion | str) -> tuple[pd.DataFrame, np.ndarray]:
        """(X, y) of the held-out (test) rows of the version's run, re-created exactly as training split them."""
        if isinstance(version, str):
            version = self.resolve(version)
        prep = self._runs.prepared(self._runs.get(version.run_id))
        return prep.X.iloc[prep.test].reset_index(drop=True), prep.y[prep.test]

    def training_rows(self, version: ModelVersion | str) -> tuple[pd.DataFrame, np.ndarray]:
        """(X, y) of the rows the version's model was fitted on (e.g. a drift reference)."""
        if isinstance(version, str):
            version = self.resolve(version)
        prep = self._runs.prepared(self._runs.get(version.run_id))
        return prep.X.iloc[prep.train].reset_index(drop=True), prep.y[prep.train]

    def compare_on_holdout(self, name: str, candidate_number: int, alias: str,
                           progress: ProgressCallback = no_progress) -> HoldoutComparison:
        """Candidate version `candidate_number` and the version holding `alias`, on the candidate's held-out rows."""
        from desktop_app.core.registry.holdout import compare

        alias = clean_alias(alias)
        with self._db.read() as session:
            model = model_by_name(session, name)
            candidate = version_entity(session, model, version_row(session, model, candidate_number))
            current = session.scalars(select(ModelAliasRow).where(
                ModelAliasRow.model_id == model.id, ModelAliasRow.name == alias)).first()
            holder = None
            if current is not None:
                holder = version_entity(session, model, session.get_one(ModelVersionRow, current.version_id))
        return compare(self._runs, candidate, holder, alias, self.load_model, progress)


    def compare_run_on_holdout(self, run_ref: str, name: str, alias: str,
                               progress: ProgressCallback = no_progress) -> HoldoutComparison:
        """A finished run not registered yet against the version holding `alias` of model `name` (which may not
        exist yet), on the run's held-out rows: what a pipeline's promotion rule decides on."""
        from desktop_app.core.registry.holdout import compare

        alias = clean_alias(alias)
        run = self._runs.get(run_ref)
        with self._db.read() as session:
            model = find_model(session, clean_model_name(name))
            holder = None
            if model is not None:
                current = session.scalars(select(ModelAliasRow).where(
                    ModelAliasRow.model_id == model.id, ModelAliasRow.name == alias)).first()
                if current is not None:
                    holder = version_entity(session, model, session.get_one(ModelVersionRow, current.version_id))
        candidate = ModelVersion(
            id="", model_id=model.id if model is not None else "", model_name=clean_model_name(name), number=0,
            run_id=run.id, model_sha256=run.model_sha256 or "", dataset_version_id=run.dataset_version_id,
            dataset_label=run.dataset_label, target=run.target, task=run.task, algorithm=run.algorithm,
            metrics=dict(run.metrics), description="", tags={}, status="active", aliases=(),
            created_at=run.created_at, created_by=run.user, host=run.host)
        return compare(self._runs, candidate, holder, alias, self.load_model, progress, label=f"run {run.short_id}")

def _metrics(session: Session, version: ModelVersionRow) -> dict[str, Any]:
    """The test metrics of the run behind `version`."""
    return dict(session.get_one(RunRow, version.run_id).metrics or {})
