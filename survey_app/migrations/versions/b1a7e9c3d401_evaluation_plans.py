"""evaluation plans: the plan document per partnership, its amendments and allocations

Revision ID: b1a7e9c3d401
Revises: e4b7c2a9f315
Create Date: 2026-12-04 14:20:00

"""
import sqlalchemy as sa
from alembic import op

import survey_app.models.base

# revision identifiers, used by Alembic.
revision = 'b1a7e9c3d401'
down_revision = 'e4b7c2a9f315'
branch_labels = None
depends_on = None

UTC = survey_app.models.base.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        'evaluation_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('body_json', sa.Text(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('updated_at', UTC, nullable=False),
        sa.Column('updated_by', sa.String(length=254), nullable=False),
        sa.Column('locked_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name=op.f('fk_evaluation_plan_partnership_id_partnership'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_plan')),
        sa.UniqueConstraint('partnership_id', name=op.f('uq_evaluation_plan_partnership_id')),
    )
    op.create_table(
        'plan_amendment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('made_at', UTC, nullable=False),
        sa.Column('made_by', sa.String(length=254), nullable=False),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.Column('why', sa.Text(), nullable=False),
        sa.Column('touches_primary', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['evaluation_plan.id'],
                                name=op.f('fk_plan_amendment_plan_id_evaluation_plan'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_amendment')),
    )
    with op.batch_alter_table('plan_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_amendment_plan_id'), ['plan_id'], unique=False)
    op.create_table(
        'plan_allocation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('made_at', UTC, nullable=False),
        sa.Column('made_by', sa.String(length=254), nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=10), nullable=False),
        sa.Column('stratified', sa.Boolean(), nullable=False),
        sa.Column('items_json', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['evaluation_plan.id'],
                                name=op.f('fk_plan_allocation_plan_id_evaluation_plan'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_allocation')),
    )
    with op.batch_alter_table('plan_allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_allocation_plan_id'), ['plan_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('plan_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_allocation_plan_id'))
    op.drop_table('plan_allocation')
    with op.batch_alter_table('plan_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_amendment_plan_id'))
    op.drop_table('plan_amendment')
    op.drop_table('evaluation_plan')
