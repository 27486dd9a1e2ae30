"""Bulk customer imports (issue 14): each import's progress, resumable by its id; and
presence: which customer each agent's gadget shows

Revision ID: 0011_imports
Revises: 0010_fields
Create Date: 2026-11-30 20:10:02
"""

import sqlalchemy as sa
from alembic import op

from context_service.models import UTCDateTime

revision = '0011_imports'
down_revision = '0010_fields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_imports',
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('total_lines', sa.Integer(), nullable=False),
        sa.Column('processed_lines', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('refused', sa.Integer(), nullable=False),
        sa.Column('refusals', sa.JSON(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=False),
        sa.Column('heartbeat_at', UTCDateTime(), nullable=False),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_imports')),
    )
    op.create_table(
        'presence',
        sa.Column('agent_id', sa.String(length=100), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('since', UTCDateTime(), nullable=False),
        sa.Column('seen_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_presence_customer_id_customers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_presence')),
    )
    op.create_index(op.f('ix_presence_customer_id'), 'presence', ['customer_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_presence_customer_id'), table_name='presence')
    op.drop_table('presence')
    op.drop_table('customer_imports')
