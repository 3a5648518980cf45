"""response answered_at: when a pupil pressed Send, for answers that waited in the browser

Revision ID: b5d7f9a1c305
Revises: b2c4e6a8d002
Create Date: 2026-12-04 14:20:00

"""
import sqlalchemy as sa
from alembic import op

import survey_app.models.base

# revision identifiers, used by Alembic.
revision = 'b5d7f9a1c305'
down_revision = 'b2c4e6a8d002'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column is added in place on SQLite too (batch mode does not rebuild the
    # table for it), so `response` keeps AUTOINCREMENT and nothing trips a foreign key.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_at',
                                      survey_app.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    # In place (SQLite 3.35+ drops a column without rebuilding the table): a rebuild of
    # `response` would drop a table that answers point at, with ON DELETE CASCADE.
    op.drop_column('response', 'answered_at')
