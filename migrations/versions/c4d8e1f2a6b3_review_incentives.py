"""review incentives: the offer a review was submitted under, and its one reward

Revision ID: c4d8e1f2a6b3
Revises: 8ac1a460e820
Create Date: 2026-12-05 10:55:00

Reviews stored before this revision were submitted under no offer: null.
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c4d8e1f2a6b3'
down_revision = '8ac1a460e820'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('referrer_reward', 'friend_offer')"
NEW_KINDS = "kind IN ('referrer_reward', 'friend_offer', 'review_incentive')"


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incentive', sa.String(length=8), nullable=True))
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_coupons_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_coupons_kind'), NEW_KINDS)
    op.create_table(
        'review_incentives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('offer', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('coupon_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=64), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('issued', 'withheld', 'waiting')",
                           name=op.f('ck_review_incentives_status')),
        sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'],
                                name=op.f('fk_review_incentives_coupon_id_coupons'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'],
                                name=op.f('fk_review_incentives_review_id_reviews'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'],
                                name=op.f('fk_review_incentives_shop_id_shops'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_incentives')),
        sa.UniqueConstraint('review_id', name=op.f('uq_review_incentives_review_id')),
    )
    with op.batch_alter_table('review_incentives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_incentives_shop_id'), ['shop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_incentives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_incentives_shop_id'))
    op.drop_table('review_incentives')
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_coupons_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_coupons_kind'), OLD_KINDS)
    # Not a batch: on SQLite that would copy the table and lose its partial indexes.
    op.execute("ALTER TABLE reviews DROP COLUMN incentive")
