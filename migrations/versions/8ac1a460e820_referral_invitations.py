"""referral invitations: the e-mail asking a consenting customer to share their link, one per
delivered order, at most one sent per customer in the shop's period

Revision ID: 8ac1a460e820
Revises: a7d3f19c5e42
Create Date: 2026-12-05 10:36:38.443557

"""
from alembic import op
import sqlalchemy as sa

import reviews_service.models_base


# revision identifiers, used by Alembic.
revision = '8ac1a460e820'
down_revision = 'a7d3f19c5e42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', reviews_service.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', reviews_service.models_base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('created_at', reviews_service.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'sent', 'cancelled', 'skipped')", name=op.f('ck_referral_invitations_status')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_referral_invitations_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_referral_invitations_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_referral_invitations_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_invitations')),
    sa.UniqueConstraint('order_id', name=op.f('uq_referral_invitations_order_id'))
    )
    with op.batch_alter_table('referral_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_referral_invitations_customer_sent', ['customer_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_referral_invitations_status_due', ['status', 'due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('referral_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_invitations_status_due')
        batch_op.drop_index('ix_referral_invitations_customer_sent')

    op.drop_table('referral_invitations')
