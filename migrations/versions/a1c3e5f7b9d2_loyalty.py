"""loyalty: members, the append-only ledger, each order's and review's points, redemptions; and the
coupon pools of the rooms above (`loyalty:<reward id>`) in the coupons table

Revision ID: a1c3e5f7b9d2
Revises: 7d1c3e5a9b24
Create Date: 2026-12-05 13:00:00

No shop had a loyalty programme before this revision: every table starts empty.
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '7d1c3e5a9b24'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('referrer_reward', 'friend_offer', 'review_incentive')"
NEW_KINDS = OLD_KINDS + " OR substr(kind, 1, 8) = 'loyalty:'"
HELD = "held > 0"


def _coupons(kind_type, kinds: str) -> None:
    """Change the coupons' kind column and its check. On SQLite that copies the table, and dropping
    the old copy runs the ON DELETE SET NULL of every row pointing at a coupon (foreign keys are on):
    the references are kept here and put back after. PostgreSQL alters the table in place."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    kept = {}
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "coupons" and len(fk["constrained_columns"]) == 1:
                column = fk["constrained_columns"][0]
                kept[(table, column)] = bind.execute(sa.text(
                    f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(), type_=kind_type, existing_nullable=False)
        batch_op.drop_constraint(op.f('ck_coupons_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_coupons_kind'), kinds)
    for (table, column), rows in kept.items():
        for row_id, value in rows:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                         {"value": value, "id": row_id})


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str = 'CASCADE') -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def upgrade():
    _coupons(sa.String(length=48), NEW_KINDS)
    op.create_table(
        'loyalty_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('spendable', sa.BigInteger(), nullable=False),
        sa.Column('pending', sa.BigInteger(), nullable=False),
        sa.Column('tier', sa.String(length=32), nullable=True),
        _at('tier_since'), _at('tier_checked_at'), _at('flagged_at'),
        sa.Column('birthday_month', sa.SmallInteger(), nullable=True),
        sa.Column('birthday_day', sa.SmallInteger(), nullable=True),
        _at('last_activity_at'), _at('erased_at'), _at('created_at', False), _at('updated_at', False),
        sa.CheckConstraint('birthday_month IS NULL OR (birthday_month BETWEEN 1 AND 12 AND birthday_day '
                           'BETWEEN 1 AND 31)', name=op.f('ck_loyalty_members_birthday')),
        sa.CheckConstraint('pending >= 0', name=op.f('ck_loyalty_members_pending')),
        _fk('loyalty_members', 'customer_id', 'customers'),
        _fk('loyalty_members', 'shop_id', 'shops'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_members')),
        sa.UniqueConstraint('shop_id', 'customer_id', name=op.f('uq_loyalty_members_shop_id_customer_id')),
    )
    op.create_index('ix_loyalty_members_activity', 'loyalty_members', ['shop_id', 'last_activity_at'])
    op.create_index('ix_loyalty_members_birthday', 'loyalty_members', ['shop_id', 'birthday_month', 'birthday_day'])
    op.create_index(op.f('ix_loyalty_members_customer_id'), 'loyalty_members', ['customer_id'])

    op.create_table(
        'loyalty_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('reference', sa.String(length=255), nullable=False),
        sa.Column('spendable_change', sa.BigInteger(), nullable=False),
        sa.Column('pending_change', sa.BigInteger(), nullable=False),
        sa.Column('spend', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('spendable_after', sa.BigInteger(), nullable=False),
        sa.Column('pending_after', sa.BigInteger(), nullable=False),
        sa.Column('dedupe', sa.String(length=120), nullable=False),
        _at('created_at', False),
        sa.CheckConstraint("kind IN ('earn', 'hold_release', 'redeem', 'expire', 'adjust', 'reverse')",
                           name=op.f('ck_loyalty_entries_kind')),
        sa.CheckConstraint("source IN ('order', 'review', 'referral', 'admin', 'event', 'redemption', 'programme')",
                           name=op.f('ck_loyalty_entries_source')),
        _fk('loyalty_entries', 'member_id', 'loyalty_members'),
        _fk('loyalty_entries', 'shop_id', 'shops'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_entries')),
        sa.UniqueConstraint('shop_id', 'dedupe', name=op.f('uq_loyalty_entries_shop_id_dedupe')),
    )
    op.create_index('ix_loyalty_entries_member', 'loyalty_entries', ['member_id', 'id'])
    op.create_index('ix_loyalty_entries_member_created', 'loyalty_entries', ['member_id', 'created_at'])

    op.create_table(
        'loyalty_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('earned', sa.BigInteger(), nullable=False),
        sa.Column('held', sa.BigInteger(), nullable=False),
        sa.Column('reversed', sa.BigInteger(), nullable=False),
        sa.Column('spend', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('reversed_spend', sa.Numeric(precision=14, scale=2), nullable=False),
        _at('release_at', False), _at('released_at'), _at('created_at', False),
        sa.CheckConstraint('held >= 0 AND held <= earned', name=op.f('ck_loyalty_orders_held')),
        sa.CheckConstraint('reversed >= 0 AND reversed <= earned', name=op.f('ck_loyalty_orders_reversed')),
        _fk('loyalty_orders', 'member_id', 'loyalty_members'),
        _fk('loyalty_orders', 'order_id', 'orders'),
        _fk('loyalty_orders', 'shop_id', 'shops'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_orders')),
        sa.UniqueConstraint('order_id', name=op.f('uq_loyalty_orders_order_id')),
    )
    op.create_index('ix_loyalty_orders_held', 'loyalty_orders', ['release_at'],
                    sqlite_where=sa.text(HELD), postgresql_where=sa.text(HELD))
    op.create_index(op.f('ix_loyalty_orders_member_id'), 'loyalty_orders', ['member_id'])
    op.create_index(op.f('ix_loyalty_orders_shop_id'), 'loyalty_orders', ['shop_id'])

    op.create_table(
        'loyalty_redemptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=24), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('reward', sa.String(length=32), nullable=False),
        sa.Column('points', sa.BigInteger(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('coupon_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=64), nullable=True),
        sa.Column('offer', sa.JSON(), nullable=False),
        _at('created_at', False),
        _fk('loyalty_redemptions', 'coupon_id', 'coupons', 'SET NULL'),
        _fk('loyalty_redemptions', 'member_id', 'loyalty_members'),
        _fk('loyalty_redemptions', 'shop_id', 'shops'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_redemptions')),
        sa.UniqueConstraint('public_id', name=op.f('uq_loyalty_redemptions_public_id')),
    )
    op.create_index('ix_loyalty_redemptions_member', 'loyalty_redemptions', ['member_id', 'id'])
    op.create_index(op.f('ix_loyalty_redemptions_shop_id'), 'loyalty_redemptions', ['shop_id'])

    op.create_table(
        'loyalty_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('points', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        _at('decided_at'), _at('created_at', False),
        sa.CheckConstraint("status IN ('offered', 'granted', 'withheld')", name=op.f('ck_loyalty_reviews_status')),
        _fk('loyalty_reviews', 'member_id', 'loyalty_members'),
        _fk('loyalty_reviews', 'review_id', 'reviews'),
        _fk('loyalty_reviews', 'shop_id', 'shops'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_reviews')),
        sa.UniqueConstraint('review_id', name=op.f('uq_loyalty_reviews_review_id')),
    )
    op.create_index(op.f('ix_loyalty_reviews_member_id'), 'loyalty_reviews', ['member_id'])
    op.create_index(op.f('ix_loyalty_reviews_shop_id'), 'loyalty_reviews', ['shop_id'])


def downgrade():
    for table in ('loyalty_reviews', 'loyalty_redemptions', 'loyalty_orders', 'loyalty_entries', 'loyalty_members'):
        op.drop_table(table)  # their indexes go with them
    # The loyalty pools' codes fit no kind of the old check.
    op.execute("DELETE FROM coupons WHERE substr(kind, 1, 8) = 'loyalty:'")
    _coupons(sa.String(length=16), OLD_KINDS)
