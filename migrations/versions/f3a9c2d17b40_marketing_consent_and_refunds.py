"""marketing consent with the customer; refunds with their amount and lines

Revision ID: f3a9c2d17b40
Revises: e2b8d4c6a1f3
Create Date: 2026-12-05 09:50:00

Customers stored before this revision have not said yes to marketing: false.
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'f3a9c2d17b40'
down_revision = 'e2b8d4c6a1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepts_marketing', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_quantity', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'order_refunds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('external_id', sa.String(length=255), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('occurred_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount >= 0', name=op.f('ck_order_refunds_amount')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_refunds_order_id_orders'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_refunds')),
        sa.UniqueConstraint('order_id', 'external_id', name=op.f('uq_order_refunds_order_id_external_id')),
    )


def downgrade():
    op.drop_table('order_refunds')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_column('refunded_quantity')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('accepts_marketing')
