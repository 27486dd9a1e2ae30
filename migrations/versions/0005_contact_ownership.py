"""Contacts belong to who reported them: the reporter of each event, connector keys' shared
sources; tags keyed in Unicode NFC

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 18:10:00
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _tag_name(raw: str) -> str:
    return unicodedata.normalize("NFC", " ".join(raw.split()))


def upgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch_op:
        batch_op.add_column(sa.Column('shared_sources', sa.JSON(), server_default='[]',
                                      nullable=False))
    with op.batch_alter_table('contact_events') as batch_op:
        batch_op.add_column(sa.Column('reporter', sa.String(length=200), nullable=True))
    # Tags told apart by case only were one tag (R5); now composition does not count either.
    # Where two tags of one activity now share a key, the older one stays.
    tags = sa.table('tags', sa.column('id', sa.Integer), sa.column('activity_id', sa.Integer),
                    sa.column('name', sa.String), sa.column('key', sa.String))
    conn = op.get_bind()
    keep, drop = {}, []
    for row in conn.execute(sa.select(tags).order_by(tags.c.id)).all():
        name = _tag_name(row.name)
        key = unicodedata.normalize("NFC", name.casefold())
        if (row.activity_id, key) in keep:
            drop.append(row.id)
        else:
            keep[(row.activity_id, key)] = (row, name)
    if drop:  # first, so no renamed tag meets one that is going
        conn.execute(tags.delete().where(tags.c.id.in_(drop)))
    for (_activity, key), (row, name) in keep.items():
        if (name, key) != (row.name, row.key):
            conn.execute(tags.update().where(tags.c.id == row.id).values(name=name, key=key))


def downgrade() -> None:
    with op.batch_alter_table('contact_events') as batch_op:
        batch_op.drop_column('reporter')
    with op.batch_alter_table('api_tokens') as batch_op:
        batch_op.drop_column('shared_sources')
