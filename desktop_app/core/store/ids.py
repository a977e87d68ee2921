"""Ids and times as every table stores them; no SQLAlchemy here, so a glance at a project
(`store.glance`) makes the same ids the models do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

ID_LENGTH = 36  # len(str(uuid4())): every id column


def new_id() -> str:
    return str(uuid.uuid4())


def named_id(project_id: str, kind: str, name: str) -> str:
    """The id of a named thing (dataset, experiment, registered model): the same on every workstation,
    so two workstations that both create `heart-risk` create one model (sync merges them as one)."""
    return str(uuid.uuid5(uuid.UUID(project_id), f"{kind}:{name}"))


def derived_id(parent_id: str, kind: str, key: str) -> str:
    """The id of a thing determined by its parent and content (a dataset's version of one snapshot, a
    model's version of one run): identical work on two workstations makes one row."""
    return str(uuid.uuid5(uuid.UUID(parent_id), f"{kind}:{key}"))


def utcnow() -> datetime:
    return datetime.now(UTC)
