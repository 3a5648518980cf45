"""collection join codes: a short code per collection for /join, and every code ever issued

Revision ID: e4b7c2a9f315
Revises: c4d8e2f1a9b7
Create Date: 2026-12-03 19:20:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4b7c2a9f315'
down_revision = 'c4d8e2f1a9b7'
branch_labels = None
depends_on = None

#: Frozen here so a later change to survey_app.join.codes cannot change this migration.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def upgrade():
    op.create_table(
        'used_join_code',
        sa.Column('code', sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_used_join_code')),
    )
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_code', sa.String(length=6), nullable=True))

    conn = op.get_bind()
    used = set()
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM collection ORDER BY id"))]
    for cid in ids:
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        while code in used:
            code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        used.add(code)
        conn.execute(sa.text("UPDATE collection SET join_code = :c WHERE id = :i"),
                     {"c": code, "i": cid})
        conn.execute(sa.text("INSERT INTO used_join_code (code) VALUES (:c)"), {"c": code})

    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.alter_column('join_code', existing_type=sa.String(length=6), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_collection_join_code'), ['join_code'])


def downgrade():
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_collection_join_code'), type_='unique')
        batch_op.drop_column('join_code')
    op.drop_table('used_join_code')
