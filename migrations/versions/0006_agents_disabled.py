"""Agents can be disabled: no sign-in, tokens revoked, streams closed

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 19:30:00
"""

import sqlalchemy as sa
from alembic import op

import context_service.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agents') as batch_op:
        batch_op.add_column(sa.Column('disabled_at', context_service.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agents') as batch_op:
        batch_op.drop_column('disabled_at')
