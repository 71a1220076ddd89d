"""reviewer edits: review revisions (H2 fills this in)

Revision ID: 5b8e2d4f1a63
Revises: 3f6a9c1d2e84
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '5b8e2d4f1a63'
down_revision = '3f6a9c1d2e84'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
