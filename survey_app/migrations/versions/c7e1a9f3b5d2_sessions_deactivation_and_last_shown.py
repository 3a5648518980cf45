"""user session version and deactivation; collection last shown

Revision ID: c7e1a9f3b5d2
Revises: c3a1d5e7f902
Create Date: 2026-12-03 18:30:00

"""
from alembic import op
import sqlalchemy as sa

import survey_app.models.base


# revision identifiers, used by Alembic.
revision = 'c7e1a9f3b5d2'
down_revision = 'c3a1d5e7f902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('deactivated_at',
                                      survey_app.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_shown_at',
                                      survey_app.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    # In place (SQLite 3.35+ drops a column without rebuilding the table): a rebuild of
    # collection would drop a table that responses point at.
    op.drop_column('collection', 'last_shown_at')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('session_version')
