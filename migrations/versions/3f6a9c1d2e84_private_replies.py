"""private replies and follow-up threads (H1 fills this in)

Revision ID: 3f6a9c1d2e84
Revises: b7e41f0c9d25
Create Date: 2026-12-05 12:10:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '3f6a9c1d2e84'
down_revision = 'b7e41f0c9d25'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
