"""stored files: scan uploads, page images and write-in crops in the database
(STORAGE_BACKEND=database), shared by every app server and worker

Revision ID: b7f9b1d3e507
Revises: b5d7f9a1c305
Create Date: 2026-12-04 14:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7f9b1d3e507'
down_revision = 'b5d7f9a1c305'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_file',
        sa.Column('key', sa.String(length=500), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_file')),
    )


def downgrade():
    op.drop_table('stored_file')
