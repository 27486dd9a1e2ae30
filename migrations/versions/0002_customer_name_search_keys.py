"""Customer name search keys: casefolded in Python, cut to 200 characters

SQL lower() leaves non-ASCII letters (Ø, Č, Ü) alone on SQLite, so searches for
Norwegian, Serbian or German names missed; and an index on lower() of a
2000-character name overflows a PostgreSQL btree entry (a 500 on save).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

KEY_MAX = 200
KEYS = ('name_key', 'last_name_key')


def _key(*parts):
    """Frozen copy of models.search_key, so this migration never changes meaning."""
    return " ".join(" ".join(p for p in parts if p).split()).casefold()[:KEY_MAX]


def upgrade() -> None:
    op.drop_index('ix_customers_first_name_lower', table_name='customers')
    op.drop_index('ix_customers_last_name_lower', table_name='customers')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        for column in KEYS:
            batch_op.add_column(sa.Column(column, sa.String(length=KEY_MAX), nullable=False,
                                          server_default=''))

    customers = sa.table('customers', sa.column('id', sa.Integer()),
                         sa.column('first_name', sa.String()), sa.column('last_name', sa.String()),
                         sa.column('name_key', sa.String()), sa.column('last_name_key', sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(customers.c.id, customers.c.first_name,
                                        customers.c.last_name)).all()
    for id_, first, last in rows:
        connection.execute(customers.update().where(customers.c.id == id_)
                           .values(name_key=_key(first, last), last_name_key=_key(last)))

    with op.batch_alter_table('customers', schema=None) as batch_op:
        for column in KEYS:
            batch_op.alter_column(column, server_default=None)
            batch_op.create_index(f'ix_customers_{column}', [column], unique=False,
                                  postgresql_ops={column: 'varchar_pattern_ops'})


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        for column in KEYS:
            batch_op.drop_index(f'ix_customers_{column}')
            batch_op.drop_column(column)
    op.create_index('ix_customers_first_name_lower', 'customers', [sa.text('lower(first_name)')])
    op.create_index('ix_customers_last_name_lower', 'customers', [sa.text('lower(last_name)')])
