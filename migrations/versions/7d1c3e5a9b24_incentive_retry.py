"""review incentives (H3 fills this in, or it is deleted)

Revision ID: 7d1c3e5a9b24
Revises: 5b8e2d4f1a63
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '7d1c3e5a9b24'
down_revision = '5b8e2d4f1a63'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
