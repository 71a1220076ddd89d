"""public list sort indexes: highest (and the star filter), lowest, helpful, photos first

Revision ID: b3d1f0a2c9e4
Revises: 49839f3fa2c9
Create Date: 2026-12-02 16:50:00

Built CONCURRENTLY on PostgreSQL (outside the migration's transaction), so that a shop with
millions of reviews keeps taking new ones while they build.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3d1f0a2c9e4'
down_revision = '49839f3fa2c9'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_reviews_public_rating': ['product_id', 'status', 'rating', 'published_at', 'id'],
    'ix_reviews_public_lowest': ['product_id', 'status', sa.text('(-rating)'), 'published_at', 'id'],
    'ix_reviews_public_helpful': ['product_id', 'status', 'helpful_up', 'published_at', 'id'],
    'ix_reviews_public_photos': ['product_id', 'status', sa.text('(photo_count > 0)'),
                                 'published_at', 'id'],
}


def upgrade():
    with op.get_context().autocommit_block():
        for name, columns in INDEXES.items():
            op.create_index(name, 'reviews', columns, unique=False, postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        for name in reversed(INDEXES):
            op.drop_index(name, table_name='reviews', postgresql_concurrently=True)
