"""primary questions per survey version (the outcomes results headline)

Revision ID: c3a1d5e7f902
Revises: 715dcb97ae5e
Create Date: 2026-12-03 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a1d5e7f902'
down_revision = '715dcb97ae5e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('primary_questions', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('survey_version', schema=None) as batch_op:
        batch_op.drop_column('primary_questions')
