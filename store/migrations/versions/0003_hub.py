"""hub users' identities in workshops

A JupyterHub user answers self-paced as their own participant (``hub_user``)
and, in each workshop they join, as a participant of that workshop whose
``hub_owner`` names them, so a case answered on one's own and again in a
workshop are two answers.

Revision ID: 0003_hub
Revises: 0002_security
Create Date: 2026-12-01 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_hub'
down_revision = '0002_security'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hub_owner', sa.String(length=120), nullable=True))
        batch_op.create_index('uq_participants_hub_owner_workshop', ['hub_owner', 'workshop_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('uq_participants_hub_owner_workshop')
        batch_op.drop_column('hub_owner')
