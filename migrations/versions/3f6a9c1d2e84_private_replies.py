"""private replies and follow-up threads: the inbox of private feedback and low ratings, the shop's
private answers by e-mail, and the edits reviewers made after one

Revision ID: 3f6a9c1d2e84
Revises: b7e41f0c9d25
Create Date: 2026-12-05 12:10:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '3f6a9c1d2e84'
down_revision = 'b7e41f0c9d25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feedback_threads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('customer_name', sa.String(length=100), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('opened_by', sa.String(length=16), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('activity_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name=op.f('ck_feedback_threads_status')),
        sa.CheckConstraint("opened_by IN ('feedback', 'low_rating', 'reply')",
                           name=op.f('ck_feedback_threads_opened_by')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_feedback_threads_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_feedback_threads_review_id_reviews'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_feedback_threads_order_id_orders'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                name=op.f('fk_feedback_threads_product_id_products'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_threads')),
        sa.UniqueConstraint('public_id', name=op.f('uq_feedback_threads_public_id')),
        sa.UniqueConstraint('review_id', name=op.f('uq_feedback_threads_review_id')),
    )
    op.create_index('ix_feedback_threads_inbox', 'feedback_threads', ['shop_id', 'status', 'activity_at', 'id'])
    op.create_index(op.f('ix_feedback_threads_order_id'), 'feedback_threads', ['order_id'])
    op.create_index(op.f('ix_feedback_threads_email'), 'feedback_threads', ['email'])

    op.create_table(
        'private_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('author_user_id', sa.Integer(), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_private_replies_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['feedback_threads.id'],
                                name=op.f('fk_private_replies_thread_id_feedback_threads'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_user_id'], ['users.id'],
                                name=op.f('fk_private_replies_author_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_private_replies')),
        sa.UniqueConstraint('public_id', name=op.f('uq_private_replies_public_id')),
    )
    op.create_index(op.f('ix_private_replies_thread_id'), 'private_replies', ['thread_id'])

    op.create_table(
        'edits_after_private_reply',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=True),
        sa.Column('old_rating', sa.SmallInteger(), nullable=False),
        sa.Column('new_rating', sa.SmallInteger(), nullable=False),
        sa.Column('direction', sa.String(length=10), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('up', 'down', 'unchanged')",
                           name=op.f('ck_edits_after_private_reply_direction')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_edits_after_private_reply_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'],
                                name=op.f('fk_edits_after_private_reply_review_id_reviews'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_edits_after_private_reply')),
    )
    op.create_index('ix_edits_after_private_reply_shop_at', 'edits_after_private_reply', ['shop_id', 'created_at'])

    # Each message of private feedback belongs to the thread it opened or joined.
    with op.batch_alter_table('private_feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_private_feedback_thread_id_feedback_threads'),
                                    'feedback_threads', ['thread_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_private_feedback_thread_id'), ['thread_id'], unique=False)
    _threads_for_existing_feedback()


def _threads_for_existing_feedback():
    """Feedback stored before threads existed joins a thread as new feedback would: its review's,
    else its order's (same address), else one of its own; open, since nobody has answered it here.
    Older reviews of 1 or 2 stars get none: their alerts were sent when they arrived."""
    conn = op.get_bind()
    feedback = sa.table('private_feedback', *(sa.column(c) for c in (
        'id', 'shop_id', 'review_id', 'order_id', 'product_id', 'email', 'author_name', 'locale', 'created_at',
        'thread_id')))
    threads = sa.table('feedback_threads', *(sa.column(c) for c in (
        'id', 'public_id', 'shop_id', 'review_id', 'order_id', 'product_id', 'email', 'customer_name', 'locale',
        'status', 'opened_by', 'created_at', 'updated_at', 'activity_at')))
    opened = {}
    for row in conn.execute(sa.select(feedback).order_by(feedback.c.id)).all():
        key = (('review', row.review_id) if row.review_id is not None
               else ('order', row.shop_id, row.order_id, row.email) if row.order_id is not None else ('own', row.id))
        if key not in opened:
            conn.execute(threads.insert().values(
                public_id='thr_' + secrets.token_urlsafe(12), shop_id=row.shop_id, review_id=row.review_id,
                order_id=row.order_id, product_id=row.product_id, email=row.email,
                customer_name=(row.author_name or '')[:100], locale=row.locale, status='open', opened_by='feedback',
                created_at=row.created_at, updated_at=row.created_at, activity_at=row.created_at))
            opened[key] = conn.execute(sa.select(sa.func.max(threads.c.id))).scalar()
        else:
            conn.execute(threads.update().where(threads.c.id == opened[key]).values(activity_at=row.created_at))
        conn.execute(feedback.update().where(feedback.c.id == row.id).values(thread_id=opened[key]))


def downgrade():
    with op.batch_alter_table('private_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_private_feedback_thread_id'))
        batch_op.drop_constraint(batch_op.f('fk_private_feedback_thread_id_feedback_threads'), type_='foreignkey')
        batch_op.drop_column('thread_id')
    op.drop_index('ix_edits_after_private_reply_shop_at', table_name='edits_after_private_reply')
    op.drop_table('edits_after_private_reply')
    op.drop_index(op.f('ix_private_replies_thread_id'), table_name='private_replies')
    op.drop_table('private_replies')
    op.drop_index(op.f('ix_feedback_threads_email'), table_name='feedback_threads')
    op.drop_index(op.f('ix_feedback_threads_order_id'), table_name='feedback_threads')
    op.drop_index('ix_feedback_threads_inbox', table_name='feedback_threads')
    op.drop_table('feedback_threads')
