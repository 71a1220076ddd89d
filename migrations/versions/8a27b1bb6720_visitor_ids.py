"""visitor ids: votes counted once per visitor id and per network, friend codes per network

The widget's visitor id is kept as a keyed hash on reviews, votes, reports, referral clicks and
referrals; a report counts once per visitor id too.
A review's votes become unique per network (IP hash) and per visitor id instead of per IP and user
agent. Votes cast before this revision have no IP hash, so they hold no network's place.

Revision ID: 8a27b1bb6720
Revises: b3d1f0a2c9e4
Create Date: 2026-12-05 03:41:58.832070

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a27b1bb6720'
down_revision = 'b3d1f0a2c9e4'
branch_labels = None
depends_on = None

# SQLite copies a table to change its constraints; reflecting it need not reflect the tables its
# foreign keys point at (reviews, whose expression indexes SQLAlchemy cannot reflect, and warns).
NO_FK_TABLES = {"resolve_fks": False}


def upgrade():
    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_ip_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_coupons_claimed_ip', ['shop_id', 'kind', 'claimed_ip_hash', 'claimed_at'], unique=False)

    with op.batch_alter_table('referral_clicks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visitor_id_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visitor_id_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('reports', schema=None, reflect_kwargs=NO_FK_TABLES) as batch_op:
        batch_op.add_column(sa.Column('visitor_id_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_reports_review_id_visitor_id_hash'), ['review_id', 'visitor_id_hash'])

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visitor_id_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('votes', schema=None, reflect_kwargs=NO_FK_TABLES) as batch_op:
        batch_op.add_column(sa.Column('ip_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('visitor_id_hash', sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_votes_review_id_visitor_hash'), type_='unique')
        batch_op.create_index('ix_votes_review_visitor', ['review_id', 'visitor_hash'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_votes_review_id_ip_hash'), ['review_id', 'ip_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_votes_review_id_visitor_id_hash'), ['review_id', 'visitor_id_hash'])


def downgrade():
    with op.batch_alter_table('votes', schema=None, reflect_kwargs=NO_FK_TABLES) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_votes_review_id_visitor_id_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_votes_review_id_ip_hash'), type_='unique')
        batch_op.drop_index('ix_votes_review_visitor')
        batch_op.create_unique_constraint(batch_op.f('uq_votes_review_id_visitor_hash'), ['review_id', 'visitor_hash'])
        batch_op.drop_column('visitor_id_hash')
        batch_op.drop_column('ip_hash')

    # Not in batch mode: SQLite would copy the table and lose its expression indexes, which it
    # cannot reflect; it drops a plain column in place (3.35 and later).
    op.drop_column('reviews', 'visitor_id_hash')

    with op.batch_alter_table('reports', schema=None, reflect_kwargs=NO_FK_TABLES) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reports_review_id_visitor_id_hash'), type_='unique')
        batch_op.drop_column('visitor_id_hash')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('visitor_id_hash')

    with op.batch_alter_table('referral_clicks', schema=None) as batch_op:
        batch_op.drop_column('visitor_id_hash')

    with op.batch_alter_table('coupons', schema=None) as batch_op:
        batch_op.drop_index('ix_coupons_claimed_ip')
        batch_op.drop_column('claimed_ip_hash')
