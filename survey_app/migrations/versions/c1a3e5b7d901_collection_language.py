"""collection language: the language a pupil's page opens in

Revision ID: c1a3e5b7d901
Revises: b7f9b1d3e507
Create Date: 2026-12-04 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c1a3e5b7d901'
down_revision = 'b7f9b1d3e507'
branch_labels = None
depends_on = None


def upgrade():
    # Adding a column with a server default is a plain ALTER TABLE on both databases: no
    # rebuild of `collection` (which keeps AUTOINCREMENT and its foreign keys untouched).
    op.add_column('collection', sa.Column('language', sa.String(length=12),
                                          server_default='en', nullable=False))


def downgrade():
    # In place (SQLite 3.35+ drops a column without rebuilding the table): a rebuild of
    # `collection` would trip the foreign keys that point at it.
    op.drop_column('collection', 'language')
