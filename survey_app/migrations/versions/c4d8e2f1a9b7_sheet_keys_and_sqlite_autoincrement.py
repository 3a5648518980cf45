"""sheet keys (never-reused collection ids in QR codes) and SQLite AUTOINCREMENT

Revision ID: c4d8e2f1a9b7
Revises: c7e1a9f3b5d2
Create Date: 2026-12-03 18:40:00

Collections get a random public `sheet_key`, printed in every new sheet's QR code and
checked on import. On SQLite, the tables whose ids leave the database (collection,
response, print_batch) are rebuilt with AUTOINCREMENT, so an erased row's id is never
handed out again. The rebuild runs with foreign keys off (outside the migration's
transaction: SQLite ignores the pragma inside one), or dropping the old table would
cascade-delete the rows that point at it.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = 'c4d8e2f1a9b7'
down_revision = 'c7e1a9f3b5d2'
branch_labels = None
depends_on = None

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TABLES = ("collection", "response", "print_batch")


def _fill_keys(conn) -> None:
    for (cid,) in conn.execute(sa.text("SELECT id FROM collection")).all():
        key = "".join(secrets.choice(ALPHABET) for _ in range(8))
        conn.execute(sa.text("UPDATE collection SET sheet_key = :k WHERE id = :i"),
                     {"k": key, "i": cid})


def _add_keys(conn) -> None:
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sheet_key', sa.String(length=12), nullable=True))
    _fill_keys(conn)


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":  # PostgreSQL sequences never hand out an id twice
        _add_keys(conn)
        op.alter_column('collection', 'sheet_key', existing_type=sa.String(length=12),
                        nullable=False)
        op.create_unique_constraint(op.f('uq_collection_sheet_key'), 'collection',
                                    ['sheet_key'])
        return
    with op.get_context().autocommit_block():
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            _add_keys(conn)
            for table in TABLES:
                with op.batch_alter_table(table, recreate="always",
                                          table_kwargs={"sqlite_autoincrement": True}
                                          ) as batch_op:
                    if table == "collection":
                        batch_op.alter_column('sheet_key', existing_type=sa.String(length=12),
                                              nullable=False)
                        batch_op.create_unique_constraint(
                            batch_op.f('uq_collection_sheet_key'), ['sheet_key'])
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        op.drop_constraint(op.f('uq_collection_sheet_key'), 'collection', type_='unique')
        op.drop_column('collection', 'sheet_key')
        return
    with op.get_context().autocommit_block():
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            for table in TABLES:
                with op.batch_alter_table(table, recreate="always",
                                          table_kwargs={"sqlite_autoincrement": False}
                                          ) as batch_op:
                    if table == "collection":
                        batch_op.drop_constraint(batch_op.f('uq_collection_sheet_key'),
                                                 type_='unique')
                        batch_op.drop_column('sheet_key')
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
