"""pipeline runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

A pipeline's definition is a mutable setting (store.changes, key `pipeline:<name>`), so it
needs no table; each run of a pipeline is a row of its own (core.pipelines).
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pipeline_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('pipeline', sa.String(length=200), nullable=False),
    sa.Column('definition_event_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('stopped_at_step', sa.String(length=20), nullable=True),
    sa.Column('input_path', sa.Text(), nullable=False),
    sa.Column('input_sha256', sa.String(length=64), nullable=True),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('made', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('user', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pipeline_runs', schema=None) as batch_op:
        batch_op.create_index('ix_pipeline_runs_pipeline_started', ['pipeline', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipeline_runs_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pipeline_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pipeline_runs_status'))
        batch_op.drop_index('ix_pipeline_runs_pipeline_started')
    op.drop_table('pipeline_runs')
