"""security: workshops close and have owners, pseudonym keys, failed-attempt log

Revision ID: 0002_security
Revises: 0001_initial
Create Date: 2026-12-01 10:30:00

* ``workshops.closed_at``: a closed workshop takes no new participants.
* ``workshops.owner_hub_user`` and ``workshop_mentors``: behind JupyterHub a
  mentor opens only the workshops they created or were granted.
* ``participants.pseudonym_key`` (unique per workshop): look-alike pseudonyms
  are one pseudonym. Existing rows get their key; two existing participants of
  one workshop whose keys collide keep their rows, the later one's key made
  distinct with its id.
* ``auth_failures``: failed code, key and secret attempts per client, for the
  throttle.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_security'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: on SQLite a batch "move and copy" of these tables would
    # drop them, and with foreign keys on that cascades into answers (tests/durability/test_upgrade.py).
    op.add_column('workshops', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('workshops', sa.Column('owner_hub_user', sa.String(length=120), nullable=True))

    op.create_table('workshop_mentors',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('hub_user', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_mentors_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'hub_user', name=op.f('pk_workshop_mentors'))
    )
    op.create_table('auth_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_failures'))
    )
    op.create_index('ix_auth_failures_client_at', 'auth_failures', ['client', 'at'], unique=False)
    op.add_column('participants', sa.Column('pseudonym_key', sa.String(length=120), nullable=True))
    _backfill_pseudonym_keys()
    op.create_index('uq_participants_workshop_pseudonym_key', 'participants', ['workshop_id', 'pseudonym_key'],
                    unique=True)


def _backfill_pseudonym_keys() -> None:
    from store.pseudonym import key

    conn = op.get_bind()
    participants = sa.table('participants', sa.column('id', sa.Integer), sa.column('workshop_id', sa.Integer),
                            sa.column('pseudonym', sa.String), sa.column('pseudonym_key', sa.String))
    seen: set[tuple] = set()
    rows = conn.execute(sa.select(participants.c.id, participants.c.workshop_id, participants.c.pseudonym)
                        .order_by(participants.c.id)).all()
    for pid, workshop_id, pseudonym in rows:
        k = key(pseudonym or "")
        if workshop_id is not None and (workshop_id, k) in seen:
            k = f"{k}#{pid}"[-120:]
        seen.add((workshop_id, k))
        conn.execute(participants.update().where(participants.c.id == pid).values(pseudonym_key=k))


def downgrade() -> None:
    op.drop_index('uq_participants_workshop_pseudonym_key', table_name='participants')
    op.drop_column('participants', 'pseudonym_key')
    op.drop_index('ix_auth_failures_client_at', table_name='auth_failures')
    op.drop_table('auth_failures')
    op.drop_table('workshop_mentors')
    op.drop_column('workshops', 'owner_hub_user')
    op.drop_column('workshops', 'closed_at')
