"""review incentives: when each was issued, and an index of the rows an empty pool left waiting

Revision ID: 7d1c3e5a9b24
Revises: 5b8e2d4f1a63
Create Date: 2026-12-05 12:10:00

Rows issued before this revision were issued when they were created: issued_at is filled from
created_at for them; waiting and withheld rows keep null.
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '7d1c3e5a9b24'
down_revision = '5b8e2d4f1a63'
branch_labels = None
depends_on = None

WAITING = "status = 'waiting'"


def upgrade():
    # Not a batch: on SQLite a batch may copy the table, and a copy loses partial indexes.
    op.add_column('review_incentives', sa.Column('issued_at', UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE review_incentives SET issued_at = created_at WHERE status = 'issued'")
    op.create_index('ix_review_incentives_waiting', 'review_incentives', ['shop_id', 'created_at', 'id'],
                    unique=False, sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_review_incentives_waiting', table_name='review_incentives',
                  sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.execute("ALTER TABLE review_incentives DROP COLUMN issued_at")
