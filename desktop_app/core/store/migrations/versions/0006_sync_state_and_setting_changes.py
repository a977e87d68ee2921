"""sync state and setting changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

What sync through a shared folder needs (docs/sync.md): which workstation is this one, its
sync state and cursors, stamps that order dataset and model versions the same way everywhere,
and mutable settings as a log of stamped changes (store.changes). The settings changed before
this revision are logged from their audit events, each replacing the one before it.
"""

import re
from datetime import timezone

from alembic import op
import sqlalchemy as sa

from desktop_app.core.store.changes import alias_key, describe_key, drift_key, gate_key, status_key
from desktop_app.core.store.hlc import Stamp
from desktop_app.core.store.models import UTCDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workstations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_local', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('dataset_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp', sa.String(length=100), nullable=True))
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp', sa.String(length=100), nullable=True))
    op.create_table('setting_changes',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('stamp', sa.String(length=100), nullable=False),
    sa.Column('replaces', sa.JSON(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('setting_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setting_changes_key'), ['key'], unique=False)
    op.create_table('setting_replaced',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('sync_state',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('folder', sa.Text(), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_seq', sa.Integer(), nullable=False),
    sa.Column('published_batch', sa.Integer(), nullable=False),
    sa.Column('published_hash', sa.String(length=64), nullable=False),
    sa.Column('clock', sa.String(length=100), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_report', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sync_cursors',
    sa.Column('workstation_id', sa.String(length=36), nullable=False),
    sa.Column('applied_batch', sa.Integer(), nullable=False),
    sa.Column('applied_hash', sa.String(length=64), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('workstation_id')
    )
    _backfill(op.get_bind())


def _backfill(connection) -> None:
    workstations = sa.table('workstations', sa.column('id', sa.String), sa.column('created_at', UTCDateTime()),
                            sa.column('is_local', sa.Boolean))
    origin = connection.execute(sa.select(workstations.c.id).order_by(workstations.c.created_at)).scalar()
    connection.execute(workstations.update().values(is_local=True))
    clock = Stamp(0, 0, origin or "")

    # Versions keep their numbers: their stamps follow creation time, then number.
    for name in ('dataset_versions', 'model_versions'):
        table = sa.table(name, sa.column('id', sa.String), sa.column('number', sa.Integer),
                         sa.column('created_at', UTCDateTime()), sa.column('stamp', sa.String))
        for row in connection.execute(sa.select(table.c.id, table.c.number, table.c.created_at)).all():
            stamp = Stamp(_millis(row.created_at), row.number, origin or "")
            clock = max(clock, stamp)
            connection.execute(table.update().where(table.c.id == row.id).values(stamp=str(stamp)))

    events = sa.table('audit_events', sa.column('id', sa.String), sa.column('at', UTCDateTime()),
                      sa.column('seq', sa.Integer), sa.column('action', sa.String),
                      sa.column('entity_id', sa.String), sa.column('after', sa.JSON))
    changes = sa.table('setting_changes', sa.column('event_id', sa.String), sa.column('key', sa.String),
                       sa.column('stamp', sa.String), sa.column('replaces', sa.JSON), sa.column('value', sa.JSON))
    replaced = sa.table('setting_replaced', sa.column('event_id', sa.String))
    actions = ('model.alias', 'model.archive', 'model.restore', 'model.gate', 'model.describe',
               'model.drift_settings')
    last: dict[str, str] = {}
    described: dict[str, dict] = {}
    for event in connection.execute(sa.select(events).where(events.c.action.in_(actions))
                                    .order_by(events.c.at, events.c.seq)).all():
        key, value = _setting(event, described)
        stamp = Stamp(_millis(event.at), event.seq, origin or "")
        clock = max(clock, stamp)
        previous = last.get(key)
        connection.execute(changes.insert().values(event_id=event.id, key=key, stamp=str(stamp),
                                                   replaces=[previous] if previous else [], value=value))
        if previous:
            connection.execute(replaced.insert().values(event_id=previous))
        last[key] = event.id

    state = sa.table('sync_state', sa.column('id', sa.String), sa.column('published_seq', sa.Integer),
                     sa.column('published_batch', sa.Integer), sa.column('published_hash', sa.String),
                     sa.column('clock', sa.String))
    connection.execute(state.insert().values(id='local', published_seq=0, published_batch=0,
                                             published_hash='0' * 64, clock=str(clock) if origin else ''))


def _setting(event, described: dict[str, dict]) -> tuple[str, dict]:
    after = event.after or {}
    if event.action == 'model.alias':
        return alias_key(event.entity_id, after.get('alias')), {'version_id': after.get('version_id')}
    if event.action in ('model.archive', 'model.restore'):
        return status_key(event.entity_id), {'status': after.get('status')}
    if event.action == 'model.gate':
        return gate_key(event.entity_id), {'kpi_gate': [_rule(r) for r in after.get('rules', [])]}
    if event.action == 'model.drift_settings':
        return drift_key(event.entity_id), {'drift_settings': dict(after)}
    state = described.setdefault(event.entity_id, {'description': '', 'tags': {}})
    state.update({k: after[k] for k in ('description', 'tags') if k in after})
    return describe_key(event.entity_id), dict(state)


def _rule(text: str) -> dict:
    """A KPI rule as the audit trail wrote it ("recall>=0.7") in its stored form (frozen here, as
    migrations are: the registry's own parser may change)."""
    metric, op_, value = re.match(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|>|<)\s*(\S+)\s*$", text).groups()
    return {'metric': metric.lower(), 'op': op_, 'value': float(value)}


def _millis(at) -> int:
    return int(at.astimezone(timezone.utc).timestamp() * 1000)


def downgrade() -> None:
    op.drop_table('sync_cursors')
    op.drop_table('sync_state')
    op.drop_table('setting_replaced')
    with op.batch_alter_table('setting_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setting_changes_key'))
    op.drop_table('setting_changes')
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.drop_column('stamp')
    with op.batch_alter_table('dataset_versions', schema=None) as batch_op:
        batch_op.drop_column('stamp')
    with op.batch_alter_table('workstations', schema=None) as batch_op:
        batch_op.drop_column('is_local')
