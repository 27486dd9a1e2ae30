"""Search by indexes on both databases: keys compared by code point, phones' digit forms

Each kind of search is a prefix range on an index that also gives the order results are
shown in (domain/customers.py). On PostgreSQL the search keys take the "C" collation, so
a range is a prefix match and an ordinary btree serves it (the pattern-ops indexes did
not give the order); SQLite compares them so already. Phones get their national number
and their reversed digits, for partial digits typed from the start or the end.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:50:01
"""

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

DIGITS_MAX = 20
KEYS = (('customers', 'name_key', 200), ('customers', 'last_name_key', 200),
        ('contact_points', 'key', 320))


def _text(length):
    return sa.String(length).with_variant(sa.String(length, collation='C'),
                                          'postgresql')


def _forms(e164):
    """Frozen copy of addresses.phone_digit_forms, so this migration never changes meaning."""
    national = phonenumbers.national_significant_number(phonenumbers.parse(e164))
    return national, e164.lstrip('+')[::-1]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.drop_index('ix_customers_name_key', table_name='customers')
    op.drop_index('ix_customers_last_name_key', table_name='customers')
    op.drop_index('ix_contact_points_kind_key', table_name='contact_points')
    if postgres:
        for table, column, length in KEYS:
            op.alter_column(table, column, type_=sa.String(length, collation='C'),
                            existing_type=sa.String(length), existing_nullable=False)
    with op.batch_alter_table('contact_points') as batch_op:
        batch_op.add_column(sa.Column('national_digits', _text(DIGITS_MAX), nullable=True))
        batch_op.add_column(sa.Column('reversed_digits', _text(DIGITS_MAX), nullable=True))

    points = sa.table('contact_points', sa.column('id', sa.Integer()),
                      sa.column('kind', sa.String()), sa.column('key', sa.String()),
                      sa.column('national_digits', sa.String()),
                      sa.column('reversed_digits', sa.String()))
    connection = op.get_bind()
    phones = connection.execute(sa.select(points.c.id, points.c.key)
                                .where(points.c.kind == 'phone')).all()
    update = (points.update().where(points.c.id == sa.bindparam('point_id'))
              .values(national_digits=sa.bindparam('national'),
                      reversed_digits=sa.bindparam('reversed')))
    for start in range(0, len(phones), 10_000):
        connection.execute(update, [
            dict(zip(('point_id', 'national', 'reversed'), (id_, *_forms(key)), strict=True))
            for id_, key in phones[start:start + 10_000]])

    op.create_index('ix_customers_name_key', 'customers', ['name_key', 'id'])
    op.create_index('ix_customers_last_name_key', 'customers',
                    ['last_name_key', 'name_key', 'id'])
    op.create_index('ix_contact_points_kind_key', 'contact_points',
                    ['kind', 'key', 'customer_id'])
    op.create_index('ix_contact_points_national_digits', 'contact_points',
                    ['national_digits', 'customer_id'])
    op.create_index('ix_contact_points_reversed_digits', 'contact_points',
                    ['reversed_digits', 'customer_id'])


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table in (('ix_contact_points_reversed_digits', 'contact_points'),
                        ('ix_contact_points_national_digits', 'contact_points'),
                        ('ix_contact_points_kind_key', 'contact_points'),
                        ('ix_customers_last_name_key', 'customers'),
                        ('ix_customers_name_key', 'customers')):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('contact_points') as batch_op:
        batch_op.drop_column('reversed_digits')
        batch_op.drop_column('national_digits')
    if postgres:
        for table, column, length in KEYS:
            op.alter_column(table, column, type_=sa.String(length),
                            existing_type=sa.String(length, collation='C'),
                            existing_nullable=False)
    op.create_index('ix_contact_points_kind_key', 'contact_points', ['kind', 'key'])
    for column in ('name_key', 'last_name_key'):
        op.create_index(f'ix_customers_{column}', 'customers', [column],
                        postgresql_ops={column: 'varchar_pattern_ops'})
