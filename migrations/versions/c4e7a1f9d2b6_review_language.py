"""review language: reviews.lang and the index that reads one language's published reviews

Revision ID: c4e7a1f9d2b6
Revises: a97657936867
Create Date: 2026-12-05 09:30:00

The column is nullable (old reviews: `reviews-service detect-languages` fills them). The index is
built CONCURRENTLY on PostgreSQL, so that a shop with millions of reviews keeps taking new ones.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e7a1f9d2b6'
down_revision = 'a97657936867'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('reviews', sa.Column('lang', sa.String(length=16), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index('ix_reviews_public_lang', 'reviews',
                        ['product_id', 'status', 'lang', 'published_at', 'id'],
                        unique=False, postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index('ix_reviews_public_lang', table_name='reviews', postgresql_concurrently=True)
    # Not in batch mode: on SQLite that rebuilds the table from reflection, which loses the
    # expression indexes (ix_reviews_public_lowest, _photos). SQLite 3.35+ drops a column itself.
    op.drop_column('reviews', 'lang')
