"""onboarding programmes: steps over weeks, members, a calibration criterion

Revision ID: 0005_programmes
Revises: 0004_mapping
Create Date: 2026-12-01 13:40:00

New tables only (``programmes``, ``programme_steps``, ``programme_members``,
``programme_workshop_members``): nothing stored before changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_programmes'
down_revision = '0004_mapping'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('mentor_secret_hash', sa.String(length=128), nullable=False),
    sa.Column('owner_hub_user', sa.String(length=120), nullable=True),
    sa.Column('hub_group', sa.String(length=120), nullable=True),
    sa.Column('starts_on', sa.DateTime(timezone=True), nullable=False),
    sa.Column('criterion', sa.JSON(), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_group_size >= 1', name=op.f('ck_programmes_min_group_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('join_code', name=op.f('uq_programmes_join_code'))
    )
    op.create_table('programme_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('case_ids', sa.JSON(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('cases', 'workshop')", name=op.f('ck_programme_steps_kind_valid')),
    sa.CheckConstraint('week >= 1', name=op.f('ck_programme_steps_week_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_steps_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_programme_steps_workshop_id_workshops'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_steps'))
    )
    op.create_index(op.f('ix_programme_steps_programme_id'), 'programme_steps', ['programme_id'], unique=False)
    op.create_table('programme_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_programme_members_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_members_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_members')),
    sa.UniqueConstraint('programme_id', 'participant_id', name='uq_programme_members_programme_participant')
    )
    op.create_index(op.f('ix_programme_members_participant_id'), 'programme_members', ['participant_id'], unique=False)
    op.create_index(op.f('ix_programme_members_programme_id'), 'programme_members', ['programme_id'], unique=False)
    op.create_table('programme_workshop_members',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['programme_members.id'], name=op.f('fk_programme_workshop_members_member_id_programme_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_programme_workshop_members_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_programme_workshop_members_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'workshop_id', name=op.f('pk_programme_workshop_members')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_programme_workshop_members_participant_id'))
    )


def downgrade() -> None:
    op.drop_table('programme_workshop_members')
    op.drop_index(op.f('ix_programme_members_programme_id'), table_name='programme_members')
    op.drop_index(op.f('ix_programme_members_participant_id'), table_name='programme_members')
    op.drop_table('programme_members')
    op.drop_index(op.f('ix_programme_steps_programme_id'), table_name='programme_steps')
    op.drop_table('programme_steps')
    op.drop_table('programmes')
