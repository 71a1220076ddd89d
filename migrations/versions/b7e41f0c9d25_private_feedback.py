"""private feedback: a customer's message only for the shop, with a review or alone

Revision ID: b7e41f0c9d25
Revises: b5e2c8a91d47
Create Date: 2026-12-05 10:55:00
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'b7e41f0c9d25'
down_revision = 'b5e2c8a91d47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'private_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('author_name', sa.String(length=100), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_private_feedback_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_private_feedback_review_id_reviews'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_private_feedback_order_id_orders'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                name=op.f('fk_private_feedback_product_id_products'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_private_feedback')),
        sa.UniqueConstraint('public_id', name=op.f('uq_private_feedback_public_id')),
    )
    op.create_index('ix_private_feedback_sync', 'private_feedback', ['shop_id', 'updated_at', 'id'])
    op.create_index(op.f('ix_private_feedback_review_id'), 'private_feedback', ['review_id'])
    op.create_index(op.f('ix_private_feedback_email'), 'private_feedback', ['email'])


def downgrade():
    op.drop_index(op.f('ix_private_feedback_email'), table_name='private_feedback')
    op.drop_index(op.f('ix_private_feedback_review_id'), table_name='private_feedback')
    op.drop_index('ix_private_feedback_sync', table_name='private_feedback')
    op.drop_table('private_feedback')
