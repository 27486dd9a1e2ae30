"""Care desktop routing: agent state, tasks, chat and email messages, connector webhooks

Existing agents start Not Ready: nobody is offered anything before they say so.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:40:36.131601
"""

import sqlalchemy as sa
from alembic import op

import context_service.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=2000), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_at', context_service.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('delivery_status', sa.String(length=10), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', context_service.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', context_service.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_messages_direction')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_messages_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('activity_id', 'message_id', name='uq_messages_activity_message')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index('ix_messages_delivery_due', ['delivery_status', 'next_attempt_at'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=100), nullable=False),
    sa.Column('media_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('agent_id', sa.String(length=100), nullable=True),
    sa.Column('queued_at', context_service.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('offered_at', context_service.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offer_deadline', context_service.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offers', sa.Integer(), nullable=False),
    sa.Column('accepted_at', context_service.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', context_service.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', context_service.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'offered', 'active', 'completed', 'abandoned')", name=op.f('ck_tasks_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_tasks_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_tasks_agent_id_agents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('activity_id', name=op.f('uq_tasks_activity_id'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_agent_id_status', ['agent_id', 'status'], unique=False)
        batch_op.create_index('ix_tasks_status_queued_at', ['status', 'queued_at'], unique=False)
        batch_op.create_index('uq_tasks_one_offer_per_agent', ['agent_id'], unique=True, sqlite_where=sa.text("status = 'offered'"), postgresql_where=sa.text("status = 'offered'"))

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('connector_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_activities_connector_id_api_tokens'), 'api_tokens', ['connector_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), nullable=False,
                                      server_default='not_ready'))
        batch_op.add_column(sa.Column('state_reason', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('state_changed_at', context_service.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('idle_since', context_service.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_agents_state_idle_since', ['state', 'idle_since'], unique=False)
        batch_op.create_check_constraint('state', "state IN ('ready', 'not_ready')")
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('webhook_salt', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('webhook_set_at', context_service.models.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('webhook_set_at')
        batch_op.drop_column('webhook_salt')
        batch_op.drop_column('webhook_url')

    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_constraint('state', type_='check')
        batch_op.drop_index('ix_agents_state_idle_since')
        batch_op.drop_column('idle_since')
        batch_op.drop_column('state_changed_at')
        batch_op.drop_column('state_reason')
        batch_op.drop_column('state')

    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activities_connector_id_api_tokens'), type_='foreignkey')
        batch_op.drop_column('connector_id')

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('uq_tasks_one_offer_per_agent', sqlite_where=sa.text("status = 'offered'"), postgresql_where=sa.text("status = 'offered'"))
        batch_op.drop_index('ix_tasks_status_queued_at')
        batch_op.drop_index('ix_tasks_agent_id_status')

    op.drop_table('tasks')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_delivery_due')
        batch_op.drop_index(batch_op.f('ix_messages_activity_id'))

    op.drop_table('messages')
