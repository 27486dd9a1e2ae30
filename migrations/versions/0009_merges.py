"""Customer merges with undo (issue 14): what each merge moved, to put it back

Revision ID: 0009_merges
Revises: 0007
Create Date: 2026-11-30 20:10:00
"""

import sqlalchemy as sa
from alembic import op

from context_service.models import UTCDateTime

revision = '0009_merges'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_merges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survivor_id', sa.Integer(), nullable=False),
        sa.Column('merged_id', sa.Integer(), nullable=False),
        sa.Column('merged_at', UTCDateTime(), nullable=False),
        sa.Column('merged_by', sa.String(length=200), nullable=False),
        sa.Column('survivor_version', sa.Integer(), nullable=False),
        sa.Column('undo', sa.JSON(), nullable=False),
        sa.Column('undone_at', UTCDateTime(), nullable=True),
        sa.Column('undone_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['survivor_id'], ['customers.id'],
                                name=op.f('fk_customer_merges_survivor_id_customers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_merges')),
    )
    op.create_index(op.f('ix_customer_merges_survivor_id'), 'customer_merges', ['survivor_id'])
    op.create_index(op.f('ix_customer_merges_merged_id'), 'customer_merges', ['merged_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_customer_merges_merged_id'), table_name='customer_merges')
    op.drop_index(op.f('ix_customer_merges_survivor_id'), table_name='customer_merges')
    op.drop_table('customer_merges')
