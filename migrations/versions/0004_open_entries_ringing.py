"""Open entries of contacts still ringing at the agent (the caller pops up before answering)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 17:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('open_entries') as batch_op:
        batch_op.add_column(sa.Column('ringing', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('open_entries') as batch_op:
        batch_op.drop_column('ringing')
