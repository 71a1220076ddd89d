"""moderation rule indexes: one person's recent reviews (duplicates), one product's (bursts)

Revision ID: dc51b75febdc
Revises: ade564cc85b5
Create Date: 2026-11-23 16:43:04.550745

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'dc51b75febdc'
down_revision = 'ade564cc85b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_product_created', ['product_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reviews_shop_visitor_created', ['shop_id', 'visitor_hash', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_shop_visitor_created')
        batch_op.drop_index('ix_reviews_product_created')
