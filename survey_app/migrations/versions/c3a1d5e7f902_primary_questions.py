"""primary questions per survey version (the outcomes results headline); report quotes

Revision ID: c3a1d5e7f902
Revises: 715dcb97ae5e
Create Date: 2026-12-03 18:40:00

"""
from alembic import op
import sqlalchemy as sa

import survey_app.models.base


# revision identifiers, used by Alembic.
revision = 'c3a1d5e7f902'
down_revision = '715dcb97ae5e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('primary_questions', sa.Text(), nullable=True))
    op.create_table('report_quote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('chosen_at', survey_app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_report_quote_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_report_quote_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_quote')),
    sa.UniqueConstraint('survey_id', 'answer_id', name=op.f('uq_report_quote_survey_id'))
    )
    with op.batch_alter_table('report_quote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_quote_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_quote_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_quote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_quote_survey_id'))
        batch_op.drop_index(batch_op.f('ix_report_quote_answer_id'))
    op.drop_table('report_quote')
    # In place (SQLite 3.35+): a rebuild would drop a table that collections point at.
    op.drop_column('survey_version', 'primary_questions')
