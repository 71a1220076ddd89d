"""reviewer edits: review revisions, and when a published review was last edited

Revision ID: 5b8e2d4f1a63
Revises: 3f6a9c1d2e84
Create Date: 2026-12-05 12:10:00

Reviews stored before this revision were never edited: edited_at is null.
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '5b8e2d4f1a63'
down_revision = '3f6a9c1d2e84'
branch_labels = None
depends_on = None

STATUSES = "status IN ('pending', 'applied', 'rejected', 'superseded')"
REASONS = ("reject_reason IS NULL OR reject_reason IN ('abuse', 'spam', 'personal_data', 'off_topic', "
           "'illegal', 'duplicate', 'not_a_review')")


def upgrade():
    op.add_column('reviews', sa.Column('edited_at', UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        'review_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('previous_rating', sa.SmallInteger(), nullable=False),
        sa.Column('rating', sa.SmallInteger(), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('moderation_rule', sa.String(length=64), nullable=True),
        sa.Column('reject_reason', sa.String(length=32), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_review_revisions_rating')),
        sa.CheckConstraint('previous_rating BETWEEN 1 AND 5', name=op.f('ck_review_revisions_previous_rating')),
        sa.CheckConstraint(STATUSES, name=op.f('ck_review_revisions_status')),
        sa.CheckConstraint(REASONS, name=op.f('ck_review_revisions_reject_reason')),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_revisions_review_id_reviews'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_review_revisions_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_revisions')),
    )
    with op.batch_alter_table('review_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_review_revisions_review', ['review_id', 'id'], unique=False)
        batch_op.create_index('ix_review_revisions_shop_status_created', ['shop_id', 'status', 'created_at', 'id'],
                              unique=False)
        batch_op.create_index('uq_review_revisions_one_pending', ['review_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('review_revisions', schema=None) as batch_op:
        batch_op.drop_index('uq_review_revisions_one_pending')
        batch_op.drop_index('ix_review_revisions_shop_status_created')
        batch_op.drop_index('ix_review_revisions_review')
    op.drop_table('review_revisions')
    # Not a batch operation: on SQLite that copies the table, and the copy would lose the indexes on
    # expressions (ix_reviews_public_lowest, ix_reviews_public_photos), which it cannot reflect.
    op.execute("ALTER TABLE reviews DROP COLUMN edited_at")
