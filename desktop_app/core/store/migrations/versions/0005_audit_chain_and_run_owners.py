"""audit chain and run owners

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

The audit trail becomes a hash chain per workstation (origin, seq, prev_hash, hash); the
events already there are chained in the order they were written (time, then id) under the
workstation created here. Runs record the process that owns them, so a run left `running`
by a crashed process can be found.
"""

import socket
import uuid
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from desktop_app.core.store.audit_chain import GENESIS, event_hash
from desktop_app.core.store.models import UTCDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workstations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.JSON(), nullable=True))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    connection = op.get_bind()
    events = sa.table(
        'audit_events', sa.column('id', sa.String), sa.column('at', UTCDateTime()), sa.column('user', sa.String),
        sa.column('host', sa.String), sa.column('action', sa.String), sa.column('entity_type', sa.String),
        sa.column('entity_id', sa.String), sa.column('before', sa.JSON), sa.column('after', sa.JSON),
        sa.column('reason', sa.String), sa.column('origin', sa.String), sa.column('seq', sa.Integer),
        sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
    )
    existing = connection.execute(sa.select(events).order_by(events.c.at, events.c.id)).mappings().all()
    origin = str(uuid.uuid4())
    workstations = sa.table('workstations', sa.column('id', sa.String), sa.column('host', sa.String),
                            sa.column('created_at', UTCDateTime()))
    connection.execute(workstations.insert().values(id=origin, host=socket.gethostname() or "unknown",
                                                    created_at=datetime.now(timezone.utc)))
    previous = GENESIS
    for seq, event in enumerate(existing, start=1):
        fields = {**event, "origin": origin, "seq": seq, "prev_hash": previous, "reason": event["reason"] or ""}
        previous = event_hash(fields)
        connection.execute(events.update().where(events.c.id == event["id"]).values(
            origin=origin, seq=seq, prev_hash=fields["prev_hash"], hash=previous))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('origin', existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_audit_events_origin_seq', ['origin', 'seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_events_origin_seq', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
        batch_op.drop_column('origin')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('owner')
    op.drop_table('workstations')
