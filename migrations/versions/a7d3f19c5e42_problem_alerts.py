"""problem alerts: low ratings waiting for the batched e-mail, and who opted into it

Revision ID: a7d3f19c5e42
Revises: c4e1a9d27b35
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from reviews_service.models_base import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a7d3f19c5e42'
down_revision = 'c4e1a9d27b35'
branch_labels = None
depends_on = None


def upgrade():
    # Nobody is opted in by the migration: an alert e-mail is sent only to those who ask for it.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problem_alerts', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'problem_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('product', sa.String(length=500), nullable=False),
        sa.Column('stars', sa.Integer(), nullable=True),
        sa.Column('excerpt', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('notified_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_problem_alerts_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_alerts')),
    )
    with op.batch_alter_table('problem_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_problem_alerts_waiting', ['shop_id', 'notified_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_alerts_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('problem_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_alerts_email'))
        batch_op.drop_index('ix_problem_alerts_waiting')
    op.drop_table('problem_alerts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('problem_alerts')
