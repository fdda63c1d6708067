"""the Signs of Safety mapping of an answer (issue 16)

The trainee's three columns (entries: a case factor placed in a part, or their
own words), danger statement, safety goal and the two scaling questions. The
scale itself stays ``answers.safety_scale``.

Revision ID: 0004_mapping
Revises: 0003_hub
Create Date: 2026-12-01 13:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_mapping'
down_revision = '0003_hub'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'answer_mappings',
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('danger_statement', sa.Text(), nullable=False),
        sa.Column('safety_goal', sa.Text(), nullable=False),
        sa.Column('why_not_lower', sa.Text(), nullable=False),
        sa.Column('one_step_up', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_answer_mappings_answer_id_answers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('answer_id', name=op.f('pk_answer_mappings')),
    )
    op.create_table(
        'answer_mapping_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=16), nullable=False),
        sa.Column('factor_id', sa.String(length=60), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.CheckConstraint("part IN ('harm', 'complicating', 'strengths', 'safety', 'goals', 'steps')",
                           name=op.f('ck_answer_mapping_entries_part_valid')),
        sa.CheckConstraint('(factor_id IS NULL) <> (text IS NULL)', name=op.f('ck_answer_mapping_entries_factor_or_text')),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'],
                                name=op.f('fk_answer_mapping_entries_answer_id_answers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_mapping_entries')),
    )
    with op.batch_alter_table('answer_mapping_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_mapping_entries_answer_id'), ['answer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('answer_mapping_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_mapping_entries_answer_id'))
    op.drop_table('answer_mapping_entries')
    op.drop_table('answer_mappings')
