"""Typed custom fields of customers and requests (issue 14); requests get `extra` values

Revision ID: 0010_fields
Revises: 0009_merges
Create Date: 2026-11-30 20:10:01
"""

import sqlalchemy as sa
from alembic import op

from context_service.models import UTCDateTime

revision = '0010_fields'
down_revision = '0009_merges'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'field_definitions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('labels', sa.JSON(), nullable=False),
        sa.Column('type', sa.String(length=10), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('max_length', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=True),
        sa.CheckConstraint("entity IN ('customer', 'request')",
                           name=op.f('ck_field_definitions_entity')),
        sa.CheckConstraint("type IN ('string', 'number', 'date', 'boolean', 'choice')",
                           name=op.f('ck_field_definitions_type')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_definitions')),
        sa.UniqueConstraint('entity', 'key', name='uq_field_definitions_entity_key'),
    )
    with op.batch_alter_table('requests') as batch_op:
        batch_op.add_column(sa.Column('extra', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('requests') as batch_op:
        batch_op.drop_column('extra')
    op.drop_table('field_definitions')
