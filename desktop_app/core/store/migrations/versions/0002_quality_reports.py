"""quality reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('quality_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('dataset_version_id', sa.String(length=36), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=True),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('infos', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['dataset_version_id'], ['dataset_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quality_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_reports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_reports_dataset_version_id'), ['dataset_version_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('quality_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_reports_dataset_version_id'))
        batch_op.drop_index(batch_op.f('ix_quality_reports_created_at'))

    op.drop_table('quality_reports')

